// A minimal, typed view of zod v4's schema definitions (`_zod.def`), enough to walk from a table to
// its keys: used for "did you mean" suggestions and for leaving defaults out when writing.

export interface SchemaNode {
  _zod: {
    def: {
      type: string;
      innerType?: SchemaNode;
      in?: SchemaNode;
      out?: SchemaNode;
      shape?: Record<string, SchemaNode>;
      element?: SchemaNode;
      valueType?: SchemaNode;
    };
  };
  safeParse(v: unknown): { success: boolean; data?: unknown };
}

/** Looks through optional/default/nullable wrappers and pipes to the schema that holds the shape. */
export function unwrapSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let guard = 0; current && guard < 20; guard++) {
    const def: SchemaNode['_zod']['def'] = current._zod.def;
    if (def.innerType) current = def.innerType;
    // z.preprocess(fn, schema) is a pipe from a transform: the shape is on the out side.
    else if (def.type === 'pipe') current = def.in?._zod.def.type === 'transform' ? def.out : def.in;
    else return current;
  }
  return current;
}

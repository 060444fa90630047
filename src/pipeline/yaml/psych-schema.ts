// A js-yaml schema that reads plain scalars the way Ruby's Psych (GitLab's parser) does:
// YAML 1.1 booleans (yes/no/on/off, not y/n), octal `012`, `0b`/`0x`, `_` separators,
// sexagesimal `1:30`, `.inf`/`.nan`; dates stay strings. `<<` is left as a plain key here and
// merged afterwards in Psych's order (see parse-yaml.ts). `!reference` builds a ReferenceTag.
import jsyaml from 'js-yaml';
import { ReferenceTag } from './reference-tag.js';

const NULL = /^(?:~|null|Null|NULL)$/;
const TRUE = /^(?:yes|true|on)$/i;
const FALSE = /^(?:no|false|off)$/i;
const INT = /^(?:[-+]?0b[01_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}\.[0-9_]*$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function parseInt11(text: string): number {
  const clean = text.replace(/[_,]/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[-+]/, '');
  if (/^0b/i.test(body)) return sign * Number.parseInt(body.slice(2), 2);
  if (/^0x/i.test(body)) return sign * Number.parseInt(body.slice(2), 16);
  if (body.length > 1 && body.startsWith('0')) return sign * Number.parseInt(body.slice(1), 8);
  return sign * Number.parseInt(body, 10);
}

function sexagesimal(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const parts = text.replace(/^[-+]/, '').replace(/_/g, '').split(':');
  return sign * parts.reduce((acc, part) => acc * 60 + Number(part), 0);
}

function parseFloat11(text: string): number {
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return Number(text.replace(/[_,]/g, '').replace(/\.(?=[eE]|$)/, ''));
}

// Cheap first-character guards: most scalars in a CI file are commands and names, and would
// otherwise run every pattern below.
const MAYBE_WORD = /^[~nNyYtToOfF]/;
const MAYBE_NUMBER = /^[-+.0-9]/;

const nullType = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string) => data === '' || (data.length <= 4 && NULL.test(data)),
  construct: () => null,
});

const boolType = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => data.length <= 5 && MAYBE_WORD.test(data) && (TRUE.test(data) || FALSE.test(data)),
  construct: (data: string) => TRUE.test(data),
});

const intType = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => MAYBE_NUMBER.test(data) && (INT.test(data) || SEXAGESIMAL_INT.test(data)),
  construct: (data: string) => (SEXAGESIMAL_INT.test(data) ? sexagesimal(data) : parseInt11(data)),
});

const floatType = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  // A lone `.` or `-.` is text in Psych.
  resolve: (data: string) => MAYBE_NUMBER.test(data) && ((FLOAT.test(data) && !/^[-+]?\.$/.test(data)) || SEXAGESIMAL_FLOAT.test(data)),
  construct: (data: string) => (SEXAGESIMAL_FLOAT.test(data) ? sexagesimal(data) : parseFloat11(data)),
});

const reference = (kind: 'scalar' | 'sequence' | 'mapping') =>
  new jsyaml.Type('!reference', { kind, construct: (data: unknown) => new ReferenceTag(data ?? '') });

export const PSYCH_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType],
  explicit: [reference('scalar'), reference('sequence'), reference('mapping')],
});

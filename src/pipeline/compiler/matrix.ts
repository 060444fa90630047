// `parallel: N` and `parallel: matrix` expansion, as GitLab's Config::Normalizer does it:
// - `parallel: 3` → `build 1/3`, `build 2/3`, `build 3/3`;
// - `parallel: {matrix: [...]}` → for each entry, the cartesian product of its values in the
//   entry's key order; names are `build: [v1, v2]` (values joined with ", ", in key order);
//   every instance gets the entry's variables; index/total count all instances together;
// - at most 200 instances.

export type MatrixScalar = string | number | boolean;
export type MatrixEntry = Readonly<Record<string, MatrixScalar | ReadonlyArray<MatrixScalar>>>;
export type MatrixConfig = ReadonlyArray<MatrixEntry>;
export type ParallelConfig = number | { readonly matrix: MatrixConfig };

export interface ParallelInstance {
  /** The generated job name. */
  name: string;
  /** Matrix variables of this instance (empty for `parallel: N`). */
  variables: Record<string, string>;
  /** CI_NODE_INDEX (1-based) and CI_NODE_TOTAL. */
  parallel?: { index: number; total: number };
}

export const PARALLEL_LIMIT = 200;

/** Invalid `parallel` value; `message` is GitLab's wording with the job's location. */
export class ParallelConfigError extends Error {
  override readonly name = 'ParallelConfigError';
}

/** Ruby's Object#to_s for the scalars YAML gives us. */
function scalarText(v: MatrixScalar): string {
  return String(v);
}

/** The variable combinations of a matrix, entry by entry, without any limit check. */
export function expandMatrix(matrix: MatrixConfig): Array<Record<string, string>> {
  const combos: Array<Record<string, string>> = [];
  for (const entry of matrix) {
    const keys = Object.keys(entry);
    if (keys.length === 0) continue;
    const lists = keys.map((k) => {
      const v = entry[k]!;
      return (Array.isArray(v) ? v : [v]).map((x: MatrixScalar) => scalarText(x));
    });
    let partial: string[][] = [[]];
    for (const list of lists) {
      const next: string[][] = [];
      for (const prefix of partial) for (const value of list) next.push([...prefix, value]);
      partial = next;
    }
    for (const values of partial) {
      const vars: Record<string, string> = {};
      keys.forEach((k, i) => { vars[k] = values[i]!; });
      combos.push(vars);
    }
  }
  return combos;
}

/** The number of jobs a matrix generates (GitLab's number_of_generated_jobs). */
export function matrixSize(matrix: MatrixConfig): number {
  let total = 0;
  for (const entry of matrix) {
    const keys = Object.keys(entry);
    if (keys.length === 0) continue;
    total += keys.reduce((acc, k) => { const v = entry[k]!; return acc * (Array.isArray(v) ? v.length : 1); }, 1);
  }
  return total;
}

/** The name GitLab gives one matrix instance. */
export function matrixInstanceName(jobName: string, variables: Readonly<Record<string, string>>): string {
  return `${jobName}: [${Object.values(variables).join(', ')}]`;
}

/**
 * Expands a job's `parallel` value into its instances. Throws ParallelConfigError with GitLab's
 * message for a number outside 1..200 or a matrix generating more than 200 jobs.
 */
export function expandParallel(jobName: string, parallel: ParallelConfig): ParallelInstance[] {
  if (typeof parallel === 'number') {
    const where = `jobs:${jobName}:parallel config`;
    if (!Number.isInteger(parallel)) throw new ParallelConfigError(`${where} must be an integer`);
    if (parallel < 1) throw new ParallelConfigError(`${where} must be greater than or equal to 1`);
    if (parallel > PARALLEL_LIMIT) throw new ParallelConfigError(`${where} must be less than or equal to ${PARALLEL_LIMIT}`);
    return Array.from({ length: parallel }, (_, i) => ({
      name: `${jobName} ${i + 1}/${parallel}`,
      variables: {},
      parallel: { index: i + 1, total: parallel },
    }));
  }
  if (matrixSize(parallel.matrix) > PARALLEL_LIMIT) {
    throw new ParallelConfigError(`jobs:${jobName}:parallel:matrix config generates too many jobs (maximum is ${PARALLEL_LIMIT})`);
  }
  const combos = expandMatrix(parallel.matrix);
  return combos.map((variables, i) => ({
    name: matrixInstanceName(jobName, variables),
    variables,
    parallel: { index: i + 1, total: combos.length },
  }));
}

/**
 * The instance names a `needs: [{job, parallel: {matrix}}]` entry refers to. Names are built
 * from the need's own matrix (its key order included), exactly as GitLab does; names that match
 * no instance then surface as "undefined need" errors.
 */
export function matchMatrixNeed(jobName: string, matrix: MatrixConfig): string[] {
  return expandMatrix(matrix).map((vars) => matrixInstanceName(jobName, vars));
}

// The short form of a runner token that gitlab-runner prints (`runner=t1_bkEhzn`) and puts in names:
// known prefixes (glrt-, partition t1_/t2_/t3_, glrtr-, glcbt-, GR + 7 hex) are dropped, then 9 characters kept.

const PREFIXES = [/^glrt-(t[123]_)?|^t[123]_|^glrtr-/, /^glcbt-/, /^GR[0-9A-Fa-f]{7}/];

export function shortToken(token: string): string {
  let rest = token;
  for (const re of PREFIXES) rest = rest.replace(re, '');
  return rest.slice(0, 9);
}

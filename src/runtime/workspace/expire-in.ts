// `artifacts:expire_in` text ("30 days", "1 week", "2 hrs 20 min", "3600", "never") → milliseconds.
// undefined = never expires; null = not understood.

const UNITS: Array<[RegExp, number]> = [
  [/^(s|sec|secs|second|seconds)$/, 1],
  [/^(m|min|mins|minute|minutes)$/, 60],
  [/^(h|hr|hrs|hour|hours)$/, 3600],
  [/^(d|day|days)$/, 86_400],
  [/^(w|wk|wks|week|weeks)$/, 604_800],
  [/^(mo|mos|month|months)$/, 2_629_746],
  [/^(y|yr|yrs|year|years)$/, 31_556_952],
];

export function parseExpireIn(text: string): number | undefined | null {
  const t = text.trim().toLowerCase();
  if (t === 'never') return undefined;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  if (parts.length === 0 || t.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)|,|and|\s/g, '') !== '') return null;
  let seconds = 0;
  for (const [, num, unit] of parts) {
    const factor = UNITS.find(([re]) => re.test(unit ?? ''))?.[1];
    if (factor === undefined) return null;
    seconds += Number(num) * factor;
  }
  return seconds * 1000;
}

// A one-line summary of JUnit XML reports (`artifacts:reports:junit`): how many test cases ran,
// failed, errored and were skipped, as GitLab's test report tab counts them (per <testcase>).

export interface JunitCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const TESTCASE = /<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase\s*>)/g;

/** Counts the test cases of one JUnit XML document; null when it holds no <testcase> at all. */
export function countJunit(xml: string): JunitCounts | null {
  const c: JunitCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const m of xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(TESTCASE)) {
    c.tests++;
    const body = m[1] ?? '';
    if (/<failure\b/.test(body)) c.failures++;
    else if (/<error\b/.test(body)) c.errors++;
    else if (/<skipped\b/.test(body)) c.skipped++;
  }
  return c.tests === 0 && !/<testsuites?\b/.test(xml) ? null : c;
}

export function addCounts(a: JunitCounts, b: JunitCounts): JunitCounts {
  return { tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped };
}

export function formatJunit(c: JunitCounts): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(c.tests, 'test')}, ${plural(c.failures, 'failure')}, ${plural(c.errors, 'error')}, ${c.skipped} skipped`;
}

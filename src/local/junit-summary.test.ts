import { describe, expect, it } from 'vitest';
import { addCounts, countJunit, formatJunit } from './junit-summary.js';

describe('countJunit', () => {
  it('counts test cases, failures, errors and skipped ones', () => {
    const xml = `<?xml version="1.0"?>
<testsuites><testsuite name="a" tests="4">
  <testcase name="ok" classname="x"/>
  <testcase name="bad"><failure message="boom">trace</failure></testcase>
  <testcase name="err"><error>oops</error></testcase>
  <!-- <testcase name="commented"/> -->
  <testcase name="skip"><skipped/></testcase>
</testsuite></testsuites>`;
    expect(countJunit(xml)).toEqual({ tests: 4, failures: 1, errors: 1, skipped: 1 });
  });

  it('returns null for something that is not JUnit XML, zeroes for an empty suite', () => {
    expect(countJunit('hello')).toBeNull();
    expect(countJunit('<testsuite tests="0"></testsuite>')).toEqual({ tests: 0, failures: 0, errors: 0, skipped: 0 });
  });

  it('formats sums in one line', () => {
    const one = { tests: 1, failures: 1, errors: 0, skipped: 0 };
    expect(formatJunit(addCounts(one, { tests: 2, failures: 0, errors: 1, skipped: 1 }))).toBe('3 tests, 1 failure, 1 error, 1 skipped');
  });
});

import { describe, expect, it } from 'vitest';
import { formatContentRange, isRunnerState, parseContentRange, parseTraceRange, traceChecksum } from './job-update.js';
import { normaliseFailureReason } from './failure-reasons.js';
import { registerRunnerRequestSchema } from './runner-registration.js';

describe('trace and update helpers', () => {
  it('parses Content-Range start-end and formats it back', () => {
    expect(parseContentRange('0-9')).toEqual({ start: 0, end: 9 });
    expect(parseContentRange('bytes 10-19')).toEqual({ start: 10, end: 19 });
    expect(parseContentRange('x')).toBeUndefined();
    expect(parseContentRange(undefined)).toBeUndefined();
    expect(formatContentRange(10, 5)).toBe('10-14');
    expect(parseTraceRange('0-42')).toBe(42);
  });
  it('computes the runner checksum (IEEE CRC-32)', () => {
    expect(traceChecksum(new TextEncoder().encode('123456789'))).toBe('crc32:cbf43926');
    expect(traceChecksum(new Uint8Array())).toBe('crc32:00000000');
  });
  it('knows runner states and failure reasons', () => {
    expect(isRunnerState('success')).toBe(true);
    expect(isRunnerState('canceled')).toBe(false);
    expect(normaliseFailureReason('script_failure')).toBe('script_failure');
    expect(normaliseFailureReason('image_pull_failure')).toBe('unknown_failure');
  });
  it('accepts tag_list as comma string or array', () => {
    expect(registerRunnerRequestSchema.parse({ token: 't', tag_list: 'a, b,,c' }).tag_list).toEqual(['a', 'b', 'c']);
    expect(registerRunnerRequestSchema.parse({ token: 't', tag_list: ['x'] }).tag_list).toEqual(['x']);
  });
});

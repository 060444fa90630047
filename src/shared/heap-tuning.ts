// V8 heap sizing for Drydock's long-running HTTP servers (the coordinator, `drydock registry serve`).
//
// Node's HTTP parser hands every received body chunk to JavaScript as a fresh Buffer, so a 300 MiB
// `docker push` allocates 300 MiB of short-lived ArrayBuffers plus a few MB/s of old-space objects.
// Past V8's start-up grace period, its default heap-growing factor leaves an old-space slack below
// the new space's capacity for a heap of the coordinator's size (~22 MB live), and V8 then starts a
// new incremental mark-compact as soon as the previous one ends: ~20 full GCs per push, +0.9-1.4 s of
// CPU (measured in bench/registry; see BENCHMARKS.md). A fixed growing factor of 3 lets the old
// generation reach 3x its live size before the next full GC: 1-2 full GCs per push.
import { setFlagsFromString } from 'node:v8';

/** Growth of the old-generation limit over the live size after a full GC, in percent. */
export const SERVER_HEAP_GROWING_PERCENT = 200;

/** The V8 flags to set, or none when the user chose a growing factor themselves. */
export function serverHeapFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg));
  return chosen ? [] : [`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`];
}

/**
 * Applies serverHeapFlags to this process. V8 reads the factor at every full GC, so setting it after
 * start-up takes effect from the next one (checked in bench/registry: 1 full GC per push, not ~20).
 */
export function tuneHeapForServer(): void {
  for (const flag of serverHeapFlags(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString(flag);
}

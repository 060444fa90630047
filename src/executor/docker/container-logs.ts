// The last lines a container printed (stdout and stderr interleaved), for diagnosis blocks.
import type Docker from 'dockerode';

/** Decodes Docker's multiplexed log format (8-byte frame headers) into text. */
export function demuxLogBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const type = buf[offset];
    const size = buf.readUInt32BE(offset + 4);
    if (type === undefined || type > 2 || buf[offset + 1] !== 0 || offset + 8 + size > buf.length) return buf.toString('utf8');
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 && buf.length > 0 ? buf.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

export async function lastLogLines(container: Docker.Container, lines: number, signal: AbortSignal): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines, abortSignal: signal })) as unknown as Buffer;
    return demuxLogBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
  } catch (err) {
    return `(logs unavailable: ${(err as Error).message})`;
  }
}

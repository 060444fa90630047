// Live log chunks are sent as text: a chunk must never end inside a UTF-8 sequence (a runner may
// split a multi-byte character across two PATCHes), so the incomplete tail waits for the next bytes.

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const need = b >= 0xf8 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need <= n ? n : i;
  }
  // Only continuation bytes at the end (invalid input): nothing to wait for.
  return n;
}

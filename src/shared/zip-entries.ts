// Reading zip archives entry by entry (yauzl with lazy entries): the runtime's extraction of
// artifacts and caches, and the server's reading of one file out of a stored artifacts archive.
import yauzl from 'yauzl';

/** The next entry of a zip opened with lazyEntries, or undefined at its end. */
export function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry) => { cleanup(); resolve(e); };
    const onEnd = () => { cleanup(); resolve(undefined); };
    const onError = (err: Error) => { cleanup(); reject(err); };
    const cleanup = () => { zip.off('entry', onEntry); zip.off('end', onEnd); zip.off('error', onError); };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

export type ZipEntryResult = { kind: 'found'; data: Buffer } | { kind: 'missing' } | { kind: 'too-large'; size: number };

/** One file of `zipFile` by its path in the archive, without unpacking the rest; refused above `maxBytes`. */
export async function readZipEntry(zipFile: string, name: string, maxBytes: number): Promise<ZipEntryResult> {
  const wanted = name.replace(/^(\.\/)+|^\/+/, '');
  const zip = await yauzl.openPromise(zipFile, { lazyEntries: true, decodeStrings: true });
  try {
    for (let entry = await nextZipEntry(zip); entry !== undefined; entry = await nextZipEntry(zip)) {
      if (entry.fileName !== wanted) continue;
      if (entry.uncompressedSize > maxBytes) return { kind: 'too-large', size: entry.uncompressedSize };
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return { kind: 'found', data: Buffer.concat(chunks) };
    }
    return { kind: 'missing' };
  } finally {
    zip.close();
  }
}

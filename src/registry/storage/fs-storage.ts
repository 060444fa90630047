// The filesystem RegistryStorage: blobs and metadata under one root directory.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FsBlobStore } from './fs-blob-store.js';
import { FsMetadataStore } from './fs-metadata-store.js';
import type { RegistryStorage } from './registry-storage.js';

/** Opens (creating if needed) a registry storage rooted at `root`. */
export async function createFsStorage(root: string): Promise<RegistryStorage> {
  const absolute = path.resolve(root);
  await mkdir(absolute, { recursive: true });
  return { blobs: new FsBlobStore(absolute), metadata: new FsMetadataStore(absolute) };
}

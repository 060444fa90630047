// Stable numeric ids for registry repositories (GitLab's REST API addresses them by id), assigned
// on first sight and kept in a small JSON file written atomically. One instance per server.
import { readFile, rename, writeFile } from 'node:fs/promises';

interface IdFile {
  next: number;
  ids: Record<string, { id: number; createdAt: string }>;
}

export class RegistryRepositoryIds {
  private loaded: Promise<IdFile> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  private load(): Promise<IdFile> {
    this.loaded ??= readFile(this.file, 'utf8').then((t) => JSON.parse(t) as IdFile, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return { next: 1, ids: {} };
      throw err;
    });
    return this.loaded;
  }

  /** Ids (and first-seen times) for `paths`, assigning new ones in order. */
  assign(paths: readonly string[]): Promise<Map<string, { id: number; createdAt: string }>> {
    const run = this.chain.then(async () => {
      const data = await this.load();
      let changed = false;
      for (const p of paths) {
        if (data.ids[p]) continue;
        data.ids[p] = { id: data.next++, createdAt: new Date().toISOString() };
        changed = true;
      }
      if (changed) {
        const temp = `${this.file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify(data));
        await rename(temp, this.file);
      }
      return new Map(paths.map((p) => [p, data.ids[p]!]));
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The path with this id, if any was assigned. */
  async pathOf(id: number): Promise<string | undefined> {
    await this.chain;
    const data = await this.load();
    return Object.entries(data.ids).find(([, v]) => v.id === id)?.[0];
  }
}

// The `.drydock/` state directory of a project: pipeline ids, logs, artifacts and caches.
//   .drydock/pipeline-counter                 last pipeline id handed out
//   .drydock/pipelines/<id>/pipeline.json     what ran, with statuses and timestamps
//   .drydock/pipelines/<id>/<job-slug>.log    one log per job (the last attempt's; earlier ones .attempt-<n>.log)
//   .drydock/pipelines/<id>/artifacts/<job-slug>/
//   .drydock/cache/<key>/
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jobSlug } from './slug.js';

export class StateDir {
  constructor(readonly root: string) {}

  /** Creates the directory and a .gitignore that hides it from git (so it never lands in a commit or a copy). */
  async ensure(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFile(path.join(this.root, '.gitignore'), '*\n', { flag: 'w' });
  }

  /** Hands out the next pipeline id; the directory is created exclusively, so concurrent runs never share one. */
  async newPipeline(): Promise<number> {
    const counterFile = path.join(this.root, 'pipeline-counter');
    const last = Number.parseInt(await readFile(counterFile, 'utf8').catch(() => '0'), 10);
    for (let id = (Number.isFinite(last) ? last : 0) + 1; ; id++) {
      try {
        await mkdir(path.join(this.root, 'pipelines'), { recursive: true });
        await mkdir(this.pipelineDir(id));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      await writeFile(counterFile, `${id}\n`);
      return id;
    }
  }

  pipelineDir(id: number): string {
    return path.join(this.root, 'pipelines', String(id));
  }

  /** The log of a job's latest attempt. */
  jobLogFile(id: number, jobName: string): string {
    return path.join(this.pipelineDir(id), `${jobSlug(jobName)}.log`);
  }

  /** Where the log of an earlier attempt is moved when the job is retried. */
  attemptLogFile(id: number, jobName: string, attempt: number): string {
    return path.join(this.pipelineDir(id), `${jobSlug(jobName)}.attempt-${attempt}.log`);
  }

  artifactsDir(id: number, jobName: string): string {
    return path.join(this.pipelineDir(id), 'artifacts', jobSlug(jobName));
  }

  cacheDir(): string {
    return path.join(this.root, 'cache');
  }

  tmpDir(): string {
    return path.join(this.root, 'tmp');
  }
}

import { it } from 'vitest';
import { createProject, push, registerRunner, startRunner, startTestServer, tempDir, waitForPipeline, writeConfig, cleanup, pipelineJobs } from './runner-run-kit.js';

it('bench', async () => {
  const t = await startTestServer({ longPollSeconds: 50 });
  const work = await tempDir('bench-');
  const token = await registerRunner(t);
  const config = await writeConfig(work, `concurrent = 2\ncheck_interval = 3\n\n[[runners]]\n  name = "b"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n`);
  const r = startRunner(['run', '-c', config, '-d', work], work);
  await new Promise((res) => setTimeout(res, 4000));
  const jobs = Array.from({ length: 20 }, (_, i) => `j${i}:\n  script: [echo ${i}]\n`).join('');
  const p = await createProject(t, 'bench', { '.gitlab-ci.yml': jobs });
  const t0 = Date.now();
  await push(t, p);
  let firstRunning = 0;
  const poll = setInterval(async () => { const pj = await pipelineJobs(t, p.id); if (!firstRunning && pj?.jobs.some((j) => j.status !== 'pending' && j.status !== 'created')) firstRunning = Date.now(); }, 50);
  const done = await waitForPipeline(t, p.id, 300_000, r);
  clearInterval(poll);
  console.log(`status=${done.pipeline.status} 20 jobs in ${Date.now() - t0} ms; first job picked up ${firstRunning - t0} ms after push`);
  await r.stop();
  await t.close();
  await cleanup(work, p.wc);
}, 300_000);

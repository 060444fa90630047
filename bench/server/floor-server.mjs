// The floors the server benchmark compares against, each in its own process like our server:
//   node bench/server/floor-server.mjs queue <port>        plain node:http long-poll queue: POST /enqueue {n}
//       adds n jobs and wakes waiting POST /api/v4/jobs/request calls, each takes one job (201) or
//       gets 204 after 50 s. No database, no auth: the cost of HTTP plus a wake-up.
//   node bench/server/floor-server.mjs trace <port> <db>   bare fastify + better-sqlite3 (WAL,
//       synchronous=FULL, as the server) doing the same write as a trace PATCH: insert the chunk, 202.
import { createServer } from 'node:http';
import Fastify from 'fastify';
import BetterSqlite3 from 'better-sqlite3';

const [mode, port, dbFile] = process.argv.slice(2);

if (mode === 'queue') {
  const jobs = [];
  const waiters = new Set();
  let nextId = 1;
  const serveWaiters = () => {
    for (const w of [...waiters]) {
      const job = jobs.shift();
      if (!job) return;
      waiters.delete(w);
      w(job);
    }
  };
  createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.url === '/enqueue') {
        const { n } = JSON.parse(body);
        for (let i = 0; i < n; i++) jobs.push({ id: nextId++, queuedAt: Date.now() });
        serveWaiters();
        res.writeHead(201).end('{}');
        return;
      }
      const job = jobs.shift();
      const answer = (j) => {
        if (!j) { res.writeHead(204, { 'x-gitlab-last-update': 'x' }).end(); return; }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: j.id, token: 't', queued_at: j.queuedAt }));
      };
      if (job) { answer(job); return; }
      const timer = setTimeout(() => { waiters.delete(wake); answer(undefined); }, 50_000);
      const wake = (j) => { clearTimeout(timer); answer(j); };
      waiters.add(wake);
      res.on('close', () => { clearTimeout(timer); waiters.delete(wake); });
    });
  }).listen(Number(port), '127.0.0.1', () => console.log('ready'));
} else if (mode === 'trace') {
  const db = new BetterSqlite3(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS trace_chunks (job_id INTEGER NOT NULL, "offset" INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (job_id, "offset"))');
  const insert = db.prepare('INSERT INTO trace_chunks (job_id, "offset", data) VALUES (?, ?, ?)');
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.patch('/api/v4/jobs/:id/trace', async (req, reply) => {
    const start = Number(/^(\d+)-/.exec(String(req.headers['content-range'] ?? ''))?.[1] ?? 0);
    insert.run(Number(req.params.id), start, req.body);
    return reply.code(202).header('Range', `0-${start + req.body.length}`).send();
  });
  await app.listen({ host: '127.0.0.1', port: Number(port) });
  console.log('ready');
} else {
  console.error('usage: floor-server.mjs queue <port> | trace <port> <db file>');
  process.exit(2);
}

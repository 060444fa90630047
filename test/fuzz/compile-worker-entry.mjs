// Worker entry in plain JS: registers tsx's TypeScript loader in this thread, then loads the
// real worker. (A worker's `execArgv: ['--import', 'tsx']` is ignored on Node 20.)
import { register } from 'tsx/esm/api';

register();
await import('./compile-worker.ts');

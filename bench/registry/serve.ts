// Starts Drydock's registry (filesystem storage, no auth) for the benchmark as its own process,
// so its RSS can be read from /proc. run.ts compiles it to JS first; by hand: node --import tsx bench/registry/serve.ts <root> <port>
import { allowAll } from '../../src/registry/auth/registry-auth.js';
import { createRegistryServer } from '../../src/registry/http/registry-server.js';
import { createFsStorage } from '../../src/registry/storage/fs-storage.js';
import { tuneHeapForServer } from '../../src/shared/heap-tuning.js';

const [root, port] = process.argv.slice(2);
if (!root || !port) {
  console.error('usage: serve.ts <storage root> <port>');
  process.exit(2);
}
tuneHeapForServer(); // as `drydock registry serve` does
const server = await createRegistryServer({ storage: await createFsStorage(root), auth: allowAll(), logger: { error: (m, e) => console.error(m, e) } });
const { url } = await server.listen({ host: '127.0.0.1', port: Number(port) });
console.log(`ready ${url}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

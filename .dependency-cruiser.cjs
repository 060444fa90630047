// The import rules of docs/ARCHITECTURE (shared/design): each folder may import only what its row allows.
// `npm run lint:deps` fails CI on any violation.
const only = (from, allowed, comment) => ({
  name: `${from.replace(/[^a-z]/g, '-')}-imports`,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${from}/`, ...allowed.map((a) => `^src/${a}`)],
  },
});

module.exports = {
  forbidden: [
    only('shared', [], 'shared/ is a leaf: it imports nothing else in src/'),
    only('pipeline', ['shared/'], 'the pipeline model knows nothing of executors, runtime or servers'),
    only('executor/shell', ['executor/executor\\.ts', 'executor/script/', 'pipeline/spec/', 'shared/'], 'executors see only the JobSpec'),
    only('executor/docker', ['executor/executor\\.ts', 'executor/script/', 'executor/wait/', 'pipeline/spec/', 'shared/'], 'executors see only the JobSpec'),
    only('executor/kubernetes', ['executor/executor\\.ts', 'executor/script/', 'executor/wait/', 'pipeline/spec/', 'shared/'], 'executors see only the JobSpec'),
    only('executor/fake', ['executor/executor\\.ts', 'pipeline/spec/', 'shared/'], 'executors see only the JobSpec'),
    only('executor/script', ['pipeline/spec/', 'shared/'], 'script generation is shared by every executor'),
    only('executor/wait', ['shared/'], 'readiness strategies are leaf helpers'),
    only('runtime', ['executor/executor\\.ts', 'executor/script/', 'pipeline/spec/', 'shared/'], 'the runtime drives one Executor through the interface only'),
    only('protocol', ['pipeline/spec/', 'shared/'], 'the runner API contract'),
    only('local', ['runtime/', 'pipeline/', 'executor/executor\\.ts', 'shared/'], 'local runs compose runtime and pipeline'),
    only('runner', ['runtime/', 'protocol/', 'pipeline/spec/', 'executor/executor\\.ts', 'shared/'], 'the runner speaks only the runner API'),
    only('server', ['pipeline/', 'protocol/', 'shared/', 'registry/index\\.ts'], 'the server never imports executors or runtime; it mounts the registry through its public index'),
    only('registry', ['shared/'], 'the registry stands alone'),
    only('client', ['shared/'], 'the REST client speaks HTTP to a server, never imports it'),
    {
      name: 'dockerode-only-in-docker-executor',
      comment: 'only src/executor/docker/ talks to the Docker SDK',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/executor/docker/' },
      to: { path: 'node_modules/(dockerode|docker-modem)/' },
    },
    {
      name: 'k8s-client-only-in-kubernetes-executor',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/executor/kubernetes/' },
      to: { path: 'node_modules/@kubernetes/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};

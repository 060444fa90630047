// Unit tests of the UI's pure modules (log indexing, ANSI): `npx vitest run --config web/vitest.config.ts` from the repo root... or `npx vitest run --root web`.
export default { test: { include: ['src/**/*.test.ts'] } };

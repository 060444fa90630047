// Built into ../dist/web; the server serves it under /-/ui/ with an SPA fallback for GitLab-style URLs.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/-/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 200 },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The host serves the build at /studio (apps/host/src/studio); hashed assets under /studio/assets. */
export default defineConfig({
  root,
  base: '/studio/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // GrapesJS and the MJML compiler it runs in the browser are large by nature; one chunk each is fine for an admin tool.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
});

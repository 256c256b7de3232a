import { defineConfig } from 'vite';

// The controller serves dist/ at "/", so assets use relative URLs and work under any prefix.
// During `npm run dev`, /api is proxied to a controller (or the mock in tests/mock-server.mjs).
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': process.env.SUANLI_URL ?? 'http://127.0.0.1:8080' },
  },
});

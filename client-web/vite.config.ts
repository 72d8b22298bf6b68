import { defineConfig } from 'vite';

// The server serves the built client from its wwwroot; client-web.targets runs this build before the server's.
export default defineConfig({
  build: {
    outDir: '../server/wwwroot',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npm run dev` against a server on :5000 (hub WebSockets included).
    proxy: {
      '/api': 'http://localhost:5000',
      '/hubs': { target: 'ws://localhost:5000', ws: true },
    },
  },
});

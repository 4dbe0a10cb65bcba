/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The development server forwards API calls to a running `rampart serve`.
const serverPort = process.env.RAMPART_PORT ?? '8080';
const backend = `http://127.0.0.1:${serverPort}`;

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      output: {
        // One named chunk for the diagram editor and its libraries, loaded with the model pages.
        manualChunks(id) {
          if (/node_modules\/(@xyflow|@dagrejs|html-to-image|d3-)/.test(id) || id.includes('/src/editor/')) {
            return 'editor';
          }
          return undefined;
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.{ts,mjs}'],
    restoreMocks: true,
  },
});

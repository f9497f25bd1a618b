import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const page = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

// Three pages: the app (/), and the call and echo test pages the end-to-end
// tests drive. `ciphertalk serve` serves dist/ as its web root.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        main: page('index.html'),
        call: page('call.html'),
        echo: page('echo.html'),
      },
    },
  },
  server: {
    // `npm run dev` next to `ciphertalk serve --dev` on its default port.
    proxy: {
      '/rtc': { target: 'ws://127.0.0.1:7880', ws: true },
      '/api': 'http://127.0.0.1:7880',
      '^/echo(/.*)?$': 'http://127.0.0.1:7880',
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});

import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Two pages: the SMART launch page (authorize only) and the app (ready + UI). See docs/decisions/001.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        launch: here('launch/index.html'),
        client: here('client/index.html'),
      },
      // fhirclient's isomorphic-webcrypto shim mixes `module.exports` into an ES module; it works in the browser, and
      // the warning about it would be the first thing a newcomer reads on `npm start`. Every other warning shows.
      onwarn(warning, warn) {
        if (warning.code === 'COMMONJS_VARIABLE_IN_ESM' && warning.message.includes('isomorphic-webcrypto')) return;
        warn(warning);
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['{server,sandbox,fhir-profiles,launch,scripts,bench}/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['fhir-profiles/vitestGlobalSetup.ts', 'test/setup/buildWeb.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        resolve: {
          // fhirclient's package entry is its Node build; the app runs the browser one.
          alias: { fhirclient: 'fhirclient/lib/entry/browser.js' },
        },
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['client/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup/jsdom.ts'],
        },
      },
    ],
  },
});

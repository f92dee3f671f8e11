import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against the library's source; spawned CLI processes use the build (see test/global-setup.ts).
    alias: [
      {
        find: /^@mjolnir\/lib\/([a-z]+)$/,
        replacement: fileURLToPath(new URL('./lib/$1/index.ts', import.meta.url)),
      },
      { find: /^@mjolnir\/lib$/, replacement: fileURLToPath(new URL('./lib/index.ts', import.meta.url)) },
      { find: /^@mjolnir\/tui$/, replacement: fileURLToPath(new URL('./tui/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: [
      'lib/**/*.test.ts',
      'tui/**/*.test.ts',
      'tui/**/*.test.tsx',
      'cli/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/dist/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

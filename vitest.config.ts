import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/ingest/src/**/*.test.ts',
            'apps/cli/src/**/*.test.ts',
            'apps/dashboard/server/**/*.test.ts',
            'scripts/**/*.test.mjs',
          ],
        },
      },
      {
        // The dashboard's SvelteKit code: runes in `.svelte.ts` need the Svelte compiler, and
        // `$app/environment` (SvelteKit's) is a stub that says "browser".
        plugins: [svelte({ configFile: false })],
        resolve: {
          alias: {
            '$app/environment': fileURLToPath(
              new URL('./apps/dashboard/src/lib/test/app-environment.ts', import.meta.url),
            ),
          },
        },
        test: {
          name: 'dashboard',
          include: ['apps/dashboard/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'db',
          include: ['tests/db/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/**
 * The browser imports a few plain functions from @motcua/contract and @motcua/metrics (the
 * Wilson ranking, RFC 3339 parsing, the error envelope); their modules have no side effects,
 * so the client build drops what it does not use, among it the zod schemas of the contract
 * (~90 kB unminified that every wall display would download for nothing).
 */
const SIDE_EFFECT_FREE = /\/packages\/(contract|metrics)\/src\//;

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [sveltekit()],
  build: isSsrBuild
    ? {}
    : { rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !SIDE_EFFECT_FREE.test(id) } } },
}));

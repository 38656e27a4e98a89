import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// In development the Go server runs beside Vite; the SPA talks to it through
// this proxy so that every request stays same-origin, as in production.
const backend = 'http://127.0.0.1:8080';
const proxy = {
  '/api': backend,
  '/healthz': backend,
  '/readyz': backend,
};

export default defineConfig({
  plugins: [svelte()],
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
  build: {
    outDir: 'dist',
    // The polyfill is an inline <script>, which our CSP (script-src 'self') blocks.
    modulePreload: { polyfill: false },
    // Never turn assets into data: URLs: fonts and scripts from data: are blocked
    // by the CSP, and one rule for every asset is easier to reason about.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // A language's lazy chunks (src/lib/i18n.js, locale.js) are named for
        // it, lang-be-messages-*.js and lang-be-cldr-*.js, so that
        // scripts/check-dist.js can add the largest language to the budget.
        chunkFileNames(chunk) {
          const lang = chunk.facadeModuleId?.match(/\/src\/lib\/(messages|cldr)\/([a-z]+)\.json$/);
          return lang ? `assets/lang-${lang[2]}-${lang[1]}-[hash].js` : 'assets/[name]-[hash].js';
        },
      },
    },
  },
  test: {
    include: ['src/**/*.test.js'],
  },
});

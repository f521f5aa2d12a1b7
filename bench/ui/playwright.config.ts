import { defineConfig } from '@playwright/test';

import base from '../../tests/ui/playwright.config';

/**
 * The UI first-paint benchmark: the browser tests' JupyterLab and Chromium,
 * this folder's script, no timeout pressure (it measures, it asserts
 * nothing about time).
 */
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.bench.ts',
  globalSetup: require.resolve('../../tests/ui/jupyter-server'),
  timeout: 900_000,
  outputDir: '../../test-results/bench-ui',
  use: { ...base.use, viewport: { width: 1280, height: 800 } }
});

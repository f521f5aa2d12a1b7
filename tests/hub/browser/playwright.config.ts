import { defineConfig } from '@playwright/test';

/**
 * The team-mode browser test: JupyterLab behind a real JupyterHub, which
 * `tests/hub/test_team_browser.py` starts (with the `hub` fixture) before it
 * runs this config with the hub's URL in HUB_URL. Not part of `jlpm test:ui`,
 * whose global setup starts a plain JupyterLab instead.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../../test-results/hub',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    actionTimeout: 60_000,
    navigationTimeout: 120_000,
    screenshot: 'only-on-failure',
    trace: 'off',
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  }
});

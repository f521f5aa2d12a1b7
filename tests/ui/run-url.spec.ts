/**
 * The address a cell's plain-text output gives each run it logged
 * (`<server>/lab?labtrack-run=<run id>`, for front ends without labtrack's
 * renderer and exported notebooks) opens that run's page in JupyterLab.
 */
import { expect, test } from '@playwright/test';

import { seed, token, url } from './helpers';

let runId = '';

test.beforeAll(() => {
  runId = seed('one_run.py');
});

test('lab?labtrack-run=<id> opens the run page', async ({ page }) => {
  await page.goto(`${url()}lab?reset&labtrack-run=${runId}&token=${token()}`);
  const runPage = page.locator('.lt-RunPage');
  await expect(runPage.locator('.lt-RunPage-name-text')).toHaveText(
    'from-an-address',
    { timeout: 60_000 }
  );
});

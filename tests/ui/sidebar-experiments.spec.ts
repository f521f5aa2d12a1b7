/**
 * Experiments in the sidebar against a real server: a renamed notebook's
 * experiment follows it; create, rename, switch, delete; failures; dark theme.
 */
import { expect, test } from '@playwright/test';

import {
  api,
  execute,
  runFromPalette,
  runNames,
  saveScreenshot,
  twoRuns
} from './helpers';

test('renaming the notebook renames its experiment, which the sidebar follows', async ({
  page
}) => {
  await twoRuns(page, 'before-rename.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const name = sidebar.locator('.lt-ExperimentHeader-nameText');
  await expect(name).toHaveText('before-rename.ipynb');
  const id = await sidebar.locator('.lt-ExperimentHeader-idValue').innerText();

  await page.evaluate(() =>
    (window as any).jupyterapp.serviceManager.contents.rename(
      'before-rename.ipynb',
      'after-rename.ipynb'
    )
  );

  await expect(sidebar.locator('.lt-ExperimentHeader-notebookPath')).toHaveText(
    'after-rename.ipynb'
  );
  await expect(name).toHaveText('after-rename.ipynb', { timeout: 15_000 });
  await expect(sidebar.locator('.lt-ExperimentHeader-idValue')).toHaveText(id);
  expect(await runNames(page)).toEqual(['ridge-large', 'ridge-small']);
});

test('create, rename, switch to and delete experiments; back to the notebook’s', async ({
  page
}) => {
  await twoRuns(page, 'switching.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const name = sidebar.locator('.lt-ExperimentHeader-nameText');
  const dialog = page.locator('.jp-Dialog');

  await runFromPalette(page, 'labtrack: Create experiment');
  await dialog.locator('input').fill('shared-baselines');
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await expect(name).toHaveText('shared-baselines');
  await expect(sidebar.locator('.lt-EmptyState-title')).toHaveText(
    'No runs yet: run a cell that calls labtrack.start_run().'
  );
  const back = sidebar.locator('.lt-ExperimentHeader-back');
  await expect(back).toBeVisible();

  await sidebar.getByRole('button', { name: 'Rename this experiment' }).click();
  await dialog.locator('input').fill('shared-baselines-v2');
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await expect(name).toHaveText('shared-baselines-v2');

  await back.click();
  await expect(name).toHaveText('switching.ipynb');
  await expect(back).toBeHidden();

  // The switcher: a list narrowed by a filter.
  await sidebar.locator('.lt-ExperimentHeader-name').click();
  const switcher = sidebar.locator('.lt-ExperimentSwitcher');
  await expect(switcher).toBeVisible();
  await switcher.locator('input').fill('baselines');
  await expect(switcher.locator('.lt-ExperimentSwitcher-name')).toHaveText([
    'shared-baselines-v2'
  ]);
  await switcher.locator('input').fill('');
  await expect(
    switcher.locator('.lt-ExperimentSwitcher-name', { hasText: 'switching' })
  ).toBeVisible();
  await saveScreenshot(page, 'sidebar-switcher.png');
  await switcher.locator('input').fill('baselines');
  await switcher.locator('input').press('Enter');
  await expect(name).toHaveText('shared-baselines-v2');

  await sidebar.getByRole('button', { name: 'Delete this experiment' }).click();
  await dialog.locator('.jp-Dialog-button.jp-mod-warn').click();
  await expect(name).toHaveText('switching.ipynb');
  const deleted = await api(
    page,
    'GET',
    'labtrack/api/experiments?view=deleted'
  );
  expect(deleted.experiments.map((e: any) => e.name)).toContain(
    'shared-baselines-v2'
  );
});

test('a failing server shows why, and the runs come back when it recovers', async ({
  page
}) => {
  await twoRuns(page, 'flaky-server.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const failing = async (route: any): Promise<void> => {
    await route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({
        error_code: 'STORE_ERROR',
        message: 'The store is unreachable'
      })
    });
  };
  await page.route('**/labtrack/api/runs?*', failing);
  await page.route('**/labtrack/api/changes?*', failing);

  // Rows already shown stay, under the reason they may be stale.
  await sidebar.getByRole('button', { name: 'Refresh runs' }).click();
  await expect(sidebar.locator('.lt-RunsSection-error')).toHaveText(
    'Cannot update the runs: The store is unreachable'
  );
  expect(await runNames(page)).toEqual(['ridge-large', 'ridge-small']);

  // An experiment whose runs cannot be read at all says so instead of a table.
  await api(page, 'POST', 'labtrack/api/experiments', { name: 'unreadable' });
  await sidebar.locator('.lt-ExperimentHeader-name').click();
  const switcher = sidebar.locator('.lt-ExperimentSwitcher');
  await switcher.locator('input').fill('unreadable');
  await expect(switcher.locator('.lt-ExperimentSwitcher-item')).toHaveCount(1);
  await switcher.locator('input').press('Enter');
  await expect(sidebar.locator('.lt-EmptyState.lt-mod-error')).toContainText(
    'Cannot load the runs: The store is unreachable'
  );
  await saveScreenshot(page, 'sidebar-error.png');

  await page.unroute('**/labtrack/api/runs?*');
  await page.unroute('**/labtrack/api/changes?*');
  await expect(sidebar.locator('.lt-EmptyState-title')).toHaveText(
    'No runs yet: run a cell that calls labtrack.start_run().',
    { timeout: 10_000 }
  );
  await sidebar.locator('.lt-ExperimentHeader-back').click();
  await expect
    .poll(() => runNames(page))
    .toEqual(['ridge-large', 'ridge-small']);
  await expect(sidebar.locator('.lt-RunsSection-error')).toHaveCount(0);
});

test('the runs table follows the dark theme', async ({ page }) => {
  await twoRuns(page, 'dark.ipynb');
  await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
  await expect(
    page.locator('body[data-jp-theme-light="false"]')
  ).toBeAttached();
  // The theme change shows the splash screen for a moment.
  await expect(page.locator('#jupyterlab-splash')).toHaveCount(0);
  const sidebar = page.locator('#labtrack-sidebar');
  const cell = sidebar.locator('.lt-RunsTable-name').first();
  const rgb = async (what: Promise<string>): Promise<number[]> =>
    ((await what).match(/\d+/g) ?? []).slice(0, 3).map(Number);

  // Light text on a dark panel.
  await expect
    .poll(async () =>
      (await rgb(cell.evaluate(el => getComputedStyle(el).color))).every(
        c => c > 150
      )
    )
    .toBe(true);
  const background = await rgb(
    sidebar.evaluate(el => getComputedStyle(el).backgroundColor)
  );
  expect(background.every(c => c < 100)).toBe(true);
  await saveScreenshot(page, 'sidebar-dark.png');
  await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Light' });
  await expect(page.locator('body[data-jp-theme-light="true"]')).toBeAttached();
});

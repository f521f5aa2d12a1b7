/**
 * The output a notebook cell shows after it ended runs, in a real
 * JupyterLab: "Logged N runs to experiment ..." with the run names as links
 * to their run pages and the experiment's name showing it in the sidebar;
 * one output per cell; in the light and dark themes.
 */
import { expect, Page, test } from '@playwright/test';

import {
  createNotebook,
  openNotebook,
  runCell,
  saveScreenshot
} from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

const NOTEBOOK = 'cell-runs.ipynb';
const CELLS = [
  'import labtrack as mlflow',
  "for alpha in (0.1, 0.5):\n    with mlflow.start_run(run_name=f'ridge-{alpha}'):\n        mlflow.log_param('alpha', alpha)\n        mlflow.log_metric('rmse', 1 - alpha)"
];

const cell = (page: Page, index: number) =>
  page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').nth(index);

for (const theme of THEMES) {
  test(`a cell that logged runs links to them, ${theme} theme`, async ({
    page
  }) => {
    const name = `${theme}-${NOTEBOOK}`;
    await createNotebook(page, name, CELLS);
    await openNotebook(page, name);
    await setTheme(page, theme);
    await runCell(page, 0);
    await runCell(page, 1);

    const output = cell(page, 1).locator('.lt-CellRuns');
    await expect(output.locator('.lt-CellRuns-head')).toHaveText(
      `Logged 2 runs to experiment ${name}`,
      { timeout: 60_000 }
    );
    // One output for the cell, not one per run; the plain text is not shown.
    await expect(cell(page, 1).locator('.lt-CellRunsOutput')).toHaveCount(1);
    await expect(cell(page, 1).locator('.jp-OutputArea')).not.toContainText(
      'run id'
    );
    const links = output.locator('.lt-CellRuns-list .lt-RunLink');
    await expect(links).toHaveText(['ridge-0.1', 'ridge-0.5']);
    await expect(page.locator('#jupyterlab-splash')).toHaveCount(0);
    await saveScreenshot(page, `cell-runs-${theme}.png`);
    await expectReadable(page, '.lt-CellRuns');

    // The run's name opens its run page.
    await links.nth(1).click();
    await expect(page.locator('.lt-RunPage').last()).toContainText(
      'ridge-0.5',
      { timeout: 30_000 }
    );

    // The experiment's name shows it in the (closed) sidebar.
    await page.locator('.lm-TabBar-tab', { hasText: name }).first().click();
    const sidebar = page.locator('#labtrack-sidebar');
    await expect(sidebar).toBeHidden();
    await output.locator('.lt-CellRuns-head .lt-RunLink').click();
    await expect(sidebar).toBeVisible();
    await expect(sidebar.locator('.lt-RunsTable-row')).toHaveCount(2, {
      timeout: 30_000
    });
  });
}

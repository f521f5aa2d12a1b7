/**
 * The inline runs table (`show_runs()`, what `%runs` shows) in a real
 * JupyterLab, light and dark: the name first, metrics before params, and a
 * run without a metric shows a blank there, not "NaN". The grid draws on a
 * canvas, so the columns are checked in the kernel and the cells by the
 * screenshots.
 */
import { expect, Page, test } from '@playwright/test';

import {
  cellOutput,
  createNotebook,
  openNotebook,
  runCell,
  saveScreenshot
} from './helpers';
import { setTheme, THEMES } from './themes';

const CELLS = [
  'import labtrack as mlflow\n' +
    "for alpha in (0.1, 0.5):\n    with mlflow.start_run(run_name=f'ridge-{alpha}'):\n" +
    "        mlflow.log_param('alpha', alpha)\n        mlflow.log_metric('rmse', 1 - alpha)\n" +
    "with mlflow.start_run(run_name='no-metric'):\n    mlflow.log_param('alpha', 0.9)",
  'table = mlflow.widgets.show_runs()\ntable',
  "print(list(table.frame.columns)[:3], table.frame['metrics.rmse'].isna().sum())"
];

const cell = (page: Page, index: number) =>
  page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').nth(index);

for (const theme of THEMES) {
  test(`show_runs: name, metrics, then params; blanks not NaN, ${theme} theme`, async ({
    page
  }) => {
    const name = `inline-runs-${theme}.ipynb`;
    await createNotebook(page, name, CELLS);
    await openNotebook(page, name);
    await setTheme(page, theme);
    for (const i of [0, 1, 2]) {
      await runCell(page, i);
    }
    await expect
      .poll(() => cellOutput(page, 2), { timeout: 60_000 })
      .toContain("['name', 'metrics.rmse', 'params.alpha'] 1");
    const grid = cell(page, 1).locator('.p-DataGrid, .lm-DataGrid').first();
    await expect(grid).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('#jupyterlab-splash')).toHaveCount(0);
    await saveScreenshot(page, `inline-runs-${theme}.png`, cell(page, 1));
  });
}

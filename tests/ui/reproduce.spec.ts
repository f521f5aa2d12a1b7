/**
 * "Reproduce run" against a real JupyterLab, kernel and server: a notebook
 * run with a parameters cell is reproduced from its run page with a changed
 * param; the dialog shows the progress, the drift and a link to the new run,
 * and a failing cell's error.
 */
import { expect, Page, test } from '@playwright/test';

import {
  api,
  cellOutput,
  createNotebook,
  execute,
  openNotebook,
  runCell,
  runNewCell,
  saveScreenshot
} from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

const CELLS = [
  'import labtrack as mlflow',
  'n = 3\nalpha = 0.5',
  'assert n > 0, "n must be positive"',
  `with mlflow.start_run(run_name="train") as run:
    mlflow.log_params({"n": n, "alpha": alpha})
    mlflow.log_metric("score", alpha * n)
print("RUN", run.info.run_id)`
];

/** Make the run's recorded environment list a package not installed here. */
const OTHER_ENVIRONMENT = (runId: string) => `import json, platform
from labtrack.entities import RunTag
client = mlflow.MlflowClient()
env = {"python": platform.python_version(), "packages": {"no-such-package-here": "1.0"}}
digest = client.store.put_blob("environment", json.dumps(env).encode())
client.store.log_batch("${runId}", tags=[RunTag("labtrack.environment.revision", digest)], allow_terminated=True)
print("recorded")`;

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

/** Open the dialog from the visible run page; wait for its params. */
async function openDialog(page: Page) {
  await current(page).locator('.lt-Reproduce-button').click();
  const dialog = page.locator('.jp-Dialog .lt-Reproduce');
  await expect(dialog.locator('.lt-Reproduce-param')).toHaveCount(2);
  return dialog;
}

test('a run is reproduced from its run page with a changed param', async ({
  page
}) => {
  // Two notebook executions in fresh kernels on a busy machine.
  test.setTimeout(360_000);
  await createNotebook(page, 'reproduce.ipynb', CELLS, { 1: ['parameters'] });
  await openNotebook(page, 'reproduce.ipynb');
  for (let i = 0; i < CELLS.length; i++) {
    await runCell(page, i);
  }
  await expect
    .poll(() => cellOutput(page, 3), { timeout: 60_000 })
    .toMatch(/RUN [0-9a-f]{32}/);
  const runId = (await cellOutput(page, 3)).match(/RUN ([0-9a-f]{32})/)![1];
  await expect
    .poll(
      async () =>
        (await api(page, 'GET', `labtrack/api/runs/${runId}`)).data.tags[
          'labtrack.notebook.revision'
        ] ?? '',
      { timeout: 60_000 }
    )
    .not.toBe('');
  await runNewCell(page, OTHER_ENVIRONMENT(runId));
  await expect
    .poll(() => cellOutput(page, CELLS.length), { timeout: 60_000 })
    .toContain('recorded');

  await execute(page, 'labtrack:open-run', { runId });
  await expect(current(page).locator('.lt-RunPage-name-text')).toHaveText(
    'train'
  );
  let dialog = await openDialog(page);
  const input = (name: string) =>
    dialog.locator(`.lt-Reproduce-param[data-param="${name}"] input`);
  await expect(input('n')).toHaveValue('3');
  await expect(input('alpha')).toHaveValue('0.5');
  const environment = dialog.locator('.lt-Reproduce-environment');
  await expect(environment).toContainText('1 package differs');
  await expect(environment.locator('li')).toHaveText([
    'no-such-package-here 1.0 → not installed'
  ]);

  // A value of the wrong kind is refused, with what to send instead.
  await input('n').fill('many');
  await dialog.locator('.lt-Reproduce-start').click();
  await expect(dialog.locator('.lt-Reproduce-message')).toContainText(
    "'n' takes a number (the notebook's default is 3); got 'many'"
  );

  await input('n').fill('5');
  await input('n').press('Enter');
  await expect(dialog.locator('.lt-Reproduce-progress')).toBeVisible();
  await expect(dialog.locator('.lt-Reproduce-changed')).toHaveText(
    'Changed: n = 5'
  );
  await expect(dialog.locator('.lt-Reproduce-progressLabel')).toHaveText(
    'Done: 5 cells run',
    { timeout: 120_000 }
  );
  const drift = dialog.locator('.lt-Reproduce-drift tbody tr');
  await expect(drift).toHaveCount(1);
  await expect(drift.locator('th, td')).toHaveText([
    'score',
    '1.5',
    '2.5',
    '+1'
  ]);
  await saveScreenshot(page, 'reproduce.png');

  // The finished dialog in both themes, 1024 x 700: screenshot and contrast.
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const theme of THEMES) {
    await setTheme(page, theme);
    await saveScreenshot(page, `real-reproduce-${theme}.png`);
    await expectReadable(page, '.jp-Dialog .lt-Reproduce');
  }
  await setTheme(page, 'light');

  // The link opens the new run's page: the changed param, the link back.
  await dialog.locator('.lt-Reproduce-openRun').click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  const newPage = current(page).locator('.lt-RunPage');
  await expect(newPage.locator('.lt-RunPage-info code')).not.toHaveText(runId);
  const params = newPage.locator('.lt-RunPage-params tr');
  await expect(params.filter({ hasText: 'alpha' }).locator('td')).toHaveText(
    '0.5'
  );
  await expect(params.filter({ hasText: /^n/ }).locator('td')).toHaveText('5');
  const newRunId = await newPage.locator('.lt-RunPage-info code').innerText();
  const newRun = await api(page, 'GET', `labtrack/api/runs/${newRunId}`);
  expect(newRun.data.tags['labtrack.reproducedFrom']).toBe(runId);

  // Reproducing the reproduction keeps its values; a failing cell shows its error.
  dialog = await openDialog(page);
  await expect(input('n')).toHaveValue('5');
  await expect(dialog.locator('.lt-Reproduce-environment')).toHaveCount(0);
  await input('n').fill('-1');
  await dialog.locator('.lt-Reproduce-start').click();
  await expect(dialog.locator('.lt-Reproduce-errorTitle')).toHaveText(
    'Cell 4 raised AssertionError: n must be positive',
    { timeout: 120_000 }
  );
  await expect(dialog.locator('.lt-Reproduce-traceback')).toContainText(
    'assert n > 0'
  );
  await expect(dialog.locator('.lt-Reproduce-progressLabel')).toHaveText(
    'Stopped at cell 4 of 5'
  );
  await dialog.locator('.lt-Reproduce-close').click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
});

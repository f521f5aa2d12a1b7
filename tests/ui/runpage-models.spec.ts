/**
 * The run page's Datasets and Logged models sections (MLflow 3) against a
 * real JupyterLab: a run logged in Python with a dataset input and a logged
 * model, whose files are kept with the model and browsed from the page.
 */
import { expect, test } from '@playwright/test';

import { execute, openLab, saveScreenshot, seed } from './helpers';

let logged: { run_id: string; model_id: string; digest: string };

test.beforeAll(() => {
  logged = JSON.parse(seed('runpage_models.py'));
});

test("a run page shows the run's datasets and its logged model's files", async ({
  page
}) => {
  await openLab(page);
  await execute(page, 'labtrack:open-run', { runId: logged.run_id });
  const runPage = page.locator('.lt-RunPage');

  const dataset = runPage.locator('.lt-Datasets-row');
  await expect(dataset).toHaveCount(1);
  const cells = dataset.locator('th, td');
  await expect(cells.nth(0)).toHaveText('train');
  await expect(cells.nth(1)).toHaveText('training');
  await expect(cells.nth(2)).toHaveText(logged.digest);
  await expect(cells.nth(3)).toHaveText('data/train.csv');
  await expect(cells.nth(4)).toHaveText('4');
  await dataset.locator('summary').click();
  await expect(dataset.locator('.lt-Datasets-schema li')).toHaveText([
    'x: double',
    'y: double'
  ]);

  const model = runPage.locator('.lt-LoggedModels-row');
  await expect(model).toHaveCount(1);
  await expect(model.locator('th')).toHaveText('regressor');
  await expect(model.locator('code')).toHaveText(logged.model_id);
  await expect(model.locator('.lt-Status')).toHaveText('ready');

  await model.locator('.lt-LoggedModels-files').click();
  const files = runPage.locator('.lt-LoggedModels .lt-Artifacts');
  const mlmodel = files.locator('.lt-Artifacts-item', { hasText: /^MLmodel/ });
  await expect(mlmodel).toBeVisible();
  await mlmodel.click();
  await expect(files.locator('.lt-Preview')).toContainText(logged.model_id);
  await saveScreenshot(page, 'run-page-models.png');
  await model.locator('.lt-LoggedModels-files').click();
  await expect(files).toHaveCount(0);
});

/**
 * Plain MLflow in a notebook: a kernel of MLflow 2.22's venv (with labtrack's
 * MLflow plugin, found through its entry points) runs real
 * `mlflow.sklearn.autolog()`, logging through the server's MLflow API, and the
 * run shows in the sidebar in the notebook's own experiment.
 *
 * The kernelspec exists for this test only: it is written into the test
 * server's environment before the notebook opens and removed after. Its `env`
 * gives the kernel MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN (what
 * `c.Labtrack.mlflow_kernel_env` does for every kernel).
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import {
  api,
  cellOutput,
  openNotebook,
  openSidebar,
  runCell,
  runFixture,
  saveScreenshot,
  token,
  url
} from './helpers';

const KERNEL = 'labtrack-mlflow-test';
const NOTEBOOK = 'mlflow-autolog.ipynb';
const KERNELS = path.join(
  __dirname,
  '..',
  '..',
  '.venv',
  'share',
  'jupyter',
  'kernels'
);

// Datasets (runs/log-inputs) are not served yet: autolog's default
// log_datasets=True would end the run FAILED.
const CELL = `import mlflow, numpy as np
from sklearn.linear_model import Ridge
mlflow.sklearn.autolog(log_datasets=False, silent=True)
x = np.arange(40.0).reshape(20, 2)
Ridge(alpha=0.3).fit(x, x.sum(axis=1))
print("fitted", mlflow.last_active_run().info.run_id)`;

test('sklearn autolog of plain MLflow lands in the notebook experiment', async ({
  page
}) => {
  // The first run of the suite makes MLflow's venv (minutes); later runs reuse it.
  test.setTimeout(20 * 60_000);
  const { python } = runFixture('mlflow_kernel.py');
  const spec = path.join(KERNELS, KERNEL);
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(
    path.join(spec, 'kernel.json'),
    JSON.stringify({
      argv: [python, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: 'MLflow 2 (labtrack test)',
      language: 'python',
      env: {
        MLFLOW_TRACKING_URI: `${url()}labtrack/mlflow`,
        MLFLOW_TRACKING_TOKEN: token(),
        MLFLOW_DISABLE_TELEMETRY: 'true',
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '60'
      }
    })
  );
  try {
    await api(page, 'PUT', `api/contents/${NOTEBOOK}`, {
      type: 'notebook',
      format: 'json',
      content: {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {
          kernelspec: {
            name: KERNEL,
            display_name: 'MLflow 2 (labtrack test)',
            language: 'python'
          },
          language_info: { name: 'python' }
        },
        cells: [
          {
            cell_type: 'code',
            id: 'autolog',
            metadata: {},
            source: CELL,
            outputs: [],
            execution_count: null
          }
        ]
      }
    });
    await openNotebook(page, NOTEBOOK);
    const sidebar = await openSidebar(page);

    await runCell(page, 0);

    await expect
      .poll(() => cellOutput(page, 0), { timeout: 240_000 })
      .toContain('fitted');
    const runId = (await cellOutput(page, 0)).trim().split(/\s+/).pop();
    const row = sidebar.locator(`.lt-RunsTable-row[data-run-id="${runId}"]`);
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(sidebar.locator('.lt-ExperimentHeader-nameText')).toHaveText(
      NOTEBOOK
    );
    await expect(row.locator('td[data-column="params.alpha"]')).toHaveText(
      '0.3'
    );
    await expect(row.locator('.lt-StatusDot.lt-mod-finished')).toBeVisible();
    const run = await api(page, 'GET', `labtrack/api/runs/${runId}`);
    expect(Object.keys(run.data.metrics)).toContain('training_score');
    expect(run.data.tags['labtrack.kernel.id']).toBeTruthy();
    await saveScreenshot(page, 'sidebar-mlflow-autolog.png');
  } finally {
    fs.rmSync(spec, { recursive: true, force: true });
  }
});

/**
 * "Diff with current notebook" on a run made by a notebook cell, after what
 * users do to notebooks and tabs: the notebook renamed since the run (the
 * server renamed its experiment; the run still names the old path), and the
 * diff tab closed then asked for again.
 */
import { expect, Page, test } from '@playwright/test';

import {
  api,
  cellOutput,
  execute,
  openNotebook,
  runCell,
  saveScreenshot
} from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

const CELL = `import labtrack as mlflow
with mlflow.start_run(run_name="wren") as run:
    mlflow.log_metric("loss", 0.5)
print(run.info.run_id)`;

/** A notebook with a notebook id (as the sidebar gives them) and one cell. */
async function writeNotebook(page: Page, path: string): Promise<void> {
  await api(page, 'PUT', `api/contents/${encodeURI(path)}`, {
    type: 'notebook',
    format: 'json',
    content: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: {
          name: 'python3',
          display_name: 'Python 3 (ipykernel)',
          language: 'python'
        },
        language_info: { name: 'python' },
        labtrack: { notebook_id: `nb-${path.replace(/\W/g, '-')}` }
      },
      cells: [
        {
          cell_type: 'code',
          id: 'cell-0',
          metadata: {},
          source: CELL,
          outputs: [],
          execution_count: null
        }
      ]
    }
  });
}

/** Run the notebook's cell; close it unsaved; the run's id once it finished. */
async function runOnce(page: Page, path: string): Promise<string> {
  await writeNotebook(page, path);
  await openNotebook(page, path);
  await runCell(page, 0);
  await expect
    .poll(async () => (await cellOutput(page, 0)).trim(), { timeout: 60_000 })
    .toMatch(/^[0-9a-f]{32}$/);
  const runId = (await cellOutput(page, 0)).trim();
  await expect
    .poll(
      async () =>
        (await api(page, 'GET', `labtrack/api/runs/${runId}`)).info.status,
      { timeout: 30_000 }
    )
    .toBe('FINISHED');
  await page.evaluate(async () => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    panel.context.model.dirty = false;
    await panel.close();
  });
  return runId;
}

async function openRunPage(page: Page, runId: string): Promise<void> {
  await execute(page, 'labtrack:open-run', { runId });
  await expect(page.locator('.lt-RunPage-name-text')).toHaveText('wren', {
    timeout: 30_000
  });
}

const diffTab = (page: Page) => page.locator('.lt-FileDiff');

test('diff with the current notebook follows a notebook renamed since the run', async ({
  page
}) => {
  const runId = await runOnce(page, 'diff-before-move.ipynb');
  await api(page, 'PATCH', 'api/contents/diff-before-move.ipynb', {
    path: 'diff-after-move.ipynb'
  });
  // The server renames the notebook's experiment after the file.
  await expect
    .poll(
      async () => {
        const run = await api(page, 'GET', `labtrack/api/runs/${runId}`);
        const experiment = await api(
          page,
          'GET',
          `labtrack/api/experiments/${run.info.experiment_id}`
        );
        return experiment.name;
      },
      { timeout: 30_000 }
    )
    .toBe('diff-after-move.ipynb');

  await openRunPage(page, runId);
  await page.locator('.lt-NotebookVersion-diff').click();

  await expect(diffTab(page).locator('.lt-FileDiff-path')).toHaveText(
    'diff-after-move.ipynb'
  );
  await expect(
    diffTab(page).locator('.lt-DiffText, .lt-NotebookDiff-text').first()
  ).toBeVisible({
    timeout: 30_000
  });
  await expect(diffTab(page)).not.toContainText('No notebook at');
});

test('a closed diff tab opens again from the run page', async ({ page }) => {
  const runId = await runOnce(page, 'close-diff.ipynb');
  await openRunPage(page, runId);
  const button = page.locator('.lt-NotebookVersion-diff');
  await button.click();
  await expect(diffTab(page)).toBeVisible({ timeout: 30_000 });
  await expect(diffTab(page)).toContainText('close-diff.ipynb');

  // Close the tab as a user does: its close icon.
  await page
    .locator(
      '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon'
    )
    .click();
  await expect(diffTab(page)).toHaveCount(0);
  await expect(page.locator('.lt-RunPage')).toBeVisible();

  await button.click();

  await expect(diffTab(page)).toBeVisible({ timeout: 30_000 });
  await expect(diffTab(page)).toContainText('close-diff.ipynb');

  // The diff tab in both themes, 1024 x 700: screenshot and contrast.
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const theme of THEMES) {
    await setTheme(page, theme);
    await saveScreenshot(page, `real-file-diff-${theme}.png`);
    await expectReadable(page, '.lt-FileDiff');
  }
  await setTheme(page, 'light');
});

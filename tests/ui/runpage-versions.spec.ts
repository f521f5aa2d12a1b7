/**
 * A run's notebook version on its run page, against a real JupyterLab, kernel
 * and server: the run is made by running a notebook cell; its version opens
 * read-only, diffs with the notebook on disk, and is restored as a new
 * notebook. The metric charts switch to one chart per metric.
 */
import { expect, Page, test } from '@playwright/test';

import {
  api,
  cellOutput,
  createNotebook,
  execute,
  openNotebook,
  runCell,
  saveScreenshot
} from './helpers';

const NOTEBOOK = 'version-demo.ipynb';
const CELL = `import labtrack as mlflow
with mlflow.start_run(run_name="owl") as run:
    for step in range(6):
        mlflow.log_metric("loss", 1 / (step + 1), step=step)
        mlflow.log_metric("acc", step / 6, step=step)
print(run.info.run_id)`;

const CURRENT_TAB =
  '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel';

/** The run page of a run made by running the one cell of NOTEBOOK. */
async function runFromNotebook(page: Page): Promise<string> {
  await createNotebook(page, NOTEBOOK, [CELL]);
  await openNotebook(page, NOTEBOOK);
  await runCell(page, 0);
  await expect
    .poll(async () => (await cellOutput(page, 0)).trim(), { timeout: 30_000 })
    .toMatch(/^[0-9a-f]{32}$/);
  const runId = (await cellOutput(page, 0)).trim();
  await expect
    .poll(
      async () =>
        (await api(page, 'GET', `labtrack/api/runs/${runId}`)).info.status,
      { timeout: 30_000 }
    )
    .toBe('FINISHED');
  // Closed unsaved: no autosave can later write over the edits the test makes.
  await page.evaluate(async () => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    panel.context.model.dirty = false;
    await panel.close();
  });
  await execute(page, 'labtrack:open-run', { runId });
  await expect(page.locator('.lt-RunPage-name-text')).toHaveText('owl', {
    timeout: 30_000
  });
  return runId;
}

/** The notebook's cells' sources, as stored on disk. */
async function diskSources(page: Page, path: string): Promise<string[]> {
  const model = await api(page, 'GET', `api/contents/${encodeURI(path)}`);
  return model.content.cells.map((c: any) =>
    Array.isArray(c.source) ? c.source.join('') : c.source
  );
}

test("a run's notebook version opens read-only, diffs with the file on disk and restores as a new notebook", async ({
  page
}) => {
  const runId = await runFromNotebook(page);
  const runPage = page.locator('.lt-RunPage');

  // Open this version: a notebook panel, no kernel, cells not editable.
  await runPage.locator('.lt-NotebookVersion-open').click();
  const version = page.locator('.jp-NotebookPanel.lt-VersionNotebook');
  await expect(version).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(CURRENT_TAB)).toHaveText(`${NOTEBOOK} @ run owl`);
  await expect(version.locator('.jp-Cell .jp-InputArea-editor')).toContainText(
    'mlflow.start_run(run_name="owl")'
  );
  await expect(
    version.locator('.jp-Cell .cm-editor.jp-mod-readOnly')
  ).toHaveCount(1);
  // Notebook commands act on tracked notebooks only: no cell is added here.
  await version.locator('.jp-Cell .jp-InputPrompt').click();
  await page.keyboard.press('b');
  await page.keyboard.press('Escape');
  await expect(version.locator('.jp-Cell')).toHaveCount(1);
  const state = await page.evaluate(async () => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    const saved = await panel.context.save().then(
      () => 'saved',
      (reason: any) => String(reason?.message ?? reason)
    );
    return {
      readOnly: panel.context.model.readOnly,
      cellsReadOnly: panel.content.widgets.map((cell: any) => cell.readOnly),
      kernel: panel.sessionContext.session?.kernel?.id ?? null,
      saved
    };
  });
  expect(state).toEqual({
    readOnly: true,
    cellsReadOnly: [true],
    kernel: null,
    saved: expect.stringContaining('read-only')
  });
  // Saving tells the user why not, and where to get an editable copy.
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Restore as a new notebook');
  await dialog.locator('.jp-Dialog-button').last().click();
  await expect(dialog).toHaveCount(0);
  await saveScreenshot(page, 'run-version.png');

  // Edit the notebook on disk, then diff: the changed cell shows.
  const original = await diskSources(page, NOTEBOOK);
  await api(page, 'PUT', `api/contents/${NOTEBOOK}`, {
    type: 'notebook',
    format: 'json',
    content: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'cell-0',
          metadata: {},
          source: CELL.replace('run_name="owl"', 'run_name="lark"'),
          outputs: [],
          execution_count: null
        }
      ]
    }
  });
  await execute(page, 'labtrack:open-run', { runId });
  await runPage.locator('.lt-NotebookVersion-diff').click();
  const diff = page.locator('.lt-FileDiff');
  await expect(diff.locator('.lt-FileDiff-path')).toHaveText(NOTEBOOK);
  await expect(diff.locator('.lt-NotebookDiff-text .lt-mod-add')).toContainText(
    ['run_name="lark"'],
    { timeout: 30_000 }
  );
  await expect(
    diff.locator('.lt-NotebookDiff-text .lt-mod-remove')
  ).toContainText(['run_name="owl"']);
  await saveScreenshot(page, 'run-notebook-diff.png');

  // Restore: a new notebook next to the source, opened, holding the version.
  await execute(page, 'labtrack:open-run', { runId });
  await runPage.locator('.lt-NotebookVersion-restore').click();
  const restored = 'version-demo-restored-owl.ipynb';
  await expect(page.locator(CURRENT_TAB)).toHaveText(restored, {
    timeout: 30_000
  });
  await expect(
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').first()
  ).toContainText('run_name="owl"');
  expect(await diskSources(page, restored)).toEqual(original);
  expect((await diskSources(page, NOTEBOOK))[0]).toContain('run_name="lark"');
});

test('metric charts: chosen metrics overlaid, or one chart per metric', async ({
  page
}) => {
  const runId = await runFromNotebook(page);
  expect(runId).toMatch(/^[0-9a-f]{32}$/);
  const chart = page.locator('.lt-RunPage .lt-MetricChart');
  const plots = chart.locator('.js-plotly-plot');
  await expect(plots).toHaveCount(1);
  await chart.locator('.lt-MetricChart-key', { hasText: 'loss' }).click();
  await expect(plots.first().locator('.scatterlayer .trace')).toHaveCount(2);

  await chart.locator('.lt-MetricChart-split').check();
  await expect(plots).toHaveCount(2);
  await expect(chart.locator('.lt-MetricChart-grid .gtitle')).toHaveText([
    'acc',
    'loss'
  ]);
  for (const plot of await plots.all()) {
    await expect(plot.locator('.scatterlayer .trace')).toHaveCount(1);
  }
  // The options apply to every small chart.
  await chart.locator('.lt-MetricChart-smoothing').fill('0.8');
  for (const plot of await plots.all()) {
    await expect(plot.locator('.scatterlayer .trace')).toHaveCount(2);
  }
  await saveScreenshot(page, 'run-page-small-multiples.png', chart);
  await chart.locator('.lt-MetricChart-log').check();
  await chart.locator('.lt-MetricChart-axis').selectOption('relative');
  for (const plot of await plots.all()) {
    await expect(plot.locator('.xtitle')).toHaveText('seconds since start');
    await expect(plot.locator('.ytick').first()).toBeVisible();
  }

  await chart.locator('.lt-MetricChart-split').uncheck();
  await expect(plots).toHaveCount(1);
  await expect(plots.first().locator('.scatterlayer .trace')).toHaveCount(4);
});

/**
 * The Experiment sidebar against a real JupyterLab, kernel and server: a
 * notebook's runs appear live, its live notebook is stored with them, HTML in
 * names stays text, and 10,000 runs open fast.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {
  api,
  cellOutput,
  expectRunNames,
  home,
  notebookWithSidebar,
  runCell,
  runNames,
  saveScreenshot,
  TWO_RUNS,
  widenSidebar
} from './helpers';

test('runs logged by a cell appear in the sidebar without a reload', async ({
  page
}) => {
  await notebookWithSidebar(page, 'live-runs.ipynb', [TWO_RUNS]);
  const sidebar = page.locator('#labtrack-sidebar');
  await expect(sidebar.locator('.lt-EmptyState-title')).toHaveText(
    'No runs yet: run a cell that calls labtrack.start_run().'
  );
  await saveScreenshot(page, 'sidebar-empty.png');
  const navigations: string[] = [];
  page.on('framenavigated', frame => navigations.push(frame.url()));

  await runCell(page, 0);

  await expectRunNames(page, ['ridge-large', 'ridge-small']);
  expect(navigations).toEqual([]);
  await expect(sidebar.locator('.lt-ExperimentHeader-nameText')).toHaveText(
    'live-runs.ipynb'
  );
  const experimentId = await sidebar
    .locator('.lt-ExperimentHeader-idValue')
    .innerText();
  expect(experimentId).toMatch(/^\d+$/);
  await expect(
    sidebar.locator('.lt-RunsTable-status .lt-StatusDot').first()
  ).toHaveAttribute('aria-label', 'finished');
  // Default columns: the metrics, then the params whose values differ
  // (solver is svd in both runs), values as logged.
  const headers = () =>
    sidebar
      .locator('.lt-RunsTable-head')
      .evaluateAll(ths => ths.map(th => th.getAttribute('data-column')));
  await expect
    .poll(headers)
    .toEqual([
      'status',
      'run_name',
      'metrics.r2',
      'metrics.rmse',
      'params.alpha',
      'start_time',
      'duration',
      'user_id'
    ]);
  const row = sidebar.locator('.lt-RunsTable-row', { hasText: 'ridge-small' });
  await expect(row.locator('td[data-column="metrics.rmse"]')).toHaveText('0.9');
  await expect(row.locator('td[data-column="params.alpha"]')).toHaveText('0.1');
  expect(await cellOutput(page, 0)).toContain('logged');

  // The notebook got an id (an unsaved edit), which names its experiment.
  const notebookId = await page.evaluate(() => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    return {
      id: panel.context.model.getMetadata('labtrack')?.notebook_id,
      dirty: panel.context.model.dirty
    };
  });
  expect(notebookId.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(notebookId.dirty).toBe(true);
  const experiment = await api(
    page,
    'GET',
    `labtrack/api/experiments/${experimentId}`
  );
  expect(experiment.tags['labtrack.notebook.id']).toBe(notebookId.id);

  await widenSidebar(page, 260);
  await saveScreenshot(page, 'sidebar-runs.png');

  // With run pages installed, a run's name opens its page.
  await page.evaluate(() => {
    const commands = (window as any).jupyterapp.commands;
    if (!commands.hasCommand('labtrack:open-run')) {
      commands.addCommand('labtrack:open-run', { execute: () => undefined });
    }
    const execute = commands.execute.bind(commands);
    commands.execute = (id: string, args: unknown) => {
      if (id === 'labtrack:open-run') {
        (window as any).__opened = args;
        return Promise.resolve();
      }
      return execute(id, args);
    };
  });
  await row.locator('.lt-RunsTable-open').click();
  const runId = await row.getAttribute('data-run-id');
  expect(await page.evaluate(() => (window as any).__opened)).toEqual({
    runId
  });
});

test('a running run updates within the poll interval; its live notebook is stored at start and end', async ({
  page
}) => {
  await notebookWithSidebar(page, 'live-metric.ipynb', [
    `import labtrack as mlflow
run = mlflow.start_run(run_name="training")
mlflow.log_metric("loss", 1.0)
print(run.info.run_id)`,
    'mlflow.log_metric("loss", 0.25)',
    'mlflow.end_run()'
  ]);
  const puts: Array<{ url: string; body: any }> = [];
  page.on('request', request => {
    if (request.method() === 'PUT' && request.url().includes('/notebook')) {
      puts.push({ url: request.url(), body: request.postDataJSON() });
    }
  });
  // An unsaved edit: the stored version is the live model, not the file.
  await page.evaluate(() => {
    const notebook = (window as any).jupyterapp.shell.currentWidget.content;
    notebook.model.sharedModel.insertCell(3, {
      cell_type: 'markdown',
      source: 'unsaved note'
    });
  });
  const sidebar = page.locator('#labtrack-sidebar');

  await runCell(page, 0);
  const row = sidebar.locator('.lt-RunsTable-row', { hasText: 'training' });
  await expect(row.locator('.lt-StatusDot')).toHaveAttribute(
    'aria-label',
    'running',
    { timeout: 15_000 }
  );
  await expect(row.locator('td[data-column="metrics.loss"]')).toHaveText('1');
  await expect.poll(() => puts.length, { timeout: 10_000 }).toBe(1);
  const runId = (await cellOutput(page, 0)).trim();
  expect(puts[0].url).toContain(`/labtrack/api/runs/${runId}/notebook`);
  expect(puts[0].body.path).toBe('live-metric.ipynb');
  const cells = puts[0].body.notebook.cells.map((c: any) =>
    Array.isArray(c.source) ? c.source.join('') : c.source
  );
  expect(cells).toContain('unsaved note');
  await saveScreenshot(page, 'sidebar-running.png');

  // A logged point shows without a reload (the sidebar polls every 2 s, the
  // kernel writes every 0.5 s); the delay is reported, not asserted.
  await runCell(page, 1);
  const logged = Date.now();
  await expect(row.locator('td[data-column="metrics.loss"]')).toHaveText(
    '0.25',
    { timeout: 10_000 }
  );
  const latency = Date.now() - logged;
  console.log(`a logged point showed in the sidebar after ${latency} ms`);

  await runCell(page, 2);
  await expect(row.locator('.lt-StatusDot')).toHaveAttribute(
    'aria-label',
    'finished',
    { timeout: 10_000 }
  );
  await expect.poll(() => puts.length, { timeout: 10_000 }).toBe(2);
  expect(puts[1].url).toContain(`/runs/${runId}/notebook`);
  const stored = await api(page, 'GET', `labtrack/api/runs/${runId}`);
  expect(stored.data.tags['labtrack.notebook.revision']).toMatch(
    /^[0-9a-f]{64}$/
  );
});

test('HTML in run names, params and tags renders as text and nothing runs', async ({
  page
}) => {
  const hostile = '<img src=x onerror="window.__labtrackXss=1">';
  await notebookWithSidebar(page, 'hostile-names.ipynb', [
    `import labtrack as mlflow
with mlflow.start_run(run_name=${JSON.stringify(hostile)}):
    mlflow.log_param("html", "<script>window.__labtrackXss=2</script>")
    mlflow.set_tag("note", "<b onmouseover=alert(1)>bold</b>")`
  ]);
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await runCell(page, 0);
  const sidebar = page.locator('#labtrack-sidebar');
  await expect
    .poll(() => runNames(page), { timeout: 15_000 })
    .toEqual([hostile]);

  await expect(sidebar.locator('td[data-column="params.html"]')).toHaveText(
    '<script>window.__labtrackXss=2</script>'
  );
  await expect(sidebar.locator('img, script, b')).toHaveCount(0);
  await sidebar.locator('.lt-RunsTable-name').hover();
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).__labtrackXss)).toBe(
    undefined
  );
  expect(dialogs).toEqual([]);
  await saveScreenshot(page, 'sidebar-html-as-text.png');
});

test('an experiment of 10,000 runs opens on its newest 100 rows', async ({
  page
}) => {
  const python = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
  execFileSync(
    fs.existsSync(python) ? python : 'python3',
    [
      path.join(__dirname, 'fixtures', 'many_runs.py'),
      home(),
      'scale-10k',
      '10000'
    ],
    { encoding: 'utf8' }
  );
  await notebookWithSidebar(page, 'scale.ipynb', ['print(1)']);
  const sidebar = page.locator('#labtrack-sidebar');
  const asked: string[] = [];
  page.on('request', request => {
    if (request.url().includes('/labtrack/api/runs?')) {
      asked.push(request.url());
    }
  });

  const open = async (name: string): Promise<number> => {
    await sidebar.locator('.lt-ExperimentHeader-name').click();
    const switcher = sidebar.locator('.lt-ExperimentSwitcher');
    await switcher.locator('input').fill(name);
    const item = switcher.locator('.lt-ExperimentSwitcher-item', {
      hasText: name
    });
    await expect(item).toHaveCount(1);
    const started = Date.now();
    await item.dispatchEvent('mousedown');
    await expect(sidebar.locator('.lt-ExperimentHeader-nameText')).toHaveText(
      name
    );
    await expect(sidebar.locator('.lt-RunsTable-row').first()).toBeVisible();
    return Date.now() - started;
  };

  // Opened twice; both times are reported (a shared machine makes them vary).
  const first = await open('scale-10k');
  await sidebar.locator('.lt-ExperimentHeader-back').click();
  await expect(sidebar.locator('.lt-RunsTable-row')).toHaveCount(0);
  asked.length = 0;
  const second = await open('scale-10k');
  console.log(`first rows of 10,000 runs after ${first} ms, then ${second} ms`);

  await expect(sidebar.locator('.lt-RunsTable-row')).toHaveCount(100);
  await expect(sidebar.locator('.lt-RunsTable-name').first()).toHaveText(
    'run-09999'
  );
  const query = new URL(asked[0]).searchParams;
  expect(query.get('max_results')).toBe('100');
  await sidebar.getByRole('button', { name: 'Load 100 more' }).click();
  await expect(sidebar.locator('.lt-RunsTable-row')).toHaveCount(200);
  await expect(sidebar.locator('.lt-RunsToolbar-count')).toHaveText(
    '200 runs+'
  );
});

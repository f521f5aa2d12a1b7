/**
 * Run pages and the compare view against a real JupyterLab: runs logged in
 * Python, opened through labtrack:open-run and labtrack:compare-runs.
 */
import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {
  api,
  execute,
  expectImagePreview,
  home,
  openLab,
  saveScreenshot,
  seed
} from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

let runIds: string[] = [];

test.beforeAll(() => {
  runIds = JSON.parse(seed('runpage_runs.py'));
});

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

test('a run page shows the overview, a metric chart and artifact previews', async ({
  page
}) => {
  await openLab(page);
  await execute(page, 'labtrack:open-run', { runId: runIds[0] });
  const runPage = page.locator('.lt-RunPage');
  // The name holds HTML: it stays text.
  await expect(runPage.locator('.lt-RunPage-name-text')).toHaveText(
    '<b>trial-0</b>'
  );
  await expect(runPage.locator('.lt-RunPage-title b')).toHaveCount(0);
  await expect(runPage.locator('.lt-Status')).toHaveText('finished');
  await expect(runPage.locator('.lt-RunPage-children .lt-RunLink')).toHaveText([
    'child-of-0'
  ]);
  await expect(runPage.locator('.lt-RunPage-params')).toContainText('solver');
  await expect(runPage.locator('.lt-RunPage-metrics')).toContainText('loss');
  // Min and max come from the series.
  await expect(
    runPage.locator('.lt-RunPage-metrics tbody tr').first().locator('td').nth(1)
  ).not.toHaveText('');

  // The metric chart: Plotly's SVG with one line.
  const chart = runPage.locator('.lt-MetricChart .js-plotly-plot');
  await expect(chart.locator('.main-svg').first()).toBeVisible();
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(1);
  await runPage.locator('.lt-MetricChart-key', { hasText: 'loss' }).click();
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(2);
  await runPage.locator('.lt-MetricChart-smoothing').fill('0.8');
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(4);
  await saveScreenshot(page, 'run-page.png');
  await runPage.locator('.lt-MetricChart-axis').selectOption('relative');
  await expect(chart.locator('.xtitle')).toHaveText('seconds since start');

  // Edit the description: stored (PATCH), shown as sanitized Markdown.
  await runPage.locator('.lt-RunPage-description-text').click();
  await runPage
    .locator('.lt-RunPage-description-input')
    .fill(
      '**Baseline** run <script>window.ltPwned = 1</script>' +
        '<img src="x" onerror="window.ltPwned = 1">'
    );
  await runPage.locator('.lt-RunPage-description-input').press('Control+Enter');
  const description = runPage.locator('.lt-RunPage-markdown');
  await expect(description.locator('strong')).toHaveText('Baseline');
  await expect(description.locator('script')).toHaveCount(0);
  await expect(description.locator('img[onerror]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).ltPwned)).toBeUndefined();
  const stored = await api(page, 'GET', `labtrack/api/runs/${runIds[0]}`);
  expect(stored.data.tags['mlflow.note.content']).toContain('**Baseline**');

  // Artifacts: text, a folder with an image, a CSV table.
  const tree = runPage.locator('.lt-Artifacts-tree');
  await tree.locator('.lt-Artifacts-file', { hasText: 'notes.txt' }).click();
  await expect(runPage.locator('.lt-Preview-text')).toHaveText(
    'hello from the run page\n'
  );
  await tree.locator('.lt-Artifacts-file', { hasText: 'config.json' }).click();
  await expect(runPage.locator('.lt-Preview-text')).toContainText('"depth": 2');
  await tree.locator('.lt-Artifacts-dir', { hasText: 'tables' }).click();
  await tree.locator('.lt-Artifacts-file', { hasText: 'loss.csv' }).click();
  await expect(runPage.locator('.lt-Preview-csv tbody tr')).toHaveCount(5);
  await tree.locator('.lt-Artifacts-dir', { hasText: 'plots' }).click();
  await tree.locator('.lt-Artifacts-file', { hasText: 'curve.png' }).click();
  await expectImagePreview(runPage, 4);
  const download = page.waitForEvent('download');
  await runPage.locator('.lt-Preview-download').click();
  expect((await download).suggestedFilename()).toBe('curve.png');
  await saveScreenshot(page, 'run-page-artifacts.png');

  // The captured notebook version, read-only.
  await runPage.locator('.lt-RunPage-notebook button').click();
  await expect(
    runPage.locator('.lt-RunPage-notebook .lt-NotebookCells-cell pre')
  ).toHaveText(['import labtrack as mlflow', 'lr = 0.1\nprint(lr)']);

  // A child run's page links back to its parent.
  await runPage.locator('.lt-RunPage-children .lt-RunLink').click();
  const child = current(page).locator('.lt-RunPage');
  await expect(child.locator('.lt-RunPage-name-text')).toHaveText('child-of-0');
  await child
    .locator('.lt-RunPage-info .lt-RunLink:not(.lt-RunPage-experiment)')
    .click();
  await expect(current(page).locator('.lt-RunPage-name-text')).toHaveText(
    '<b>trial-0</b>'
  );
});

test('compare three runs: table, diff only and every plot tab', async ({
  page
}) => {
  await openLab(page);
  await execute(page, 'labtrack:compare-runs', { runIds });
  const view = page.locator('.lt-Compare');
  await expect(view.locator('.lt-Compare-table thead .lt-RunLink')).toHaveText([
    '<b>trial-0</b>',
    '<b>trial-1</b>',
    '<b>trial-2</b>'
  ]);
  const rowKeys = () =>
    view.locator('.lt-Compare-table tbody .lt-Compare-key').allInnerTexts();
  expect(await rowKeys()).toContain('team');
  // The name tag repeats the header: hidden.
  expect(await rowKeys()).not.toContain('mlflow.runName');
  await view.locator('.lt-Compare-diffOnly input').check();
  await expect.poll(rowKeys).not.toContain('team');
  expect(await rowKeys()).toEqual(
    expect.arrayContaining(['depth', 'lr', 'solver', 'loss', 'acc'])
  );
  await expect(view.locator('tr.lt-mod-differs').first()).toBeVisible();

  const plot = view.locator('.lt-Compare-plot .js-plotly-plot');
  // Parallel coordinates: categorical solver as ticks.
  await expect(plot.locator('.parcoords')).toBeVisible();
  await expect(plot.locator('.parcoords')).toContainText('adam');
  await saveScreenshot(page, 'compare.png');

  // Brushing an axis narrows the selection (drag on the lr axis).
  const axis = plot.locator('.parcoords .axis-brush').first();
  const box = await axis.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.05);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.3, {
      steps: 5
    });
    await page.mouse.up();
  }
  await expect(view.locator('.lt-Compare-selection')).toHaveText(
    /\d of 3 runs selected/
  );
  await saveScreenshot(page, 'compare-brushed.png');
  // The selection goes back to the sidebar (labtrack:select-runs).
  const send = view.locator('.lt-Compare-selectInSidebar');
  await expect(send).toBeEnabled();
  await send.click();
  await expect(page.locator('#labtrack-sidebar')).toBeVisible();

  for (const [tab, selector] of [
    ['scatter', '.scatterlayer .trace'],
    // Three runs make no surface and no box: the tab says so.
    ['contour', '.lt-Compare-tooFew'],
    ['box', '.lt-Compare-tooFew'],
    ['history', '.scatterlayer .trace']
  ]) {
    await view.locator(`.lt-Compare-tab[data-tab="${tab}"]`).click();
    const shown = view.locator(`.lt-Compare-plot[data-tab="${tab}"]`);
    await expect(shown).toBeVisible();
    await expect(shown.locator(selector).first()).toBeVisible();
    await saveScreenshot(page, `compare-${tab}.png`);
  }
  await expect(plot.locator('.scatterlayer .trace')).toHaveCount(3);
  // Run names hold HTML: Plotly shows them as written.
  await expect(plot.locator('.legendtext')).toHaveText([
    '<b>trial-0</b>',
    '<b>trial-1</b>',
    '<b>trial-2</b>'
  ]);

  // The captured notebooks of two runs, diffed cell by cell.
  await view.locator('.lt-NotebookDiff-other').selectOption(runIds[1]);
  await view.locator('.lt-NotebookDiff-run').click();
  const diff = view.locator('.lt-NotebookDiff-text');
  await expect(diff.locator('.lt-mod-remove')).toContainText(['-lr = 0.1']);
  await expect(diff.locator('.lt-mod-add')).toContainText(['+lr = 0.2']);
  await diff.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'compare-notebook-diff.png');
  // The diff's coloured lines in both themes, 1024 x 700: screenshot, contrast.
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const theme of THEMES) {
    await setTheme(page, theme);
    await diff.scrollIntoViewIfNeeded();
    await saveScreenshot(page, `compare-notebook-diff-${theme}.png`);
    await expectReadable(page, '.lt-NotebookDiff');
  }
  await setTheme(page, 'light');

  // A run name opens its run page.
  await view.locator('.lt-RunLink', { hasText: 'trial-1' }).click();
  await expect(current(page).locator('.lt-RunPage-name-text')).toHaveText(
    '<b>trial-1</b>'
  );
});

test('the compare view of 200 runs draws its table and every plot', async ({
  page
}) => {
  const python = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
  const experimentId = execFileSync(
    fs.existsSync(python) ? python : 'python3',
    [
      path.join(__dirname, 'fixtures', 'many_runs.py'),
      home(),
      'compare-200',
      '200'
    ],
    { encoding: 'utf8' }
  ).trim();
  await openLab(page);
  const reply = await api(
    page,
    'GET',
    `labtrack/api/runs?experiment_id=${experimentId}&max_results=200`
  );
  const ids: string[] = reply.runs.map((r: { run_id: string }) => r.run_id);
  expect(ids).toHaveLength(200);
  const started = Date.now();
  await execute(page, 'labtrack:compare-runs', { runIds: ids });
  const view = page.locator('.lt-Compare');
  await expect(view.locator('.lt-Compare-table thead .lt-RunLink')).toHaveCount(
    200
  );
  await expect(view.locator('.js-plotly-plot .parcoords')).toBeVisible();
  // Timings are reported, not asserted: this machine is shared.
  const timings = [`table and parallel coordinates ${Date.now() - started} ms`];
  for (const tab of ['scatter', 'box', 'history']) {
    const before = Date.now();
    await view.locator(`.lt-Compare-tab[data-tab="${tab}"]`).click();
    await expect(
      view.locator('.js-plotly-plot .main-svg').first()
    ).toBeVisible();
    timings.push(`${tab} ${Date.now() - before} ms`);
  }
  // "Diff only" re-renders 200 columns.
  const before = Date.now();
  await view.locator('.lt-Compare-diffOnly input').check();
  await expect(view.locator('.lt-Compare-diffOnly input')).toBeChecked();
  timings.push(`diff only ${Date.now() - before} ms`);
  console.log(`compare view of 200 runs: ${timings.join(', ')}`);
  await saveScreenshot(page, 'compare-200.png');
});

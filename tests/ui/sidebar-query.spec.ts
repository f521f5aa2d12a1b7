/**
 * The runs table's query against a real server: the filter box and its
 * errors, quick filters, sorting, columns, selection and CSV download.
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';

import {
  execute,
  runFromPalette,
  runNames,
  saveScreenshot,
  twoRuns
} from './helpers';

test('a filter narrows the runs; a bad one shows the server message with its caret', async ({
  page
}) => {
  await twoRuns(page, 'search-runs.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const box = sidebar.locator('.lt-SearchBox-input');
  const queries: string[] = [];
  page.on('request', request => {
    if (request.url().includes('/labtrack/api/runs?')) {
      queries.push(new URL(request.url()).searchParams.get('filter') ?? '');
    }
  });

  // Suggestions of the experiment's keys as you type.
  await box.click();
  await box.pressSequentially('metrics.rm');
  const suggestions = sidebar.locator('.lt-SearchBox-suggestion');
  await expect(suggestions).toHaveText([/metrics\.rmse/]);
  await box.press('Tab');
  await expect(box).toHaveValue('metrics.rmse');
  // A prefix suggests its keys; the arrows then Enter pick one.
  await box.fill('');
  await box.pressSequentially('par');
  await expect(suggestions.first()).toContainText('params.');
  await box.press('Tab');
  await expect(suggestions).toHaveText([/params\.alpha/, /params\.solver/]);
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect(box).toHaveValue('params.solver');
  await box.fill('metrics.rmse');
  await box.pressSequentially(' < 0.6');
  await saveScreenshot(page, 'sidebar-search.png');
  await box.press('Enter');
  await expect(box).toHaveValue('metrics.rmse < 0.6');

  await expect.poll(() => runNames(page)).toEqual(['ridge-large']);
  expect(queries.at(-1)).toBe('metrics.rmse < 0.6');

  await box.fill('params.alpha = 0.5 and');
  await box.press('Enter');
  const error = sidebar.locator('.lt-SearchBox-error');
  await expect(error).toBeVisible();
  const message = await error.innerText();
  expect(message).toContain('params.alpha');
  expect(message).toMatch(/\n\s*\^/); // the caret line under the filter
  await expect(sidebar.locator('.lt-RunsTable-row')).toHaveCount(0);
  await saveScreenshot(page, 'sidebar-filter-error.png');

  await sidebar.locator('.lt-SearchBox-clear').click();
  await expect(error).toBeHidden();
  await expect
    .poll(() => runNames(page))
    .toEqual(['ridge-large', 'ridge-small']);
});

test('clicking a column header sorts on the server, ascending then descending', async ({
  page
}) => {
  await twoRuns(page, 'sort-runs.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const orders: string[] = [];
  page.on('request', request => {
    const found = new URL(request.url()).searchParams.get('order_by');
    if (request.url().includes('/labtrack/api/runs?') && found) {
      orders.push(found);
    }
  });
  const header = sidebar.locator(
    'th[data-column="metrics.rmse"] .lt-RunsTable-sort'
  );

  await header.click();
  await expect
    .poll(() => runNames(page))
    .toEqual(['ridge-large', 'ridge-small']);
  await expect(
    sidebar.locator('th[data-column="metrics.rmse"]')
  ).toHaveAttribute('aria-sort', 'ascending');
  expect(orders.at(-1)).toBe('metrics.rmse ASC,attributes.start_time DESC');

  await header.click();
  await expect
    .poll(() => runNames(page))
    .toEqual(['ridge-small', 'ridge-large']);
  expect(orders.at(-1)).toContain('metrics.rmse DESC');

  await sidebar
    .locator('th[data-column="run_name"] .lt-RunsTable-sort')
    .click();
  await expect
    .poll(() => runNames(page))
    .toEqual(['ridge-large', 'ridge-small']);
  expect(orders.at(-1)).toContain('attributes.run_name ASC');
  await saveScreenshot(page, 'sidebar-sorted.png');

  // Quick filters: no run logged a model or is RUNNING; every run is FINISHED.
  await sidebar.getByLabel('Has model').check();
  await expect(sidebar.locator('.lt-EmptyState-title')).toHaveText(
    'No runs match the filter.'
  );
  await sidebar.getByLabel('Has model').uncheck();
  await expect.poll(() => runNames(page)).toHaveLength(2);
  await sidebar
    .locator('.lt-QuickFilters-status', { hasText: 'running' })
    .click();
  await expect(sidebar.locator('.lt-EmptyState-title')).toHaveText(
    'No runs match the filter.'
  );
  await sidebar
    .locator('.lt-QuickFilters-status', { hasText: 'finished' })
    .click();
  await expect.poll(() => runNames(page)).toHaveLength(2);

  // The palette's refresh asks for the same query again at once.
  const before = orders.length;
  await runFromPalette(page, 'labtrack: Refresh runs');
  await expect.poll(() => orders.length).toBeGreaterThan(before);
  expect(orders.at(-1)).toContain('attributes.run_name ASC');
});

test('Download CSV saves the runs of the current query', async ({ page }) => {
  await twoRuns(page, 'csv-runs.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const box = sidebar.locator('.lt-SearchBox-input');
  await box.fill("params.alpha = '0.1'");
  await box.press('Enter');
  await expect.poll(() => runNames(page)).toEqual(['ridge-small']);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    sidebar.getByRole('button', { name: 'CSV', exact: true }).click()
  ]);

  expect(download.suggestedFilename()).toBe('csv-runs-runs.csv');
  const file = await download.path();
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toMatch(
    /^Start Time,Duration,Run ID,Name,Source Type,Source Name,User,Status,/
  );
  expect(lines[0]).toContain('alpha');
  expect(lines[0]).toContain('rmse');
  expect(lines).toHaveLength(2); // the header and the one run the filter keeps
  expect(lines[1]).toContain('ridge-small');

  // The palette command downloads the same.
  const [again] = await Promise.all([
    page.waitForEvent('download'),
    runFromPalette(page, 'labtrack: Download runs as CSV')
  ]);
  expect(again.suggestedFilename()).toBe('csv-runs-runs.csv');
});

test('the column chooser picks params, metrics and tags; Compare runs the compare command', async ({
  page
}) => {
  await twoRuns(page, 'columns.ipynb');
  const sidebar = page.locator('#labtrack-sidebar');
  const columnsAsked: string[] = [];
  page.on('request', request => {
    if (request.url().includes('/labtrack/api/runs?')) {
      columnsAsked.push(
        new URL(request.url()).searchParams.get('columns') ?? ''
      );
    }
  });

  await sidebar.getByRole('button', { name: 'Columns', exact: true }).click();
  const chooser = sidebar.locator('.lt-ColumnChooser');
  await chooser.getByLabel('solver').uncheck();
  await expect(sidebar.locator('th[data-column="params.solver"]')).toHaveCount(
    0
  );
  await chooser.getByLabel('mlflow.runName').check();
  await expect(
    sidebar.locator('td[data-column="tags.mlflow.runName"]')
  ).toHaveText(['ridge-large', 'ridge-small']);
  expect(columnsAsked.at(-1)).not.toContain('params.solver');
  expect(columnsAsked.at(-1)).toContain('tags.mlflow.runName');
  await saveScreenshot(page, 'sidebar-columns.png');
  await page.keyboard.press('Escape');
  await expect(chooser).toBeHidden();

  // Selection, and Compare: it runs labtrack:compare-runs, and is disabled
  // while no plugin provides that command.
  const compare = sidebar.locator('.lt-RunsToolbar-compare');
  await sidebar.getByLabel('Select run ridge-small').check();
  await sidebar.getByLabel('Select run ridge-large').check();
  await expect(compare).toHaveText('Compare (2)');
  const provided = await page.evaluate(() =>
    (window as any).jupyterapp.commands.hasCommand('labtrack:compare-runs')
  );
  if (!provided) {
    await expect(compare).toBeDisabled();
    await page.evaluate(() => {
      (window as any).jupyterapp.commands.addCommand('labtrack:compare-runs', {
        execute: () => undefined
      });
    });
  }
  await page.evaluate(() => {
    // Record what the button asks for, whoever implements the command.
    const commands = (window as any).jupyterapp.commands;
    const execute = commands.execute.bind(commands);
    commands.execute = (id: string, args: unknown) => {
      if (id === 'labtrack:compare-runs') {
        (window as any).__compared = args;
        return Promise.resolve();
      }
      return execute(id, args);
    };
  });
  await expect(compare).toBeEnabled();
  await compare.click();
  const compared = await page.evaluate(() => (window as any).__compared);
  const ids = await sidebar
    .locator('.lt-RunsTable-row')
    .evaluateAll(rows => rows.map(r => r.getAttribute('data-run-id')));
  expect(compared.runIds.sort()).toEqual(ids.sort());
  expect(compared.experimentIds).toHaveLength(1);

  // Other views (a compare plot) select runs through labtrack:select-runs.
  await execute(page, 'labtrack:select-runs', { runIds: [ids[0]] });
  await expect(compare).toHaveText('Compare (1)');
  await expect(
    sidebar.locator(`.lt-RunsTable-row[data-run-id="${ids[0]}"] input`)
  ).toBeChecked();
  await expect(
    sidebar.locator(`.lt-RunsTable-row[data-run-id="${ids[1]}"] input`)
  ).not.toBeChecked();
});

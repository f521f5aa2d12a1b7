/**
 * Hostile text in every view: runs whose names, params, tags, description,
 * metric keys, experiment name and artifact names hold HTML and script
 * payloads (tests/ui/fixtures/hostile_runs.py). Every view shows them as
 * text; no payload runs (window.__pwned stays undefined) and no dialog opens.
 */
import { expect, Locator, Page, test } from '@playwright/test';
import {
  execute,
  expectImagePreview,
  expectInert,
  openLab,
  openSidebar,
  runFixture,
  watchDialogs
} from './helpers';

interface ISeeded {
  experiment_id: string;
  run_ids: string[];
  payloads: Record<string, string>;
}

let seeded: ISeeded;

test.beforeAll(() => {
  seeded = runFixture('hostile_runs.py');
});

/** Nothing ran; only the Markdown description may hold an image (inert). */
async function expectNothingRan(
  page: Page,
  dialogs: string[],
  view: Locator
): Promise<void> {
  await expectInert(page, dialogs, view);
  // Only the Markdown description may hold an image (sanitized, inert).
  expect(await view.locator('img[src="x"]').count()).toBe(
    await view.locator('.lt-RunPage-markdown img[src="x"]').count()
  );
}

/** A value inside a CSS attribute selector's double quotes. */
const quoted = (value: string): string => value.replace(/["\\]/g, '\\$&');

/** Open JupyterLab watching for dialogs; the payloads and the dialogs seen. */
async function start(
  page: Page
): Promise<{ p: Record<string, string>; dialogs: string[] }> {
  const dialogs = watchDialogs(page);
  await openLab(page);
  return { p: seeded.payloads, dialogs };
}

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

test('the sidebar shows hostile experiment names, keys and values as text', async ({
  page
}) => {
  const { p, dialogs } = await start(page);
  const sidebar = await openSidebar(page);

  // The switcher lists the experiment by its name, as text.
  await sidebar.getByRole('button', { name: 'Browse experiments' }).click();
  const switcher = sidebar.locator('.lt-ExperimentSwitcher');
  await expect(
    switcher.locator('.lt-ExperimentSwitcher-name', { hasText: p.experiment })
  ).toHaveText(p.experiment);
  await expectNothingRan(page, dialogs, sidebar);
  await switcher
    .locator('.lt-ExperimentSwitcher-name', { hasText: p.experiment })
    .click();
  await expect(sidebar.locator('.lt-ExperimentHeader-nameText')).toHaveText(
    p.experiment
  );

  // The runs table: names, a param value and a hostile param key as header.
  await expect
    .poll(() => sidebar.locator('.lt-RunsTable-name').allInnerTexts(), {
      timeout: 30_000
    })
    .toEqual(expect.arrayContaining([p.run0, p.run1]));
  await expect(
    sidebar.locator(`th[data-column="params.${quoted(p.param_key)}"]`)
  ).toContainText(p.param_key);
  await expect(
    sidebar.locator(`th[data-column="metrics.${quoted(p.metric_key)}"]`)
  ).toContainText(p.metric_key);
  await expectNothingRan(page, dialogs, sidebar);

  // The column chooser: every hostile key is a label, the tag value a cell.
  await sidebar.getByRole('button', { name: 'Columns', exact: true }).click();
  const chooser = sidebar.locator('.lt-ColumnChooser');
  // params.html holds the same payload in both runs: not a default column.
  await chooser.getByLabel('html', { exact: true }).first().check();
  await expect(
    sidebar.locator('td[data-column="params.html"]').first()
  ).toHaveText(p.param_value);
  for (const key of [p.param_key, p.metric_key, p.tag_key]) {
    await expect(
      chooser.locator('.lt-ColumnChooser-item', { hasText: key })
    ).toHaveCount(1);
  }
  await chooser.getByLabel('html', { exact: true }).last().check();
  await expect(
    sidebar.locator('td[data-column="tags.html"]').first()
  ).toHaveText(p.tag_value);
  await chooser.getByLabel(p.tag_key, { exact: true }).check();
  await expect(
    sidebar.locator(`td[data-column="tags.${quoted(p.tag_key)}"]`).first()
  ).toHaveText('v');
  await expectNothingRan(page, dialogs, sidebar);
  await page.keyboard.press('Escape');
});

test('the run page shows hostile text as text and sanitizes the description', async ({
  page
}) => {
  const { p, dialogs } = await start(page);
  await execute(page, 'labtrack:open-run', { runId: seeded.run_ids[0] });
  const runPage = page.locator('.lt-RunPage');

  await expect(runPage.locator('.lt-RunPage-name-text')).toHaveText(p.run0);
  // Markdown is rendered, the HTML in it is dropped or inert.
  const description = runPage.locator('.lt-RunPage-markdown');
  await expect(description.locator('strong')).toHaveText('bold');
  await expect(description.locator('a[href^="javascript"]')).toHaveCount(0);
  await expect(runPage.locator('.lt-RunPage-params')).toContainText(
    p.param_key
  );
  await expect(runPage.locator('.lt-RunPage-params')).toContainText(
    p.param_value
  );
  await expect(runPage.locator('.lt-RunPage-metrics')).toContainText(
    p.metric_key
  );
  await expect(
    runPage.locator('.lt-Tag', { hasText: p.tag_key }).locator('.lt-Tag-key')
  ).toHaveText(p.tag_key);
  await expect(
    runPage.locator('.lt-Tag-value', { hasText: 'bold' }).first()
  ).toHaveText(p.tag_value);
  // The metric chart's legend and key buttons.
  await expect(
    runPage.locator('.lt-MetricChart-key', { hasText: p.metric_key })
  ).toHaveCount(1);
  await expectNothingRan(page, dialogs, runPage);

  // The artifact tree and a text preview of a file holding HTML.
  const file = runPage.locator('.lt-Artifacts-tree .lt-Artifacts-file', {
    hasText: p.artifact
  });
  await expect(file).toContainText(p.artifact);
  await file.click();
  await expect(runPage.locator('.lt-Preview-path')).toHaveText(p.artifact);
  await expect(runPage.locator('.lt-Preview-text')).toHaveText(p.artifact_text);
  await expectNothingRan(page, dialogs, runPage);

  // A CSV cell holding HTML; an SVG holding scripts, shown as an (inert) image.
  const tree = runPage.locator('.lt-Artifacts-tree');
  await tree.locator('.lt-Artifacts-file', { hasText: 'table.csv' }).click();
  await expect(runPage.locator('.lt-Preview-csv tbody')).toContainText(
    '<img src=x'
  );
  await tree.locator('.lt-Artifacts-file', { hasText: 'evil.svg' }).click();
  await expectImagePreview(runPage, 4);
  await expectNothingRan(page, dialogs, runPage);

  // The captured notebook version: cell sources as text.
  await runPage.locator('.lt-RunPage-notebook button').click();
  await expect(
    runPage.locator('.lt-RunPage-notebook .lt-NotebookCells-cell pre')
  ).toHaveText([p.markdown_cell, `${p.cell_source}\nrun = 0`]);
  await expectNothingRan(page, dialogs, runPage);
});

test('the compare view shows hostile text as text in its table and plots', async ({
  page
}) => {
  const { p, dialogs } = await start(page);
  await execute(page, 'labtrack:compare-runs', { runIds: seeded.run_ids });
  const view = current(page).locator('.lt-Compare');
  await expect(view.locator('.lt-Compare-table thead .lt-RunLink')).toHaveText([
    p.run0,
    p.run1
  ]);
  const keys = view.locator('.lt-Compare-table tbody .lt-Compare-key');
  await expect(keys.filter({ hasText: p.param_key })).toHaveText(p.param_key);
  await expect(keys.filter({ hasText: p.metric_key })).toHaveText(p.metric_key);
  await expect(keys.filter({ hasText: p.tag_key })).toHaveText(p.tag_key);
  await expect(view.locator('.lt-Compare-table tbody')).toContainText(
    p.param_value
  );
  await expectNothingRan(page, dialogs, view);

  const plot = view.locator('.lt-Compare-plot .js-plotly-plot');
  await expect(plot.locator('.parcoords')).toBeVisible();
  // Axis titles are cut to 18 characters: the start of the key, as text.
  await expect(plot.locator('.parcoords')).toContainText(
    p.param_key.slice(0, 17)
  );
  await expectNothingRan(page, dialogs, view);
  for (const tab of ['scatter', 'contour', 'box', 'history']) {
    await view.locator(`.lt-Compare-tab[data-tab="${tab}"]`).click();
    // Two runs make no surface and no box: those tabs say so, in text.
    const drawn = view.locator(
      `.lt-Compare-plot[data-tab="${tab}"] :is(.main-svg, .lt-Compare-tooFew)`
    );
    await expect(drawn.first()).toBeVisible();
    await expectNothingRan(page, dialogs, view);
  }
  // History: one line per run, named as written.
  await expect(plot.locator('.legendtext')).toHaveText([p.run0, p.run1]);
  await expectNothingRan(page, dialogs, view);

  // The two captured notebook versions, diffed: sources as text.
  await view.locator('.lt-NotebookDiff-other').selectOption(seeded.run_ids[1]);
  await view.locator('.lt-NotebookDiff-run').click();
  const diff = view.locator('.lt-NotebookDiff-text');
  await expect(diff.locator('.lt-mod-add')).toContainText(['+run = 1']);
  await expect(diff).toContainText(p.cell_source);
  await expectNothingRan(page, dialogs, view);
});

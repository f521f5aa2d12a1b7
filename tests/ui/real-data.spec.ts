/**
 * Every view on the data of a new user's first notebook, in the light and
 * dark themes at 1024 x 700: the diabetes random forest logged by hand
 * (3 params, 2 metrics, a figure, a model) and autologged (~20 params with
 * long names, training metrics logged once), made by the real library
 * (`fixtures/diabetes_runs.py`). Each view gets a screenshot per theme
 * (`tests/ui/screenshots/real-*.png`) and axe-core's colour-contrast check.
 */
import { expect, Page, test } from '@playwright/test';

import {
  api,
  createNotebook,
  execute,
  openNotebook,
  runFixture,
  saveScreenshot
} from './helpers';
import { expectReadable, setTheme, Theme, THEMES, themeColor } from './themes';

test.use({ viewport: { width: 1024, height: 700 } });

const NOTEBOOK = 'diabetes.ipynb';
// Sorts after the registry tests' models, whose dialogs pick the first.
const MODEL = 'seed-diabetes-rf';

interface ISeeded {
  experiment_id: string;
  selective: string[];
  autolog: string[];
}

let seeded: ISeeded | null = null;

/** The fixture's runs, logged once for the whole file. */
async function diabetes(page: Page): Promise<ISeeded> {
  if (seeded === null) {
    seeded = runFixture('diabetes_runs.py', [NOTEBOOK, MODEL]) as ISeeded;
    await createNotebook(page, NOTEBOOK, [
      'import labtrack as mlflow\nmlflow.autolog()'
    ]);
  }
  return seeded;
}

const sidebar = (page: Page) => page.locator('#labtrack-sidebar');
const rows = (page: Page) => sidebar(page).locator('.lt-RunsTable-row');

/** The notebook open in `theme`, its five runs in the sidebar. */
async function notebookWithRuns(page: Page, theme: Theme): Promise<ISeeded> {
  const runs = await diabetes(page);
  await openNotebook(page, NOTEBOOK);
  await setTheme(page, theme);
  await execute(page, 'labtrack:open-sidebar');
  await expect(rows(page)).toHaveCount(5, { timeout: 30_000 });
  return runs;
}

/** Wait for every chart in `scope` to be drawn. */
async function chartsDrawn(page: Page, scope: string): Promise<void> {
  await expect(
    page.locator(`${scope} .lt-Plot-root .main-svg`).first()
  ).toBeVisible({
    timeout: 60_000
  });
}

for (const theme of THEMES) {
  test(`the sidebar with real runs, ${theme} theme: metrics first, the keys that vary, readable selection`, async ({
    page
  }) => {
    await notebookWithRuns(page, theme);
    const heads = sidebar(page).locator('thead th[data-column]');
    const headers = () =>
      heads.evaluateAll(els => els.map(el => el.getAttribute('data-column')));
    // The keys' values come with the second answer (the first tells the keys).
    await expect
      .poll(headers, { timeout: 15_000 })
      .toContain('params.n_estimators');
    const columns = await headers();
    // Status, name, then the metrics, then the params that differ.
    expect(columns.slice(0, 2)).toEqual(['status', 'run_name']);
    const keyed = columns.filter(c => /^(params|metrics)\./.test(c ?? ''));
    expect(keyed[0]).toMatch(/^metrics\./);
    expect(keyed).toEqual(
      expect.arrayContaining([
        'params.n_estimators',
        'params.max_depth',
        'params.max_features'
      ])
    );
    // Autologged params equal in every run are not defaults.
    expect(keyed).not.toContain('params.bootstrap');
    expect(keyed).not.toContain('params.ccp_alpha');
    // A long key is cut in its header and whole in the tooltip.
    const header = sidebar(page).locator(
      'th[data-column="metrics.training_root_mean_squared_error"]'
    );
    await expect(header).toHaveAttribute(
      'title',
      /^training_root_mean_squared_error/
    );
    // Every run logged a model: a model mark; the registered one filled.
    await expect(sidebar(page).locator('.lt-ModelMark')).toHaveCount(5);
    await expect(
      sidebar(page).locator('.lt-ModelMark.lt-mod-registered')
    ).toHaveCount(1);
    await expect(
      sidebar(page).locator('.lt-StatusDot.lt-mod-finished')
    ).toHaveCount(5);

    await rows(page).nth(1).locator('input[type="checkbox"]').check();
    await expect(rows(page).nth(1)).toHaveClass(/lt-mod-selected/);
    await saveScreenshot(page, `real-sidebar-${theme}.png`);
    await expectReadable(page, '#labtrack-sidebar');
  });

  test(`the run page of an autologged run, ${theme} theme: values logged once as bars, a link to the experiment`, async ({
    page
  }) => {
    const runs = await notebookWithRuns(page, theme);
    await execute(page, 'labtrack:open-run', { runId: runs.autolog[1] });
    const runPage = page.locator('.lt-RunPage');
    await expect(runPage.locator('.lt-RunPage-experiment')).toHaveText(
      NOTEBOOK
    );
    await chartsDrawn(page, '.lt-RunPage');
    // training_* metrics are logged once: a bar, not a dot on a step axis.
    await expect(runPage.locator('.lt-MetricChart-plot .bars')).not.toHaveCount(
      0
    );
    await saveScreenshot(page, `real-run-page-${theme}.png`);
    await expectReadable(page, '.lt-RunPage');

    // The link shows the experiment in the sidebar.
    await runPage.locator('.lt-RunPage-experiment').click();
    await expect(sidebar(page)).toBeVisible();
  });

  test(`the compare view of hand-logged and autologged runs, ${theme} theme`, async ({
    page
  }) => {
    const runs = await notebookWithRuns(page, theme);
    const all = [...runs.selective, ...runs.autolog];
    await execute(page, 'labtrack:compare-runs', { runIds: all });
    const view = page.locator('.lt-Compare');
    await expect(view.locator('.lt-Compare-table')).toBeVisible({
      timeout: 30_000
    });
    // System tags (the model history JSON, sources) only behind the switch.
    const keys = view.locator('.lt-Compare-key');
    await expect(keys.filter({ hasText: 'estimator_name' })).toHaveCount(1);
    await expect(
      keys.filter({ hasText: 'mlflow.log-model.history' })
    ).toHaveCount(0);
    await view.locator('.lt-Compare-systemTags input').check();
    await expect(
      keys.filter({ hasText: 'mlflow.log-model.history' })
    ).toHaveCount(1);
    await view.locator('.lt-Compare-systemTags input').uncheck();

    // Parallel coordinates: the axes that vary, not ~20 overlapping titles.
    await chartsDrawn(page, '.lt-Compare');
    const titles = view.locator('.lt-Compare-parcoords .axis-title');
    await expect(titles).not.toHaveCount(0);
    expect(await titles.count()).toBeLessThanOrEqual(8);
    await expect(view.locator('.lt-Compare-axes summary')).toContainText(
      /Axes \(\d of 2\d\)/
    );
    await saveScreenshot(page, `real-compare-${theme}.png`);
    await expectReadable(page, '.lt-Compare');

    // Five runs, n_estimators 5, 20, 20, 50, 100: too few per group for a box.
    await view.locator('.lt-Compare-tab[data-tab="box"]').click();
    const [metric, group] = await view.locator('.lt-Compare-plot select').all();
    await metric.selectOption('metrics.r2');
    await group.selectOption('params.n_estimators');
    await expect(view.locator('.lt-Compare-tooFew')).toContainText(
      'Too few runs per group'
    );
    await view.locator('.lt-Compare-tab[data-tab="history"]').click();
    await expect(view.locator('.lt-Compare-plot .bars')).not.toHaveCount(0, {
      timeout: 30_000
    });
    await saveScreenshot(page, `real-compare-history-${theme}.png`);
    await expectReadable(page, '.lt-Compare');
  });

  test(`the models list, model page and Serving tab, ${theme} theme`, async ({
    page
  }) => {
    await notebookWithRuns(page, theme);
    await execute(page, 'labtrack:open-models');
    const models = page.locator('.lt-RegistryWidget').first();
    await expect(models).toContainText(MODEL, { timeout: 30_000 });
    await saveScreenshot(page, `real-models-${theme}.png`);
    await expectReadable(page, '.lt-RegistryWidget');

    await execute(page, 'labtrack:open-model', {
      name: MODEL,
      tab: 'versions'
    });
    await expect(
      page.locator('.lt-ModelPage .lt-Versions-row').first()
    ).toBeVisible({ timeout: 30_000 });
    await saveScreenshot(page, `real-model-page-${theme}.png`);
    await expectReadable(page, '.lt-RegistryWidget:not(.lm-mod-hidden)');

    await execute(page, 'labtrack:open-model', { name: MODEL, tab: 'serving' });
    const body = page.locator('.lt-TestRequest-body');
    // The example request is the model's input example: its 10 columns.
    await expect
      .poll(async () => JSON.parse(await body.inputValue()), {
        timeout: 30_000
      })
      .toMatchObject({
        dataframe_split: {
          columns: [
            'age',
            'sex',
            'bmi',
            'bp',
            's1',
            's2',
            's3',
            's4',
            's5',
            's6'
          ]
        }
      });
    await expect(page.locator('.lt-Serving-exampleSource')).toContainText(
      'input example'
    );
    await saveScreenshot(page, `real-serving-${theme}.png`);
    await expectReadable(page, '.lt-RegistryWidget:not(.lm-mod-hidden)');
  });

  test(`the models list's search and create, and a version's page, ${theme} theme`, async ({
    page
  }) => {
    const runs = await notebookWithRuns(page, theme);
    await execute(page, 'labtrack:open-models');
    const shown = page.locator('.lt-RegistryWidget:not(.lm-mod-hidden)');
    const list = shown.locator('.lt-ModelsView');
    await expect(list).toContainText(MODEL, { timeout: 30_000 });
    // The search keeps the models whose name (or description) holds the text.
    await list.locator('.lt-ModelsView-search').fill('DIABETES-rf');
    await expect(list.locator('.lt-ModelsView-name')).toHaveText([MODEL]);
    await list.locator('.lt-ModelsView-search').fill('no such model');
    await expect(list.locator('.lt-ModelsView-noMatch')).toBeVisible();
    await list.locator('.lt-ModelsView-search').fill('');

    // "Create model": a taken name is refused with the server's message; a
    // new one (sorting after the others) is created and its page opens.
    await list.locator('.lt-ModelsView-newName').fill(MODEL);
    await list.locator('.lt-ModelsView-createButton').click();
    await expect(list.locator('.lt-RunPage-error')).toContainText(
      'already exists',
      { timeout: 15_000 }
    );
    const created = `zz-created-${theme}`;
    await list.locator('.lt-ModelsView-newName').fill(created);
    await list.locator('.lt-ModelsView-createButton').click();
    await expect(shown.locator('.lt-ModelPage-title')).toHaveText(created, {
      timeout: 15_000
    });
    expect(
      (await api(page, 'GET', `labtrack/api/registered-models/${created}`)).name
    ).toBe(created);

    // The version page: the run by name, the signature, a snippet that loads it.
    await execute(page, 'labtrack:open-model', { name: MODEL, version: 1 });
    const version = shown.locator('.lt-VersionPage');
    await expect(version.locator('.lt-VersionPage-title')).toHaveText(
      'Version 1',
      { timeout: 30_000 }
    );
    const run = await api(
      page,
      'GET',
      `labtrack/api/runs/${runs.selective[0]}`
    );
    await expect(version.locator('.lt-VersionPage-run')).toHaveText(
      run.info.run_name
    );
    await expect(
      version.locator('.lt-VersionPage-columns').first()
    ).toContainText('age: double');
    await expect(version.locator('.lt-CodeBlock-code')).toContainText(
      `mlflow.pyfunc.load_model("models:/${MODEL}/1")`
    );
    // The description is the version's own, saved with PATCH.
    await version.locator('.lt-RunPage-description-text').click();
    await version
      .locator('.lt-RunPage-description-input')
      .fill(`Checked in the **${theme}** theme.`);
    await version
      .locator('.lt-RunPage-description-input')
      .press('Control+Enter');
    await expect(version.locator('.lt-RunPage-markdown strong')).toHaveText(
      theme,
      { timeout: 15_000 }
    );
    const stored = await api(
      page,
      'GET',
      `labtrack/api/registered-models/${MODEL}/versions/1`
    );
    expect(stored.description).toBe(`Checked in the **${theme}** theme.`);
    await saveScreenshot(page, `real-model-version-${theme}.png`);
    await expectReadable(page, '.lt-RegistryWidget:not(.lm-mod-hidden)');

    // Back to the list of versions; the version number opens the page again.
    await version.locator('.lt-VersionPage-back').click();
    await shown.locator('.lt-Versions-open', { hasText: '1' }).click();
    await expect(shown.locator('.lt-VersionPage-title')).toHaveText(
      'Version 1'
    );
  });
}

test('the example request of the seed model is answered (not HTTP 400)', async ({
  page
}) => {
  await notebookWithRuns(page, 'light');
  await execute(page, 'labtrack:open-model', { name: MODEL, tab: 'serving' });
  await page.locator('.lt-Serving-toggle').click();
  const send = page.locator('.lt-TestRequest-send');
  await expect(page.locator('.lt-ServingState')).toHaveText('ready', {
    timeout: 90_000
  });
  await expect(page.locator('.lt-TestRequest-body')).toHaveValue(/"s6"/);
  await send.click();
  await expect(page.locator('.lt-TestRequest-status')).toHaveText('HTTP 200', {
    timeout: 60_000
  });
  await expect(page.locator('.lt-TestRequest-answer')).toContainText(
    'predictions'
  );
  await page.locator('.lt-Serving-toggle').click();
  await expect(page.locator('.lt-ServingState')).toHaveText('stopped', {
    timeout: 30_000
  });
});

test('charts open in a theme keep their text after a switch to the other', async ({
  page
}) => {
  const runs = await notebookWithRuns(page, 'light');
  await execute(page, 'labtrack:open-run', { runId: runs.selective[0] });
  await chartsDrawn(page, '.lt-RunPage');
  await execute(page, 'labtrack:compare-runs', {
    runIds: [...runs.selective, ...runs.autolog]
  });
  await chartsDrawn(page, '.lt-Compare');
  // The run page stays open behind the compare view while the theme changes.
  // Plotly writes the colour's alpha as a separate opacity: compare RGB.
  const rgb = (color: string) =>
    (color.match(/\d+/g) ?? []).slice(0, 3).join(',');
  const fill = async (selector: string) =>
    rgb(
      await page
        .locator(selector)
        .first()
        .evaluate(el => getComputedStyle(el).fill)
    );
  const runTicks = '.lt-RunPage .lt-MetricChart-plot .ytick text';
  const axisTitles = '.lt-Compare-parcoords .axis-title';
  const light = rgb(await themeColor(page, '--jp-ui-font-color1'));
  expect(await fill(axisTitles)).toBe(light);

  await setTheme(page, 'dark');

  const dark = rgb(await themeColor(page, '--jp-ui-font-color1'));
  expect(dark).not.toBe(light);
  await expect.poll(() => fill(axisTitles), { timeout: 15_000 }).toBe(dark);
  await page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const run = Array.from(app.shell.widgets('main')).find((w: any) =>
      w.hasClass('lt-RunPageWidget')
    ) as any;
    app.shell.activateById(run.id);
  });
  await expect.poll(() => fill(runTicks), { timeout: 15_000 }).toBe(dark);
  await saveScreenshot(page, 'real-theme-switched.png');
  await setTheme(page, 'light');
});

test('the compare view follows a run renamed while it is open', async ({
  page
}) => {
  const runs = await notebookWithRuns(page, 'light');
  const runId = runs.autolog[0];
  const before = (await api(page, 'GET', `labtrack/api/runs/${runId}`)).info
    .run_name;
  await execute(page, 'labtrack:compare-runs', { runIds: runs.autolog });
  const names = page.locator('.lt-Compare-table thead .lt-RunLink');
  await expect(names.first()).toBeVisible({ timeout: 30_000 });
  try {
    await api(page, 'PATCH', `labtrack/api/runs/${runId}`, {
      name: 'renamed-in-place'
    });
    await expect(names.filter({ hasText: 'renamed-in-place' })).toHaveCount(1, {
      timeout: 30_000
    });
  } finally {
    await api(page, 'PATCH', `labtrack/api/runs/${runId}`, { name: before });
  }
});

/**
 * The model registry against a real JupyterLab: a run that logged a small
 * scikit-learn model (skops), registered from its run page, promoted,
 * listed, served by a real model process and called from the Serving tab.
 */
import { expect, Page, test } from '@playwright/test';
import {
  api,
  execute,
  openLab,
  runFromPalette,
  saveScreenshot,
  seed,
  token,
  url
} from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

const MODEL = 'house-prices';
let runId = '';

test.beforeAll(() => {
  runId = seed('registry_model.py');
});

test.afterAll(async ({ request }) => {
  // Stop the model process even when the test failed half-way.
  await request
    .fetch(`${url()}labtrack/api/registered-models/${MODEL}/serving`, {
      method: 'PUT',
      headers: { Authorization: `token ${token()}` },
      data: JSON.stringify({ enabled: false })
    })
    .catch(() => undefined);
});

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

test('register a model from a run, promote it, list it, serve it and call it', async ({
  page
}) => {
  test.setTimeout(240_000);
  await openLab(page);
  await execute(page, 'labtrack:open-run', { runId });
  const runPage = page.locator('.lt-RunPage');
  // MLflow 3: the model is a logged model of the run, registered from its row.
  await runPage
    .locator('.lt-LoggedModels-row', { hasText: 'model' })
    .locator('.lt-LoggedModels-register')
    .click({ timeout: 30_000 });

  // A name the registry refuses: the server's message, the dialog stays.
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('.lt-RegisterDialog-name').fill('bad/name');
  await dialog.locator('.jp-mod-accept').click();
  await expect(dialog.locator('.lt-RegisterDialog-error')).toContainText(
    "'/' is not allowed",
    { timeout: 15_000 }
  );
  await expect(dialog.locator('.lt-RegisterDialog-name')).toHaveValue(
    'bad/name'
  );
  await dialog.locator('.lt-RegisterDialog-name').fill(MODEL);
  await dialog.locator('.jp-mod-accept').click();
  await expect(dialog).toContainText(`Registered ${MODEL}, version 1.`, {
    timeout: 15_000
  });
  await dialog
    .locator('.jp-mod-accept', { hasText: 'Open model page' })
    .click();

  // The model page: version 1 from this run, in stage None.
  const modelPage = current(page).locator('.lt-ModelPage');
  await expect(modelPage.locator('.lt-ModelPage-title')).toHaveText(MODEL, {
    timeout: 15_000
  });
  const row = modelPage.locator('.lt-Versions-row[data-version="1"]');
  await expect(row.locator('.lt-StageBadge')).toHaveText('None');
  await expect(row.locator('.lt-Versions-run')).toHaveText(runId.slice(0, 8));
  const stored = await api(
    page,
    'GET',
    `labtrack/api/registered-models/${MODEL}/versions/1`
  );
  expect(stored.run_id).toBe(runId);
  // The logged model's own folder, and the version knows which model it is.
  expect(stored.source).toMatch(/\/models\/m-[0-9a-f]{32}\/artifacts$/);
  expect(stored.model_id).toMatch(/^m-[0-9a-f]{32}$/);

  // Promote version 1 to Production.
  await row.locator('.lt-Versions-move').selectOption('Production');
  await page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Move' }).click();
  await expect(row.locator('.lt-StageBadge')).toHaveText('Production', {
    timeout: 15_000
  });
  // An alias the registry refuses: its message; then a good one.
  await row.locator('.lt-Aliases-input').fill('v2');
  await row.locator('.lt-Aliases-input').press('Enter');
  await expect(modelPage.locator('.lt-RunPage-error')).toContainText(
    "Invalid alias 'v2'",
    { timeout: 15_000 }
  );
  await row.locator('.lt-Aliases-input').fill('champion');
  await row.locator('.lt-Aliases-input').press('Enter');
  await expect(row.locator('.lt-Alias')).toHaveText(['@champion×'], {
    timeout: 15_000
  });
  await expect(modelPage.locator('.lt-RunPage-error')).toHaveCount(0);
  await row.locator('.lt-Versions-history').click();
  await expect(modelPage.locator('.lt-History li')).toContainText([
    'None → Production'
  ]);
  // The description: edited in place, stored on the model, shown as Markdown.
  await modelPage.locator('.lt-RunPage-description-text').click();
  await modelPage
    .locator('.lt-RunPage-description-input')
    .fill('Predicts **house prices** from rooms and age.');
  await modelPage
    .locator('.lt-RunPage-description-input')
    .press('Control+Enter');
  await expect(modelPage.locator('.lt-RunPage-markdown strong')).toHaveText(
    'house prices',
    { timeout: 15_000 }
  );
  const described = await api(
    page,
    'GET',
    `labtrack/api/registered-models/${MODEL}`
  );
  expect(described.description).toBe(
    'Predicts **house prices** from rooms and age.'
  );
  await saveScreenshot(page, 'model-page.png');

  // The models list (palette): the latest version per stage; the name opens the page.
  await runFromPalette(page, 'labtrack: Open models');
  const list = current(page).locator('.lt-ModelsView');
  const listed = list.locator('.lt-ModelsView-row', { hasText: MODEL });
  await expect(listed.locator('.lt-StageBadge')).toHaveText(['Production v1'], {
    timeout: 15_000
  });
  await expect(listed).toContainText('@champion → v1');
  await expect(listed).toContainText('Predicts **house prices**');
  await saveScreenshot(page, 'models.png');
  await listed.locator('.lt-ModelsView-name').click();
  await expect(current(page).locator('.lt-ModelPage-title')).toHaveText(MODEL);

  // Serving: on, a process that gets ready, endpoints and examples.
  await current(page)
    .locator('.lt-ModelPage-tab', { hasText: 'Serving' })
    .click();
  const serving = current(page).locator('.lt-Serving');
  await serving.locator('.lt-Serving-toggle').click();
  await expect(serving.locator('.lt-Serving-toggle')).toHaveText(
    'Disable serving',
    { timeout: 30_000 }
  );
  await expect(serving.locator('.lt-ServingState')).toHaveText('ready', {
    timeout: 120_000
  });
  const endpoint = `${url()}labtrack/serving/${MODEL}/Production/invocations`;
  await expect(serving.locator('.lt-Serving-endpoints')).toContainText(
    endpoint
  );
  const curl = serving.locator('.lt-CodeBlock-code').first();
  await expect(curl).toContainText(`curl -X POST '${endpoint}'`);
  await expect(curl).toContainText('token <your-jupyter-token>');
  await expect(curl).not.toContainText(token());

  // The test request, prefilled from the model's input example.
  const body = serving.locator('.lt-TestRequest-body');
  await expect(body).toHaveValue(/"rooms"/, { timeout: 15_000 });
  await serving.locator('.lt-TestRequest-send').click();
  const answer = serving.locator('.lt-TestRequest-answer');
  await expect(answer).toContainText('"predictions"', { timeout: 60_000 });
  await expect(serving.locator('.lt-TestRequest-status')).toHaveText(
    'HTTP 200'
  );
  const predictions = JSON.parse(await answer.innerText()).predictions;
  // 2 * rooms + 0.5 * age for the example rows (1, 10) and (2, 5).
  expect(predictions).toHaveLength(2);
  expect(predictions[0]).toBeCloseTo(7, 6);
  expect(predictions[1]).toBeCloseTo(6.5, 6);
  await answer.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'serving.png');

  // A body the model cannot take: the endpoint's 400 message.
  await body.fill('{"dataframe_split": {"columns": ["nope"], "data": [[1]]}}');
  await serving.locator('.lt-TestRequest-send').click();
  await expect(serving.locator('.lt-TestRequest-status')).toHaveText(
    'HTTP 400',
    { timeout: 60_000 }
  );
  await expect(answer).toContainText('message');
  // A body that is not JSON is caught before it is sent.
  await body.fill('{"dataframe_split": ');
  await serving.locator('.lt-TestRequest-send').click();
  await expect(
    serving.locator('.lt-TestRequest .lt-RunPage-error')
  ).toContainText('The request body is not JSON');
  await expect(answer).toHaveCount(0);

  // Traffic, live: the process counted the two requests sent (one refused).
  const traffic = serving.locator(
    '.lt-Serving-metrics tr[data-ref="Production"]'
  );
  await expect(traffic.locator('.lt-Serving-requests')).toHaveText('2', {
    timeout: 15_000
  });
  await expect(traffic.locator('.lt-Serving-errorCount')).toHaveText('1');
  await expect(serving.locator('.lt-Serving-errors')).toContainText(
    'Production · HTTP 400'
  );
  await serving.locator('.lt-Serving-log summary').click();
  await expect(serving.locator('.lt-Serving-log pre')).not.toBeEmpty();
  await serving.locator('.lt-Serving-traffic').scrollIntoViewIfNeeded();
  for (const theme of THEMES) {
    await setTheme(page, theme);
    // A theme change shows JupyterLab's splash for a moment.
    await expect(page.locator('#jupyterlab-splash')).toHaveCount(0);
    await saveScreenshot(page, `serving-traffic-${theme}.png`);
    await expectReadable(page, '.lt-Serving-traffic');
  }
  await setTheme(page, 'light');

  // Serving off again.
  await serving.locator('.lt-Serving-toggle').click();
  await expect(serving.locator('.lt-ServingState')).toHaveText('stopped', {
    timeout: 30_000
  });

  // The status is polled while the tab is shown, and not once it is hidden.
  const polls: string[] = [];
  page.on('request', request => {
    if (
      request.method() === 'GET' &&
      new URL(request.url()).pathname.endsWith('/serving')
    ) {
      polls.push(request.url());
    }
  });
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThan(1);

  // The same model again, as version 2 of the existing model.
  await execute(page, 'labtrack:open-run', { runId });
  await expect(serving).toBeHidden();
  const whenHidden = polls.length;
  await page.waitForTimeout(4_500);
  expect(polls.length).toBe(whenHidden);
  await runPage
    .locator('.lt-LoggedModels-row', { hasText: 'model' })
    .locator('.lt-LoggedModels-register')
    .click({ timeout: 15_000 });
  await dialog
    .locator('.lt-RegisterDialog-mode', { hasText: 'existing model' })
    .locator('input')
    .check({ timeout: 15_000 });
  await expect(dialog.locator('.lt-RegisterDialog-model')).toHaveValue(MODEL);
  await dialog.locator('.jp-mod-accept').click();
  await expect(dialog).toContainText(`Registered ${MODEL}, version 2.`, {
    timeout: 15_000
  });
  await dialog
    .locator('.jp-mod-accept', { hasText: 'Open model page' })
    .click();

  // Version 2 to Production, archiving version 1 in the same step.
  const versions = current(page).locator('.lt-Versions');
  const second = versions.locator('.lt-Versions-row[data-version="2"]');
  await second.locator('.lt-Versions-move').selectOption('Production', {
    timeout: 15_000
  });
  const archive = page.locator('.jp-Dialog .jp-Dialog-checkbox');
  await expect(archive).toContainText(
    'Archive the current Production versions (v1)'
  );
  await expect(archive.locator('input')).toBeChecked();
  await page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Move' }).click();
  await expect(second.locator('.lt-StageBadge')).toHaveText('Production', {
    timeout: 15_000
  });
  await expect(
    versions.locator('.lt-Versions-row[data-version="1"] .lt-StageBadge')
  ).toHaveText('Archived');

  // The sidebar's header opens the models list too.
  await page.keyboard.press('Escape');
  await runFromPalette(page, 'labtrack: Open experiment sidebar');
  await page
    .locator('#labtrack-sidebar button[title="Open the registered models"]')
    .click();
  await expect(
    current(page).locator('.lt-ModelsView-row', { hasText: MODEL })
  ).toContainText('Production v2', { timeout: 15_000 });
});

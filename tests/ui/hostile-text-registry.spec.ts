/**
 * Hostile text in the registry views: a model whose name, description, tags
 * and source run name hold HTML and script payloads
 * (tests/ui/fixtures/hostile_registry.py). The models list, the model page
 * (its Markdown description sanitized) and the Serving tab show them as text;
 * no payload runs (window.__pwned stays undefined) and no dialog opens.
 */
import { expect, Page, test } from '@playwright/test';
import {
  expectInert,
  openLab,
  runFixture,
  runFromPalette,
  watchDialogs
} from './helpers';

interface ISeeded {
  name: string;
  run_id: string;
  payloads: Record<string, string>;
}

let seeded: ISeeded;

test.beforeAll(() => {
  seeded = runFixture('hostile_registry.py');
});

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

test('the models list, model page and Serving tab show hostile text as text', async ({
  page
}) => {
  const dialogs = watchDialogs(page);
  const p = seeded.payloads;
  await openLab(page);

  // The models list: the name and the description's first line, as text.
  await runFromPalette(page, 'labtrack: Open models');
  const list = current(page).locator('.lt-ModelsView');
  const row = list.locator('.lt-ModelsView-row', { hasText: 'model <img' });
  await expect(row.locator('.lt-ModelsView-name')).toHaveText(p.model, {
    timeout: 15_000
  });
  await expect(row.locator('.lt-ModelsView-description')).toHaveText(
    p.model_description
  );
  await expectInert(page, dialogs, list);

  // The model page: the title as text, the description as sanitized Markdown.
  await row.locator('.lt-ModelsView-name').click();
  const modelPage = current(page).locator('.lt-ModelPage');
  await expect(modelPage.locator('.lt-ModelPage-title')).toHaveText(p.model);
  await expect(modelPage.locator('.lt-RunPage-markdown strong')).toHaveText(
    'bold',
    { timeout: 15_000 }
  );
  await expect(
    modelPage.locator('.lt-Versions-row[data-version="1"]')
  ).toBeVisible();
  await expect(modelPage.locator('a[href^="javascript"]')).toHaveCount(0);
  await expectInert(page, dialogs, modelPage);

  // The Serving tab: endpoint URLs and examples carry the name, encoded.
  await modelPage.locator('.lt-ModelPage-tab', { hasText: 'Serving' }).click();
  const serving = current(page).locator('.lt-Serving');
  await expect(serving.locator('.lt-CodeBlock-code').first()).toContainText(
    encodeURIComponent(p.model),
    { timeout: 15_000 }
  );
  await expectInert(page, dialogs, serving);
});

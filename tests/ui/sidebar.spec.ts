import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const url = (): string => process.env.LABTRACK_UI_URL as string;
const token = (): string => process.env.LABTRACK_UI_TOKEN as string;
const home = (): string => process.env.LABTRACK_UI_HOME as string;

/**
 * Save a screenshot under test-results/; also refresh the committed copy in
 * tests/ui/screenshots/ (shown in the README) when it is missing or when
 * LABTRACK_UPDATE_SCREENSHOTS=1, so a test run leaves the work tree clean.
 */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({
    path: path.join(__dirname, '..', '..', 'test-results', name)
  });
  const committed = path.join(__dirname, 'screenshots', name);
  if (
    process.env.LABTRACK_UPDATE_SCREENSHOTS === '1' ||
    !fs.existsSync(committed)
  ) {
    fs.mkdirSync(path.dirname(committed), { recursive: true });
    fs.writeFileSync(committed, image);
  }
}

/** Open JupyterLab with a fresh layout and wait until it is usable. */
async function openLab(page: Page): Promise<void> {
  await page.goto(`${url()}lab?reset&token=${token()}`);
  await expect(page.locator('.jp-Launcher').first()).toBeVisible({
    timeout: 60_000
  });
}

async function runFromPalette(page: Page, label: string): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  const input = page.locator('#modal-command-palette .lm-CommandPalette-input');
  await expect(input).toBeVisible();
  await input.fill(label);
  const item = page
    .locator('#modal-command-palette .lm-CommandPalette-item')
    .filter({ hasText: label })
    .first();
  await expect(item).toBeVisible();
  await item.click();
}

test('the palette command opens the Experiment sidebar, which shows the store', async ({
  page
}) => {
  await openLab(page);

  await runFromPalette(page, 'labtrack: Open experiment sidebar');

  const sidebar = page.locator('#labtrack-sidebar');
  await expect(sidebar).toBeVisible();
  await expect(sidebar.locator('.lt-ExperimentSidebar-title')).toHaveText(
    'Experiment'
  );
  await expect(sidebar.locator('.lt-StoreInfo-trackingUri')).toHaveText(
    `sqlite:///${home()}/labtrack.db`
  );
  await expect(sidebar.locator('.lt-StoreInfo-artifactRoot')).toHaveText(
    `${home()}/artifacts`
  );

  await saveScreenshot(page, 'sidebar.png');
});

test('the right sidebar tab toggles the Experiment panel', async ({ page }) => {
  await openLab(page);
  const sidebar = page.locator('#labtrack-sidebar');
  const tab = page.locator(
    '.jp-SideBar.jp-mod-right .lm-TabBar-tab[title="Experiment"]'
  );

  await tab.click();
  await expect(sidebar).toBeVisible();
  await expect(sidebar.locator('.lt-StoreInfo-trackingUri')).toContainText(
    home()
  );

  await tab.click();
  await expect(sidebar).toBeHidden();
});

test('the sidebar polls the server only while it is visible', async ({
  page
}) => {
  const polls: number[] = [];
  page.on('request', request => {
    if (request.url().includes('/labtrack/api/store')) {
      polls.push(Date.now());
    }
  });
  await openLab(page);
  const tab = page.locator(
    '.jp-SideBar.jp-mod-right .lm-TabBar-tab[title="Experiment"]'
  );

  await tab.click();
  // Default pollInterval is 2000 ms: a fetch on show, then one every 2 s.
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThan(2);
  await tab.click();
  await expect(page.locator('#labtrack-sidebar')).toBeHidden();
  const whenHidden = polls.length;
  await page.waitForTimeout(4_500);

  expect(polls.length).toBe(whenHidden);
});

test('an open sidebar is restored with the page and shows the store', async ({
  page
}) => {
  await openLab(page);
  await runFromPalette(page, 'labtrack: Open experiment sidebar');
  const code = page.locator('#labtrack-sidebar .lt-StoreInfo-trackingUri');
  await expect(code).toBeVisible();

  // The layout is saved to the server a moment later; wait for it, then reload
  // without ?reset so the layout restorer opens the panel again.
  await expect
    .poll(
      async () => {
        const response = await page.request.get(
          `${url()}lab/api/workspaces/default`,
          { headers: { Authorization: `token ${token()}` } }
        );
        const right = (await response.json()).data?.['layout-restorer:data']
          ?.right;
        return right?.current ?? null;
      },
      { timeout: 15_000 }
    )
    .toBe('labtrack-sidebar');
  await page.goto(`${url()}lab?token=${token()}`);

  await expect(code).toHaveText(`sqlite:///${home()}/labtrack.db`);
});

test('the sidebar follows the dark theme', async ({ page }) => {
  await openLab(page);
  await runFromPalette(page, 'labtrack: Open experiment sidebar');
  const code = page.locator('#labtrack-sidebar .lt-StoreInfo-trackingUri');
  await expect(code).toBeVisible();
  const lightText = await code.evaluate(el => getComputedStyle(el).color);

  await runFromPalette(page, 'JupyterLab Dark');
  await expect(
    page.locator('body[data-jp-theme-light="false"]')
  ).toBeAttached();

  await expect
    .poll(() => code.evaluate(el => getComputedStyle(el).color))
    .not.toBe(lightText);
  const background = await page
    .locator('#labtrack-sidebar')
    .evaluate(el => getComputedStyle(el).backgroundColor);
  // A dark panel: every RGB channel well below mid-grey.
  const channels = (background.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  expect(channels.every(c => c < 100)).toBe(true);
});

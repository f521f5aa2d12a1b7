import { expect, test } from '@playwright/test';

import {
  api,
  createNotebook,
  home,
  openLab,
  runFromPalette,
  saveScreenshot,
  token,
  url
} from './helpers';

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

test('the sidebar polls the change marker only while it is visible, kernel or not', async ({
  page
}) => {
  await createNotebook(page, 'polling.ipynb', ['print(1)']);
  const created = await api(page, 'POST', 'labtrack/api/notebook-experiment', {
    path: 'polling.ipynb'
  });
  const polls: number[] = [];
  page.on('request', request => {
    if (request.url().includes('/labtrack/api/changes?')) {
      polls.push(Date.now());
    }
  });
  await openLab(page, 'lab/tree/polling.ipynb');
  // No kernel: the sidebar reads the server, not the kernel.
  await page.waitForFunction(
    () =>
      (window as any).jupyterapp.shell.currentWidget?.sessionContext?.isReady
  );
  await page.evaluate(() =>
    (window as any).jupyterapp.shell.currentWidget.sessionContext.shutdown()
  );
  const tab = page.locator(
    '.jp-SideBar.jp-mod-right .lm-TabBar-tab[title="Experiment"]'
  );

  await tab.click();
  const sidebar = page.locator('#labtrack-sidebar');
  await expect(sidebar.locator('.lt-ExperimentHeader-idValue')).toHaveText(
    created.experiment.experiment_id
  );
  // Default pollInterval is 2000 ms: one question every 2 s.
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThan(2);
  await tab.click();
  await expect(sidebar).toBeHidden();
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

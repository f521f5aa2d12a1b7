/**
 * Two people on one JupyterHub, in a real browser: user-a signs in, finds
 * their private experiment in the sidebar and shares it with the group
 * `team` for READ; user-b signs in, does not see it until then, finds it
 * under "Shared with me" with its owner and run, and the Share dialog tells
 * them they may only read it.
 *
 * Started by tests/hub/test_team_browser.py, which passes HUB_URL,
 * HUB_PASSWORD, EXPERIMENT (user-a's private experiment), RUN (its run's name)
 * and SCREENSHOTS (a folder).
 */
import { Browser, expect, Locator, Page, test } from '@playwright/test';
import * as path from 'path';

import { openSidebar } from '../../ui/helpers';
import { expectReadable, setTheme } from '../../ui/themes';

const HUB = process.env.HUB_URL as string;
const EXPERIMENT = process.env.EXPERIMENT as string;
const RUN = process.env.RUN as string;

async function signIn(browser: Browser, user: string): Promise<Page> {
  // The narrow window the UI tests use for realistic layouts.
  const context = await browser.newContext({
    viewport: { width: 1024, height: 700 }
  });
  const page = await context.newPage();
  await page.goto(`${HUB}hub/login`);
  await page.locator('#username_input').fill(user);
  await page
    .locator('#password_input')
    .fill(process.env.HUB_PASSWORD as string);
  await page.locator('#login_submit').click();
  // Signed in: the hub sends the browser on (to its home, or the running server).
  await page.waitForURL(url => !url.pathname.endsWith('/hub/login'));
  // The server was started by the test: JupyterLab signs in through the hub's OAuth.
  await page.goto(`${HUB}user/${user}/lab?reset`);
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible();
  await page.waitForFunction(() => Boolean((window as any).jupyterapp));
  await page.evaluate(() => (window as any).jupyterapp.restored);
  return page;
}

async function switcher(sidebar: Locator): Promise<Locator> {
  await sidebar.locator('.lt-ExperimentHeader-name').click();
  const list = sidebar.locator('.lt-ExperimentSwitcher');
  await expect(list).toBeVisible();
  return list;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(process.env.SCREENSHOTS as string, `${name}.png`)
  });
}

test('user-a shares an experiment with the team; user-b may read it', async ({
  browser
}) => {
  // user-b first: the experiment is private, so their switcher does not list it.
  const b = await signIn(browser, 'user-b');
  const bSidebar = await openSidebar(b);
  let list = await switcher(bSidebar);
  await list.locator('input[type="search"]').fill(EXPERIMENT);
  await expect(list.locator('.lt-ExperimentSwitcher-empty')).toHaveText(
    'No experiment matches.'
  );
  await b.keyboard.press('Escape');

  // user-a: their experiment, with them as owner; share it with the group.
  const a = await signIn(browser, 'user-a');
  const aSidebar = await openSidebar(a);
  list = await switcher(aSidebar);
  await list.locator('input[type="search"]').fill(EXPERIMENT);
  await list
    .locator('.lt-ExperimentSwitcher-item', { hasText: EXPERIMENT })
    .click();
  await expect(aSidebar.locator('.lt-ExperimentHeader-owner')).toHaveText(
    '· owner user-a'
  );
  await aSidebar
    .locator('button[title="Share this experiment with users or groups"]')
    .click();
  const dialog = a.locator('.jp-Dialog');
  // The title shows the start of a long name.
  await expect(dialog.locator('.jp-Dialog-header')).toContainText(
    `Share experiment "${EXPERIMENT.slice(0, 40)}`
  );
  await expect(dialog.locator('.lt-Share-private')).toBeVisible();
  await dialog.locator('select.lt-Share-kind').selectOption('group');
  await dialog.locator('input.lt-Share-name').fill('team');
  await dialog
    .locator('select[aria-label="Permission to give"]')
    .selectOption('READ');
  await dialog.locator('button.lt-Share-addButton').click();
  const grant = dialog.locator('.lt-Share-grant');
  await expect(grant).toHaveCount(1);
  await expect(grant.locator('th')).toContainText('team');
  await expect(grant.locator('select')).toHaveValue('READ');
  await expectReadable(a, '.jp-Dialog');
  await shot(a, 'team-share-user-a');
  await dialog
    .locator('.jp-Dialog-footer button', { hasText: 'Close' })
    .click();

  // user-b: under "Shared with me", with its owner; its run; read only.
  await b.reload();
  await expect(b.locator('#jp-main-dock-panel')).toBeVisible();
  await b.evaluate(() => (window as any).jupyterapp.restored);
  const bSidebar2 = await openSidebar(b);
  list = await switcher(bSidebar2);
  await list.getByLabel('Shared with me').check();
  const item = list.locator('.lt-ExperimentSwitcher-item', {
    hasText: EXPERIMENT
  });
  await expect(item).toHaveCount(1);
  await expect(item.locator('.lt-ExperimentSwitcher-meta')).toContainText(
    'user-a ·'
  );
  await item.click();
  await expect(bSidebar2.locator('.lt-ExperimentHeader-owner')).toHaveText(
    '· owner user-a'
  );
  await expect(bSidebar2.getByText(RUN, { exact: true })).toBeVisible();
  await bSidebar2
    .locator('button[title="Who can see this experiment"]')
    .click();
  const readOnly = b.locator('.jp-Dialog .lt-Share-readonly');
  await expect(readOnly).toContainText('You have READ permission');
  await expect(b.locator('.jp-Dialog .lt-Share-add')).toHaveCount(0);
  await expectReadable(b, '.jp-Dialog');
  await shot(b, 'team-share-user-b');
  await b.keyboard.press('Escape');

  // Dark theme, switched with the page open: the switcher with owners, the dialog.
  await setTheme(b, 'dark');
  list = await switcher(bSidebar2);
  await list.getByLabel('Shared with me').check();
  await expect(item).toHaveCount(1);
  await expectReadable(b, '.lt-ExperimentSwitcher');
  await shot(b, 'team-switcher-user-b-dark');
  await b.keyboard.press('Escape');
  await bSidebar2
    .locator('button[title="Who can see this experiment"]')
    .click();
  await expect(b.locator('.jp-Dialog .lt-Share-readonly')).toBeVisible();
  await expectReadable(b, '.jp-Dialog');
  await shot(b, 'team-share-user-b-dark');
});

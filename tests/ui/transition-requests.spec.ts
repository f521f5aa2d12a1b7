/**
 * Stage-transition requests on a version's page, in a real JupyterLab at
 * 1024 x 700 in both themes: ask for Staging with a comment and reject it
 * (the version stays), ask for Production (archiving what is there), see
 * the version marked in the versions table, approve it (the version moves,
 * the old one is archived), comment; the activity tells it all. Text
 * contrast is checked with axe; screenshots of the page in each theme.
 */
import { expect, Page, test } from '@playwright/test';

import { api, execute, openLab, saveScreenshot, seed } from './helpers';
import { expectReadable, setTheme, THEMES } from './themes';

test.use({ viewport: { width: 1024, height: 700 } });

let prefix = '';

test.beforeAll(() => {
  prefix = seed('transition_requests.py');
});

/** The visible main-area tab's node. */
const current = (page: Page) =>
  page.locator('#jp-main-dock-panel .lm-DockPanel-widget:visible').last();

for (const theme of THEMES) {
  test(`request then reject, request then approve (${theme})`, async ({
    page
  }) => {
    test.setTimeout(180_000);
    const name = `${prefix}-${theme}`;
    const route = `labtrack/api/registered-models/${name}/versions`;
    await openLab(page);
    await setTheme(page, theme);
    await execute(page, 'labtrack:open-model', { name, version: 2 });
    const version = current(page).locator('.lt-VersionPage');
    await expect(version.locator('.lt-VersionPage-title')).toHaveText(
      'Version 2',
      { timeout: 30_000 }
    );
    await expect(version.locator('.lt-Pending-none')).toBeVisible();

    // Ask for Staging, with a comment; then reject it: the version stays.
    await version.locator('.lt-Requests-open').click();
    await version.locator('.lt-Requests-stage').selectOption('Staging');
    await expect(version.locator('.lt-Requests-archive')).not.toBeChecked();
    await version.locator('.lt-Requests-comment').fill('Validation AUC 0.91');
    await version.locator('.lt-Requests-submit').click();
    const pending = version.locator('.lt-Pending-item');
    await expect(pending).toHaveCount(1, { timeout: 15_000 });
    await expect(pending).toContainText('Validation AUC 0.91');
    await pending.locator('.lt-Pending-reject').click();
    await pending.locator('.lt-Settle-comment').fill('Needs the May data');
    await pending.locator('.lt-Settle-confirm').click();
    await expect(version.locator('.lt-Pending-none')).toBeVisible({
      timeout: 15_000
    });
    expect((await api(page, 'GET', `${route}/2`)).current_stage).toBe('None');
    const activity = version.locator('.lt-Activity-item');
    await expect(activity.first()).toContainText(
      'rejected the request to move to Staging'
    );
    await expect(activity.first()).toContainText('Needs the May data');

    // Ask for Production; archiving version 1 is the default there.
    await version.locator('.lt-Requests-open').click();
    await version.locator('.lt-Requests-stage').selectOption('Production');
    await expect(version.locator('.lt-Requests-archive')).toBeChecked();
    await version.locator('.lt-Requests-comment').fill('Beats v1 on May data');
    await version.locator('.lt-Requests-submit').click();
    await expect(pending).toHaveCount(1, { timeout: 15_000 });
    await expect(pending).toContainText('and to archive the versions');

    // The versions table marks version 2; its mark opens the version again.
    await version.locator('.lt-VersionPage-back').click();
    const row = current(page).locator('.lt-Versions-row[data-version="2"]');
    await expect(row.locator('.lt-Versions-pending')).toHaveText('1 pending', {
      timeout: 15_000
    });
    await expectReadable(page, '.lt-Versions');
    await row.locator('.lt-Versions-pending').click();
    await expect(pending).toHaveCount(1, { timeout: 15_000 });

    // Approve, keeping the requester's wish to archive: v2 moves, v1 is archived.
    await pending.locator('.lt-Pending-approve').click();
    await expect(pending.locator('.lt-Settle-archive')).toBeChecked();
    await pending.locator('.lt-Settle-comment').fill('Ship it');
    await expectReadable(page, '.lt-VersionPage');
    await pending.scrollIntoViewIfNeeded();
    await saveScreenshot(page, `transition-requests-approve-${theme}.png`);
    await pending.locator('.lt-Settle-confirm').click();
    await expect(version.locator('.lt-Pending-none')).toBeVisible({
      timeout: 15_000
    });
    await expect(version.locator('.lt-StageBadge').first()).toHaveText(
      'Production',
      { timeout: 15_000 }
    );
    expect((await api(page, 'GET', `${route}/2`)).current_stage).toBe(
      'Production'
    );
    expect((await api(page, 'GET', `${route}/1`)).current_stage).toBe(
      'Archived'
    );

    // A comment on its own; the activity, newest first.
    await version.locator('.lt-CommentBox-text').fill('Deployed to the API');
    await version.locator('.lt-CommentBox-add').click();
    await expect(activity.first()).toContainText('Deployed to the API', {
      timeout: 15_000
    });
    await expect(activity).toHaveCount(5);
    await expect(activity.nth(1)).toContainText(
      'approved the request to move from None to Production'
    );
    await expect(activity.nth(1)).toContainText('Archived what was in');

    await expectReadable(page, '.lt-VersionPage');
    await version.locator('.lt-Requests').scrollIntoViewIfNeeded();
    await saveScreenshot(page, `transition-requests-${theme}.png`);
  });
}

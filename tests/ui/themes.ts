/**
 * Helpers of the browser tests on themes: switch JupyterLab's theme, read a
 * theme colour, and check text contrast with axe-core's color-contrast rule
 * (axe is injected into the page from the npm package, nothing downloaded).
 */
import { expect, Page } from '@playwright/test';

import { execute } from './helpers';

export type Theme = 'light' | 'dark';

export const THEMES: Theme[] = ['light', 'dark'];

const THEME_NAMES: Record<Theme, string> = {
  light: 'JupyterLab Light',
  dark: 'JupyterLab Dark'
};

/** Switch to `theme` and wait until its CSS is in place. */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  await execute(page, 'apputils:change-theme', { theme: THEME_NAMES[theme] });
  await expect(
    page.locator(`body[data-jp-theme-light="${theme === 'light'}"]`)
  ).toBeAttached();
}

/** A theme variable as the page resolves it (`--jp-ui-font-color1`). */
export async function themeColor(page: Page, name: string): Promise<string> {
  return page.evaluate(variable => {
    const probe = document.createElement('span');
    probe.style.color = `var(${variable})`;
    document.body.appendChild(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, name);
}

/**
 * Run axe-core's color-contrast rule on the elements `selector` matches and
 * fail with every violation (the element, its colours, the ratio) listed.
 */
export async function expectReadable(
  page: Page,
  selector: string
): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async include => {
    const axe = (window as any).axe;
    const result = await axe.run(
      { include: [[include]] },
      { runOnly: { type: 'rule', values: ['color-contrast'] } }
    );
    return result.violations.flatMap((v: any) =>
      v.nodes.map(
        (n: any) => `${n.target.join(' ')}: ${n.failureSummary.split('\n')[1]}`
      )
    );
  }, selector);
  expect(violations, `contrast in ${selector}`).toEqual([]);
}

/**
 * Helpers shared by the browser tests: the server `jupyter-server.ts` started,
 * JupyterLab's commands (exposed as window.jupyterapp), notebooks made through
 * the contents API, and screenshots.
 */
import { expect, Locator, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const url = (): string => process.env.LABTRACK_UI_URL as string;
export const token = (): string => process.env.LABTRACK_UI_TOKEN as string;
export const home = (): string => process.env.LABTRACK_UI_HOME as string;

/**
 * Run a Python script of `fixtures/` against the test server's store (with
 * this checkout's .venv); returns the last line it prints.
 */
export function seed(script: string, args: string[] = []): string {
  const python = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
  const out = execFileSync(
    fs.existsSync(python) ? python : 'python3',
    [path.join(__dirname, 'fixtures', script), ...args],
    { encoding: 'utf8', env: { ...process.env, LABTRACK_HOME: home() } }
  );
  return out.trim().split('\n').pop() as string;
}

/**
 * Save a screenshot under test-results/; also refresh the committed copy in
 * tests/ui/screenshots/ when it is missing or when
 * LABTRACK_UPDATE_SCREENSHOTS=1, so a test run leaves the work tree clean.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  target?: Locator
): Promise<void> {
  const file = path.join(__dirname, '..', '..', 'test-results', name);
  const image = target
    ? await target.screenshot({ path: file })
    : await page.screenshot({ path: file });
  const committed = path.join(__dirname, 'screenshots', name);
  if (
    process.env.LABTRACK_UPDATE_SCREENSHOTS === '1' ||
    !fs.existsSync(committed)
  ) {
    fs.mkdirSync(path.dirname(committed), { recursive: true });
    fs.writeFileSync(committed, image);
  }
}

/** Like `seed`, for a script whose last line is JSON: returns it parsed. */
export function runFixture(script: string, args: string[] = []): any {
  return JSON.parse(seed(script, args));
}

/** Wait until a run page's preview shows an image (a Blob URL) `width` pixels wide. */
export async function expectImagePreview(
  runPage: Locator,
  width: number
): Promise<void> {
  const image = runPage.locator('.lt-Preview-image');
  await expect(image).toHaveAttribute('src', /^blob:/);
  await expect
    .poll(() => image.evaluate(img => (img as HTMLImageElement).naturalWidth))
    .toBe(width);
}

/** Open JupyterLab (at `where`, e.g. `lab/tree/x.ipynb`) with a fresh layout. */
export async function openLab(page: Page, where = 'lab'): Promise<void> {
  await page.goto(`${url()}${where}?reset&token=${token()}`);
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({
    timeout: 60_000
  });
  await page.waitForFunction(() => Boolean((window as any).jupyterapp), null, {
    timeout: 60_000
  });
  // Keyboard shortcuts and the layout are ready once the app is restored.
  await page.evaluate(() => (window as any).jupyterapp.restored);
}

export async function runFromPalette(page: Page, label: string): Promise<void> {
  // The modal palette closes when something takes the focus (a late step of
  // JupyterLab's start on a busy machine): open it again then.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Control+Shift+C');
      const input = page.locator(
        '#modal-command-palette .lm-CommandPalette-input'
      );
      await expect(input).toBeVisible({ timeout: 5_000 });
      await input.fill(label, { timeout: 5_000 });
      const item = page
        .locator('#modal-command-palette .lm-CommandPalette-item')
        .filter({ hasText: label })
        .first();
      await item.click({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 3) {
        throw error;
      }
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Run a JupyterLab command by id; resolves to its result when that is a
 * plain value (a widget a command returns stays in the page).
 */
export async function execute(
  page: Page,
  command: string,
  args: Record<string, unknown> = {}
): Promise<unknown> {
  return page.evaluate(
    async ([id, a]) => {
      const result = await (window as any).jupyterapp.commands.execute(id, a);
      return result === null || typeof result !== 'object' ? result : undefined;
    },
    [command, args] as const
  );
}

/** Call the Jupyter server's REST API with the test token. */
export async function api(
  page: Page,
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  route: string,
  body?: unknown
): Promise<any> {
  const response = await page.request.fetch(`${url()}${route}`, {
    method,
    headers: { Authorization: `token ${token()}` },
    data: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok()) {
    throw new Error(
      `${method} ${route}: ${response.status()} ${await response.text()}`
    );
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Write a notebook of Python code cells through the contents API; `tags`
 * gives cells tags by index (`{ 1: ['parameters'] }`).
 */
export async function createNotebook(
  page: Page,
  name: string,
  cells: string[],
  tags: Record<number, string[]> = {}
): Promise<void> {
  await api(page, 'PUT', `api/contents/${encodeURI(name)}`, {
    type: 'notebook',
    format: 'json',
    content: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: {
          name: 'python3',
          display_name: 'Python 3 (ipykernel)',
          language: 'python'
        },
        language_info: { name: 'python' }
      },
      cells: cells.map((source, i) => ({
        cell_type: 'code',
        id: `cell-${i}`,
        metadata: tags[i] ? { tags: tags[i] } : {},
        source,
        outputs: [],
        execution_count: null
      }))
    }
  });
}

/** Open a notebook in a fresh layout and wait for its kernel to be idle. */
export async function openNotebook(page: Page, name: string): Promise<void> {
  await openLab(page, `lab/tree/${encodeURI(name)}`);
  await expect(page.locator('.jp-NotebookPanel .jp-Cell').first()).toBeVisible({
    timeout: 60_000
  });
  await waitForIdleKernel(page);
}

/** Wait until the active notebook's kernel is started and idle. */
export async function waitForIdleKernel(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const app = (window as any).jupyterapp;
      const panel = app?.shell?.currentWidget;
      const session = panel?.sessionContext;
      return (
        session?.session?.kernel?.id && session.kernelDisplayStatus === 'idle'
      );
    },
    null,
    { timeout: 60_000 }
  );
}

/** Replace the source of cell `index` of the active notebook and run it. */
export async function runCell(
  page: Page,
  index: number,
  source?: string
): Promise<void> {
  await page.evaluate(
    ([i, text]) => {
      const app = (window as any).jupyterapp;
      const notebook = app.shell.currentWidget.content;
      if (text !== null) {
        notebook.model.sharedModel.getCell(i).setSource(text);
      }
      notebook.activeCellIndex = i;
      return app.commands.execute('notebook:run-cell');
    },
    [index, source ?? null] as const
  );
}

/** Append a code cell to the active notebook and run it. */
export async function runNewCell(page: Page, source: string): Promise<void> {
  const index = await page.evaluate(text => {
    const app = (window as any).jupyterapp;
    const model = app.shell.currentWidget.content.model;
    model.sharedModel.insertCell(model.cells.length, {
      cell_type: 'code',
      source: text
    });
    return model.cells.length - 1;
  }, source);
  await runCell(page, index);
}

/**
 * The text of cell `index`'s outputs in the active notebook, without the
 * "Logged N runs" output labtrack adds after a cell that ended runs.
 */
export async function cellOutput(page: Page, index: number): Promise<string> {
  const texts = await page
    .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')
    .nth(index)
    .locator('.jp-OutputArea-child')
    .filter({ hasNot: page.locator('.lt-CellRunsOutput') })
    .allInnerTexts();
  return texts.join('\n');
}

/** Open the Experiment sidebar through the palette. */
export async function openSidebar(page: Page): Promise<Locator> {
  await runFromPalette(page, 'labtrack: Open experiment sidebar');
  const sidebar = page.locator('#labtrack-sidebar');
  await expect(sidebar).toBeVisible();
  return sidebar;
}

// -- the Experiment sidebar ------------------------------------------------------

/** A cell that logs two runs with params and metrics. */
export const TWO_RUNS = `import labtrack as mlflow

for name, alpha in [("ridge-small", 0.1), ("ridge-large", 0.5)]:
    with mlflow.start_run(run_name=name):
        mlflow.log_param("alpha", alpha)
        mlflow.log_param("solver", "svd")
        mlflow.log_metric("rmse", 1 - alpha)
        mlflow.log_metric("r2", alpha)
print("logged")`;

/** The run names in the table, top to bottom. */
export async function runNames(page: Page): Promise<string[]> {
  return page.locator('#labtrack-sidebar .lt-RunsTable-name').allInnerTexts();
}

/** Open a fresh notebook holding `cells`, with the sidebar open. */
export async function notebookWithSidebar(
  page: Page,
  name: string,
  cells: string[]
): Promise<void> {
  await createNotebook(page, name, cells);
  await openNotebook(page, name);
  await openSidebar(page);
}

/**
 * Wait until the sidebar's table shows `expected`; on timeout the error names
 * the experiments and the cell's output, so a CI log alone tells what happened.
 */
export async function expectRunNames(
  page: Page,
  expected: string[],
  cell = 0
): Promise<void> {
  try {
    await expect
      .poll(() => runNames(page), { timeout: 15_000 })
      .toEqual(expected);
  } catch (error) {
    const experiments = await api(
      page,
      'GET',
      'labtrack/api/experiments'
    ).catch(reason => String(reason));
    const output = await cellOutput(page, cell).catch(reason => String(reason));
    throw new Error(
      `${String(error)}\nexperiments: ${JSON.stringify(experiments)}\ncell ${cell} output: ${output}`
    );
  }
}

/** A notebook whose one cell logged TWO_RUNS, the sidebar showing them. */
export async function twoRuns(page: Page, name: string): Promise<void> {
  await notebookWithSidebar(page, name, [TWO_RUNS]);
  await runCell(page, 0);
  await expectRunNames(page, ['ridge-large', 'ridge-small']);
}

/** Drag the right area's edge to make the sidebar `by` pixels wider. */
export async function widenSidebar(page: Page, by: number): Promise<void> {
  const box = await page.locator('#labtrack-sidebar').boundingBox();
  if (!box) {
    return;
  }
  const handles = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle');
  let best: { x: number; y: number } | null = null;
  for (const handle of await handles.all()) {
    const h = await handle.boundingBox();
    if (h && h.width > 0 && Math.abs(h.x - box.x) < 30) {
      best = { x: h.x + h.width / 2, y: h.y + h.height / 2 };
    }
  }
  if (!best) {
    return;
  }
  await page.mouse.move(best.x, best.y);
  await page.mouse.down();
  await page.mouse.move(best.x - by, best.y, { steps: 5 });
  await page.mouse.up();
}

// -- hostile text ----------------------------------------------------------------

/** Collect every dialog (alert, confirm, prompt) the page opens, dismissed. */
export function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

/** No payload ran: no flag set, no dialog, no element the payloads would make. */
export async function expectInert(
  page: Page,
  dialogs: string[],
  view: Locator
): Promise<void> {
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(
    view.locator('img[onerror], svg[onload], script, [onmouseover]')
  ).toHaveCount(0);
}

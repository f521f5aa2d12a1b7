/**
 * First paint of the Experiment sidebar (an experiment of 10,000 runs) and
 * of the compare view (200 runs x 50 keys), in a real JupyterLab and
 * Chromium, with the labtrack JavaScript each one loads.
 *
 *     jlpm bench:ui            # writes bench/ui/results.json and results.md
 *
 * It measures and records; it asserts nothing about time. Each figure is the
 * median of ROUNDS fresh page loads.
 */
import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  api,
  createNotebook,
  execute,
  home,
  token,
  url
} from '../../tests/ui/helpers';

const ROUNDS = Number(process.env.LABTRACK_BENCH_ROUNDS ?? 5);
const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const STATIC = '/lab/extensions/labtrack/static/';

function seed(name: string, runs: number, keys: number): { run_ids: string[] } {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  const out = execFileSync(
    fs.existsSync(venv) ? venv : 'python3',
    [path.join(HERE, 'seed.py'), home(), name, String(runs), String(keys)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
  );
  return JSON.parse(out.trim().split('\n').pop() as string);
}

/** Bytes of labtrack's static files the page fetched, by file, from now on. */
function watchScripts(page: Page): Map<string, number> {
  const sizes = new Map<string, number>();
  page.on('response', response => {
    const file = new URL(response.url()).pathname;
    const at = file.indexOf(STATIC);
    if (at >= 0 && file.endsWith('.js')) {
      void response
        .body()
        .then(body => sizes.set(file.slice(at + STATIC.length), body.length))
        .catch(() => undefined);
    }
  });
  return sizes;
}

/** Wait until no labtrack file arrived for a moment (bodies are read asynchronously). */
async function settle(page: Page, sizes: Map<string, number>): Promise<void> {
  let last = -1;
  while (sizes.size !== last) {
    last = sizes.size;
    await page.waitForTimeout(750);
  }
}

const total = (sizes: Map<string, number>): number =>
  [...sizes.values()].reduce((a, b) => a + b, 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Milliseconds from now until `selector` is in the page (checked every frame). */
async function until(page: Page, selector: string): Promise<number> {
  return page.evaluate(
    sel =>
      new Promise<number>(resolve => {
        const start = performance.now();
        const check = (): void => {
          if (document.querySelector(sel)) {
            resolve(performance.now() - start);
          } else {
            requestAnimationFrame(check);
          }
        };
        check();
      }),
    selector
  );
}

function buildKind(): string {
  const dir = path.join(ROOT, 'src', 'labtrack', 'labextension', 'static');
  const entry = fs.readdirSync(dir).find(f => /^remoteEntry\..*\.js$/.test(f));
  const text = entry ? fs.readFileSync(path.join(dir, entry), 'utf8') : '';
  return text.includes('/******/')
    ? 'development (jlpm build)'
    : 'production (jlpm build:prod)';
}

interface ISample {
  [name: string]: number;
}

test('first paint of the sidebar (10,000 runs) and the compare view (200 runs x 50 keys)', async ({
  page,
  browser
}) => {
  seed('bench-10k.ipynb', 10_000, 5);
  const compared = seed('bench-compare.ipynb', 200, 25).run_ids;
  await createNotebook(page, 'bench-10k.ipynb', ['print(1)']);
  const sidebarSamples: ISample[] = [];
  const compareSamples: ISample[] = [];
  let sidebarFiles = new Map<string, number>();
  let compareFiles = new Map<string, number>();

  for (let round = 0; round < ROUNDS; round++) {
    // A fresh context each round: nothing cached from the round before.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 }
    });
    const fresh = await context.newPage();
    const loaded = watchScripts(fresh);
    await fresh.goto(`${url()}lab/tree/bench-10k.ipynb?reset&token=${token()}`);
    await fresh.waitForFunction(() => Boolean((window as any).jupyterapp));
    await fresh.evaluate(() => (window as any).jupyterapp.restored);
    const restored = await fresh.evaluate(() => performance.now());
    const opening = until(fresh, '#labtrack-sidebar .lt-RunsTable-row');
    await execute(fresh, 'labtrack:open-sidebar');
    const toRows = await opening;
    const sinceNavigation = await fresh.evaluate(() => performance.now());
    await expect(
      fresh.locator('#labtrack-sidebar .lt-RunsTable-row')
    ).toHaveCount(100);
    const beforeRows = new Map(loaded);
    sidebarSamples.push({
      'app restored (ms since navigation)': restored,
      'open sidebar -> first rows (ms)': toRows,
      'first rows (ms since navigation)': sinceNavigation,
      'labtrack JS before first rows (KB)': total(beforeRows) / 1024
    });
    sidebarFiles = beforeRows;

    const before = new Map(loaded);
    const table = until(fresh, '.lt-Compare-table tbody tr');
    const chart = until(fresh, '.lt-Compare-parcoords .main-svg');
    await execute(fresh, 'labtrack:compare-runs', { runIds: compared });
    const toTable = await table;
    const toChart = await chart;
    await settle(fresh, loaded);
    const added = new Map([...loaded].filter(([file]) => !before.has(file)));
    compareSamples.push({
      'compare -> table (ms)': toTable,
      'compare -> parallel coordinates (ms)': toChart,
      'labtrack JS the compare view adds (KB)': total(added) / 1024
    });
    compareFiles = added;
    await context.close();
  }

  const summary = (samples: ISample[]): Record<string, number> =>
    Object.fromEntries(
      Object.keys(samples[0]).map(k => [
        k,
        Math.round(median(samples.map(s => s[k])))
      ])
    );
  const kb = (files: Map<string, number>): Record<string, number> =>
    Object.fromEntries(
      [...files]
        .sort((a, b) => b[1] - a[1])
        .map(([f, n]) => [f, Math.round(n / 1024)])
    );
  const experiments = await api(page, 'GET', 'labtrack/api/experiments');
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
    build: buildKind(),
    rounds: ROUNDS,
    experiments: experiments.experiments.length,
    sidebar: { median: summary(sidebarSamples), files_kb: kb(sidebarFiles) },
    compare: { median: summary(compareSamples), files_kb: kb(compareFiles) },
    samples: { sidebar: sidebarSamples, compare: compareSamples }
  };
  const name = process.env.LABTRACK_BENCH_NAME ?? 'results';
  fs.writeFileSync(
    path.join(HERE, `${name}.json`),
    JSON.stringify(result, null, 2) + '\n'
  );
  const table = (
    title: string,
    part: { median: Record<string, number>; files_kb: Record<string, number> }
  ) =>
    [
      `## ${title}`,
      '',
      '| measure | median |',
      '| --- | ---: |',
      ...Object.entries(part.median).map(([k, v]) => `| ${k} | ${v} |`),
      '',
      '| labtrack file | KB |',
      '| --- | ---: |',
      ...Object.entries(part.files_kb).map(([k, v]) => `| \`${k}\` | ${v} |`),
      ''
    ].join('\n');
  fs.writeFileSync(
    path.join(HERE, `${name}.md`),
    [
      '# UI first paint',
      '',
      `${result.date}; ${result.machine}; labextension build: ${result.build}; median of ${ROUNDS} fresh page loads (jlpm bench:ui).`,
      '',
      table('Experiment sidebar: 10,000 runs (100 rows shown)', result.sidebar),
      table(
        'Compare view: 200 runs x 50 keys (25 params, 25 metrics)',
        result.compare
      )
    ].join('\n')
  );
});

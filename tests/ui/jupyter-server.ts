/**
 * Playwright global setup: start one JupyterLab for the browser tests and
 * return the teardown that stops it by PID.
 *
 * Everything it reads or writes is in a fresh temporary folder: the labtrack
 * store (LABTRACK_HOME), the notebooks, and Jupyter's config, runtime,
 * settings and workspaces folders. Tests find the server through
 * LABTRACK_UI_URL, LABTRACK_UI_TOKEN, LABTRACK_UI_HOME and LABTRACK_UI_NOTEBOOKS.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
const REPO_ROOT = path.resolve(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function jupyterExecutable(): string {
  if (process.env.LABTRACK_JUPYTER) {
    return process.env.LABTRACK_JUPYTER;
  }
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'jupyter');
  return fs.existsSync(venv) ? venv : 'jupyter';
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(
  child: ChildProcess,
  url: string,
  token: string,
  log: string
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new Error(`jupyter lab exited early:\n${tail(log)}`);
    }
    try {
      const response = await fetch(`${url}api/status`, {
        headers: { Authorization: `token ${token}` },
        signal: AbortSignal.timeout(2_000)
      });
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(
    `jupyter lab did not answer within ${START_TIMEOUT_MS / 1000} s:\n${tail(log)}`
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || exited(child)) {
    return;
  }
  const pid = child.pid;
  // The server leads its own process group: kernels it started go with it.
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (!exited(child) && Date.now() < deadline) {
    await sleep(100);
  }
  if (!exited(child)) {
    signal('SIGKILL');
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const tmp = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'labtrack-ui-'))
  );
  const dirs = {
    home: path.join(tmp, 'labtrack-home'),
    notebooks: path.join(tmp, 'notebooks'),
    config: path.join(tmp, 'jupyter-config'),
    runtime: path.join(tmp, 'jupyter-runtime'),
    settings: path.join(tmp, 'lab-settings'),
    workspaces: path.join(tmp, 'lab-workspaces')
  };
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  // No "receive news?" prompt over the panels in screenshots.
  fs.mkdirSync(path.join(dirs.config, 'labconfig'));
  fs.writeFileSync(
    path.join(dirs.config, 'labconfig', 'page_config.json'),
    JSON.stringify({
      disabledExtensions: {
        '@jupyterlab/apputils-extension:announcements': true
      }
    })
  );

  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const url = `http://127.0.0.1:${port}/`;
  const log = path.join(tmp, 'jupyter.log');
  const args = [
    'lab',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port-retries=0',
    `--ServerApp.token=${token}`,
    `--notebook-dir=${dirs.notebooks}`,
    // Tests drive JupyterLab's commands through window.jupyterapp.
    '--LabApp.expose_app_in_browser=True'
  ];
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LABTRACK_HOME: dirs.home,
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTERLAB_SETTINGS_DIR: dirs.settings,
    JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces
  };
  delete env.LABTRACK_TRACKING_URI;
  delete env.LABTRACK_ARTIFACT_ROOT;

  const out = fs.openSync(log, 'w');
  const child = spawn(jupyterExecutable(), args, {
    cwd: dirs.notebooks,
    env,
    detached: true,
    stdio: ['ignore', out, out]
  });
  fs.closeSync(out);
  // If the runner dies without teardown, still take the server down.
  const onExit = (): void => {
    if (child.pid !== undefined && !exited(child)) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.on('exit', onExit);

  try {
    await waitUntilReady(child, url, token, log);
  } catch (error) {
    await stop(child);
    throw error;
  }

  process.env.LABTRACK_UI_URL = url;
  process.env.LABTRACK_UI_TOKEN = token;
  process.env.LABTRACK_UI_HOME = dirs.home;
  process.env.LABTRACK_UI_NOTEBOOKS = dirs.notebooks;

  return async () => {
    await stop(child);
    process.off('exit', onExit);
    // Keep the server's log next to the test results, for failures.
    const results = path.join(REPO_ROOT, 'test-results');
    fs.mkdirSync(results, { recursive: true });
    fs.copyFileSync(log, path.join(results, 'jupyter-server.log'));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}

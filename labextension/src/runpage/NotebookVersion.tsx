/**
 * The run page's notebook version actions: open the captured version
 * read-only, diff it with the notebook on disk, restore it as a new notebook.
 * Each button runs a command of the versions plugin (`versions.ts`).
 */
import * as React from 'react';

import { IRunDetail } from './types';

/** Run a JupyterLab command (`app.commands.execute`). */
export type RunCommand = (
  id: string,
  args: Record<string, string>
) => Promise<unknown>;

/** The versions plugin's commands; each takes `{runId}`. */
export namespace VersionCommands {
  export const open = 'labtrack:open-run-version';
  export const diff = 'labtrack:diff-run-notebook';
  export const restore = 'labtrack:restore-run-notebook';
}

const SOURCE_TAG = 'labtrack.source.name';
const REVISION_TAG = 'labtrack.notebook.revision';

/** The run's source notebook (root-relative), or '' when it was not a notebook. */
export const sourceOf = (run: IRunDetail): string =>
  run.data.tags[SOURCE_TAG] ?? '';

const ACTIONS: { command: string; label: string; className: string }[] = [
  {
    command: VersionCommands.open,
    label: 'Open this version',
    className: 'lt-NotebookVersion-open'
  },
  {
    command: VersionCommands.diff,
    label: 'Diff with current notebook',
    className: 'lt-NotebookVersion-diff'
  },
  {
    command: VersionCommands.restore,
    label: 'Restore as a new notebook',
    className: 'lt-NotebookVersion-restore'
  }
];

export function NotebookVersionActions(props: {
  run: IRunDetail;
  runCommand: RunCommand | null | undefined;
}): JSX.Element | null {
  const { run, runCommand } = props;
  const [busy, setBusy] = React.useState<string | null>(null);
  const [message, setMessage] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  if (!runCommand || !run.data.tags[REVISION_TAG]) {
    return null;
  }
  const hasSource = Boolean(sourceOf(run));
  const click = (command: string): void => {
    setBusy(command);
    setError(null);
    setMessage(null);
    runCommand(command, { runId: run.info.run_id })
      .then(result => {
        if (typeof result === 'string') {
          setMessage(`Restored as ${result}`);
        }
      })
      .catch(reason => setError(String(reason?.message ?? reason)))
      .finally(() => setBusy(null));
  };
  return (
    <div className="lt-NotebookVersion">
      {ACTIONS.map(({ command, label, className }) => (
        <button
          key={command}
          className={`jp-Button ${className}`}
          disabled={
            busy !== null || (command === VersionCommands.diff && !hasSource)
          }
          onClick={() => click(command)}
        >
          {label}
        </button>
      ))}
      {message && <span className="lt-NotebookVersion-message">{message}</span>}
      {error && <div className="lt-RunPage-error">{error}</div>}
    </div>
  );
}

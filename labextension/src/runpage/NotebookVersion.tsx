/**
 * The run page's notebook version actions: open the captured version
 * read-only, diff it with the notebook on disk, restore it as a new notebook.
 * Each button runs a command of the versions plugin (`versions/plugin.ts`).
 */
import * as React from 'react';

import { type IRunDetail, RunTags } from '../api/types';
import { errorMessage } from '../common/errors';
import { sourceOf } from '../common/run';
import { ErrorText } from '../common/Status';
import { CommandIDs, type RunCommand } from '../tokens';

const ACTIONS: { command: string; label: string; className: string }[] = [
  {
    command: CommandIDs.openRunVersion,
    label: 'Open this version',
    className: 'lt-NotebookVersion-open'
  },
  {
    command: CommandIDs.diffRunNotebook,
    label: 'Diff with current notebook',
    className: 'lt-NotebookVersion-diff'
  },
  {
    command: CommandIDs.restoreRunNotebook,
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
  if (!runCommand || !run.data.tags[RunTags.notebookRevision]) {
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
      .catch(reason => setError(errorMessage(reason)))
      .finally(() => setBusy(null));
  };
  return (
    <div className="lt-NotebookVersion">
      {ACTIONS.map(({ command, label, className }) => (
        <button
          key={command}
          className={`jp-Button ${className}`}
          disabled={
            busy !== null ||
            (command === CommandIDs.diffRunNotebook && !hasSource)
          }
          onClick={() => click(command)}
        >
          {label}
        </button>
      ))}
      {message && <span className="lt-NotebookVersion-message">{message}</span>}
      {error && <ErrorText>{error}</ErrorText>}
    </div>
  );
}

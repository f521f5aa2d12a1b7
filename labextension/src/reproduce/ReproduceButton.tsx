/**
 * "Reproduce run" in the run page header (runs with a captured notebook
 * version only): opens a dialog holding a ReproducePanel.
 */
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import '../../style/reproduce.css';
import { IRunDetail } from '../runpage/types';
import { REVISION_TAG } from './logic';
import { ReproducePanel } from './ReproducePanel';

/** Open the dialog; `onOpenRun` opens a run page (the new run's). */
export function openReproduceDialog(
  run: IRunDetail,
  onOpenRun: (runId: string) => void
): void {
  const { run_id, run_name } = run.info;
  let dialog: Dialog<unknown> | null = null;
  const close = (): void => dialog?.reject();
  const body = ReactWidget.create(
    <ReproducePanel
      runId={run_id}
      onClose={close}
      onOpenRun={id => {
        close();
        onOpenRun(id);
      }}
    />
  );
  body.addClass('lt-Reproduce');
  // No dialog buttons: the panel has its own, so Enter in a param input
  // starts the reproduction instead of closing the dialog.
  dialog = new Dialog({
    title: `Reproduce run ${run_name || run_id.slice(0, 8)}`,
    body,
    buttons: [],
    hasClose: true
  });
  void dialog.launch();
}

export function ReproduceButton(props: {
  run: IRunDetail;
  onOpenRun: (runId: string) => void;
}): JSX.Element | null {
  const { run, onOpenRun } = props;
  if (!run.data.tags[REVISION_TAG]) {
    return null;
  }
  return (
    <button
      className="jp-Button lt-Reproduce-button"
      title="Execute this run's notebook version again in a fresh kernel, with params you may change"
      onClick={() => openReproduceDialog(run, onOpenRun)}
    >
      Reproduce run
    </button>
  );
}

/**
 * The "Reproduce run" dialog: a `ReproducePanel` over a `ReproduceState`,
 * which stops following the job when the dialog closes.
 */
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import '../../style/reproduce.css';
import type { LabtrackAPI } from '../api/client';
import { ReproducePanel } from './ReproducePanel';
import { ReproduceState } from './state';

class ReproduceBody extends ReactWidget {
  constructor(
    readonly state: ReproduceState,
    private readonly _onOpenRun: (runId: string) => void,
    private readonly _onClose: () => void
  ) {
    super();
    this.addClass('lt-Reproduce');
    state.changed.connect(() => this.update());
  }

  protected render(): JSX.Element {
    return (
      <ReproducePanel
        state={this.state}
        onClose={this._onClose}
        onOpenRun={this._onOpenRun}
      />
    );
  }
}

/**
 * Open the dialog for run `runId` (titled with `runName`); `onOpenRun`
 * opens a run page (the new run's). Resolves when the dialog closes.
 */
export async function openReproduceDialog(
  api: LabtrackAPI,
  runId: string,
  runName: string,
  onOpenRun: (runId: string) => void
): Promise<void> {
  const state = new ReproduceState(api, runId);
  let dialog: Dialog<unknown> | null = null;
  const close = (): void => dialog?.reject();
  const body = new ReproduceBody(
    state,
    id => {
      close();
      onOpenRun(id);
    },
    close
  );
  // No dialog buttons: the panel has its own, so Enter in a param input
  // starts the reproduction instead of closing the dialog.
  dialog = new Dialog({
    title: `Reproduce run ${runName}`,
    body,
    buttons: [],
    hasClose: true
  });
  void state.load();
  try {
    await dialog.launch();
  } finally {
    state.dispose();
  }
}

import {
  Clipboard,
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/errors';
import { saveFile } from '../common/download';
import { CommandIDs } from '../tokens';
import type { SidebarState } from './state';

/**
 * What the sidebar and the palette commands do that needs JupyterLab's
 * dialogs, clipboard, notifications or other plugins' commands.
 */
export class SidebarActions {
  constructor(state: SidebarState, commands: JupyterFrontEnd['commands']) {
    this._state = state;
    this._commands = commands;
    const watched: string[] = [
      CommandIDs.compareRuns,
      CommandIDs.openRun,
      CommandIDs.share
    ];
    commands.commandChanged.connect((_, args) => {
      if (watched.includes(args.id ?? '') || args.type === 'many-changed') {
        this._commandsChanged.emit();
      }
    });
  }

  /** Emitted when the compare or open-run command comes or goes. */
  get commandsChanged(): ISignal<this, void> {
    return this._commandsChanged;
  }

  /** Whether another plugin provides the compare command. */
  get canCompare(): boolean {
    return this._commands.hasCommand(CommandIDs.compareRuns);
  }

  /** Whether another plugin provides run pages. */
  get canOpenRun(): boolean {
    return this._commands.hasCommand(CommandIDs.openRun);
  }

  async openRun(runId: string): Promise<void> {
    if (this.canOpenRun) {
      await this._commands.execute(CommandIDs.openRun, { runId });
    }
  }

  /**
   * Whether experiments can be shared: the server checks permissions (team
   * mode) and the share plugin is there.
   */
  get canShare(): boolean {
    return this._state.teamMode && this._commands.hasCommand(CommandIDs.share);
  }

  /** The Share dialog of the shown experiment; its header re-read after. */
  async shareExperiment(): Promise<void> {
    const experiment = this._state.experiment;
    if (!experiment || !this.canShare) {
      return;
    }
    await this._commands.execute(CommandIDs.share, {
      kind: 'experiment',
      id: experiment.experiment_id,
      label: experiment.name
    });
    await this._state.refresh();
  }

  /** Open the registered models (the registry plugin's tab). */
  async openModels(): Promise<void> {
    if (this._commands.hasCommand(CommandIDs.openModels)) {
      await this._commands.execute(CommandIDs.openModels);
    }
  }

  async compare(): Promise<void> {
    const runIds = this._state.runs.selection.ids;
    if (!this.canCompare || runIds.length === 0) {
      return;
    }
    const experimentId = this._state.runs.experimentId;
    await this._commands.execute(CommandIDs.compareRuns, {
      runIds,
      experimentIds: experimentId ? [experimentId] : []
    });
  }

  async createExperiment(): Promise<void> {
    const result = await InputDialog.getText({
      title: 'Create an experiment',
      label: 'Name',
      placeholder: 'my-experiment',
      okLabel: 'Create'
    });
    const name = result.value?.trim();
    if (!result.button.accept || !name) {
      return;
    }
    try {
      await this._state.createExperiment(name);
    } catch (reason) {
      this._fail('Cannot create the experiment', reason);
    }
  }

  async renameExperiment(): Promise<void> {
    const current = this._state.experiment;
    if (!current) {
      return;
    }
    const result = await InputDialog.getText({
      title: 'Rename the experiment',
      label: 'Name',
      text: current.name,
      okLabel: 'Rename'
    });
    const name = result.value?.trim();
    if (!result.button.accept || !name || name === current.name) {
      return;
    }
    try {
      await this._state.renameExperiment(name);
    } catch (reason) {
      this._fail('Cannot rename the experiment', reason);
    }
  }

  async deleteExperiment(): Promise<void> {
    const current = this._state.experiment;
    if (!current) {
      return;
    }
    const result = await showDialog({
      title: 'Delete the experiment?',
      body: `“${current.name}” (id ${current.experiment_id}) and its runs move to the deleted experiments; they can be restored.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await this._state.deleteExperiment();
    } catch (reason) {
      this._fail('Cannot delete the experiment', reason);
    }
  }

  copyId(experimentId: string): void {
    Clipboard.copyToSystem(experimentId);
    Notification.info(
      `Copied experiment id ${experimentId}: start_run(experiment_id="${experimentId}")`,
      { autoClose: 3000 }
    );
  }

  async downloadCsv(): Promise<void> {
    try {
      const file = await this._state.fetchCsv();
      if (file) {
        saveFile(file.filename, new Blob([file.text], { type: 'text/csv' }));
      } else {
        Notification.warning('No experiment is shown: nothing to download.', {
          autoClose: 4000
        });
      }
    } catch (reason) {
      this._fail('Cannot download the runs', reason);
    }
  }

  private _fail(what: string, reason: unknown): void {
    Notification.error(`${what}: ${errorMessage(reason)}`, {
      autoClose: 8000
    });
  }

  private _state: SidebarState;
  private _commands: JupyterFrontEnd['commands'];
  private _commandsChanged = new Signal<this, void>(this);
}

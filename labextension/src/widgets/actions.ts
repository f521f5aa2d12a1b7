import {
  Clipboard,
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackModel } from '../model';
import { errorMessage } from '../models/errors';
import { CommandIDs } from '../tokens';

/** Save text as a file through a temporary Blob link. */
export function saveTextFile(
  filename: string,
  text: string,
  type = 'text/csv'
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Let the download start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * What the sidebar and the palette commands do that needs JupyterLab's
 * dialogs, clipboard, notifications or other plugins' commands.
 */
export class SidebarActions {
  constructor(model: LabtrackModel, commands: JupyterFrontEnd['commands']) {
    this._model = model;
    this._commands = commands;
    const watched: string[] = [CommandIDs.compareRuns, CommandIDs.openRun];
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

  /** Open the registered models (the registry plugin's tab). */
  async openModels(): Promise<void> {
    if (this._commands.hasCommand(CommandIDs.openModels)) {
      await this._commands.execute(CommandIDs.openModels);
    }
  }

  async compare(): Promise<void> {
    const runIds = this._model.runs.selection.ids;
    if (!this.canCompare || runIds.length === 0) {
      return;
    }
    const experimentId = this._model.runs.experimentId;
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
      await this._model.createExperiment(name);
    } catch (reason) {
      this._fail('Cannot create the experiment', reason);
    }
  }

  async renameExperiment(): Promise<void> {
    const current = this._model.experiment;
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
      await this._model.renameExperiment(name);
    } catch (reason) {
      this._fail('Cannot rename the experiment', reason);
    }
  }

  async deleteExperiment(): Promise<void> {
    const current = this._model.experiment;
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
      await this._model.deleteExperiment();
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
      const file = await this._model.fetchCsv();
      if (file) {
        saveTextFile(file.filename, file.text);
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

  private _model: LabtrackModel;
  private _commands: JupyterFrontEnd['commands'];
  private _commandsChanged = new Signal<this, void>(this);
}

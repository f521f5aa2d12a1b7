import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { addIcon, downloadIcon, refreshIcon } from '@jupyterlab/ui-components';

import { serverAPI } from '../api/request';
import { labtrackIcon } from '../icons';
import { CommandIDs, PLUGIN_ID } from '../tokens';
import { SidebarActions } from './actions';
import { NotebookWatcher } from './notebooks';
import { followSettings } from './settings';
import { SidebarState } from './state';
import { ExperimentSidebar } from './widget';

/**
 * The Experiment sidebar: the active notebook's runs, live. Works in
 * JupyterLab and in Jupyter Notebook 7 (both have a right area and a
 * notebook tracker; every other token is optional).
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Experiment sidebar: the runs of the active notebook, live; search, sort, CSV.',
  autoStart: true,
  optional: [
    INotebookTracker,
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const api = serverAPI();
    const state = new SidebarState({ api });
    const actions = new SidebarActions(state, app.commands);
    const sidebar = new ExperimentSidebar(state, actions);
    app.shell.add(sidebar, 'right', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);
    if (tracker) {
      new NotebookWatcher(tracker, state);
    }

    const hasExperiment = (): boolean => state.experiment !== null;
    app.commands.addCommand(CommandIDs.openSidebar, {
      label: 'labtrack: Open experiment sidebar',
      caption: 'Show the runs of the active notebook',
      icon: labtrackIcon,
      execute: () => app.shell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.refreshRuns, {
      label: 'labtrack: Refresh runs',
      caption: 'Ask the server for the runs again now',
      icon: refreshIcon,
      execute: () => state.refresh()
    });
    app.commands.addCommand(CommandIDs.downloadCsv, {
      label: 'labtrack: Download runs as CSV',
      caption: 'Download the runs the sidebar shows (its filters) as CSV',
      icon: downloadIcon,
      isEnabled: hasExperiment,
      execute: () => actions.downloadCsv()
    });
    app.commands.addCommand(CommandIDs.createExperiment, {
      label: 'labtrack: Create experiment',
      caption: 'Create an experiment and show it in the sidebar',
      icon: addIcon,
      execute: async () => {
        await actions.createExperiment();
        app.shell.activateById(sidebar.id);
      }
    });
    app.commands.addCommand(CommandIDs.openExperiment, {
      label: args =>
        args.experimentId
          ? `Show experiment ${args.experimentId} in the sidebar`
          : 'labtrack: Show an experiment in the sidebar',
      caption: 'Show the runs of an experiment ({experimentId}) in the sidebar',
      execute: async args => {
        const id = String(args.experimentId ?? '');
        if (!id) {
          throw new Error('labtrack:open-experiment needs {experimentId}');
        }
        state.switchTo(await api.experiments.get(id));
        app.shell.activateById(sidebar.id);
      }
    });
    app.commands.addCommand(CommandIDs.selectRuns, {
      label: 'labtrack: Select runs in the sidebar',
      caption: 'Select these runs ({runIds}) in the Experiment sidebar',
      execute: args => {
        const ids = Array.isArray(args.runIds) ? args.runIds.map(String) : [];
        state.runs.selection.set(ids);
        app.shell.activateById(sidebar.id);
      }
    });
    for (const command of [
      CommandIDs.openSidebar,
      CommandIDs.refreshRuns,
      CommandIDs.downloadCsv,
      CommandIDs.createExperiment
    ]) {
      palette?.addItem({ command, category: 'labtrack' });
    }
    // Only when it flips: every notification re-renders the open palette.
    let couldDownload = hasExperiment();
    state.changed.connect(() => {
      if (hasExperiment() !== couldDownload) {
        couldDownload = hasExperiment();
        app.commands.notifyCommandChanged(CommandIDs.downloadCsv);
      }
    });

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => followSettings(settings, state))
        .catch(reason => {
          console.error('labtrack: cannot load settings', reason);
        });
    }
  }
};

export default plugin;

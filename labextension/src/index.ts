import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { requestAPI } from './handler';
import { labtrackIcon } from './icons';
import { DEFAULT_POLL_INTERVAL, LabtrackModel } from './model';
import { CommandIDs, PLUGIN_ID } from './tokens';
import { ExperimentSidebar } from './widgets/sidebar';

/** The experiment sidebar, its palette command and its settings. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Experiment sidebar: the labtrack store the server reads.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const model = new LabtrackModel({ request: requestAPI });
    const sidebar = new ExperimentSidebar(model);
    app.shell.add(sidebar, 'right', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: 'labtrack: Open experiment sidebar',
      caption: 'Show which labtrack store this server reads',
      icon: labtrackIcon,
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({ command: CommandIDs.openSidebar, category: 'labtrack' });

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = (): void => {
            const value = settings.get('pollInterval').composite;
            model.pollInterval =
              typeof value === 'number' ? value : DEFAULT_POLL_INTERVAL;
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error('labtrack: cannot load settings', reason);
        });
    }
  }
};

export default plugin;

/**
 * Sharing (team mode): the command `labtrack:share` with
 * `{ kind: 'experiment' | 'registered-model', id, label }` opens the Share
 * dialog of an experiment (by id) or a registered model (by name). The
 * sidebar and the model page call it; it does nothing useful on a
 * single-user server, where nothing is checked and nobody calls it.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { serverAPI } from '../api/request';
import { CommandIDs } from '../tokens';
import { shareTarget } from './state';

export const SHARE_PLUGIN_ID = 'labtrack:share';

const plugin: JupyterFrontEndPlugin<void> = {
  id: SHARE_PLUGIN_ID,
  description:
    'Share experiments and registered models with users and groups (team mode).',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    const api = serverAPI();
    app.commands.addCommand(CommandIDs.share, {
      label: args =>
        args.kind === 'registered-model' ? 'Share model…' : 'Share experiment…',
      caption: 'Who may see and change it: users and groups',
      execute: async args => {
        const target = shareTarget(args);
        const { shareDialog } = await import('./ShareDialog');
        await shareDialog(api, target);
      }
    });
  }
};

export default plugin;

/**
 * "Reproduce run": the command `labtrack:reproduce-run` (`{runId, runName}`)
 * opens a dialog that executes the run's captured notebook version again
 * with params the user may change. The run page's button calls it.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { serverAPI } from '../api/request';
import { CommandIDs } from '../tokens';

export const REPRODUCE_PLUGIN_ID = 'labtrack:reproduce';

const plugin: JupyterFrontEndPlugin<void> = {
  id: REPRODUCE_PLUGIN_ID,
  description:
    "Reproduce run: execute a run's notebook version again, with changed params.",
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    app.commands.addCommand(CommandIDs.reproduceRun, {
      label: 'Reproduce run',
      caption:
        "Execute this run's notebook version again in a fresh kernel, with params you may change",
      execute: async args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error('labtrack:reproduce-run needs {runId}');
        }
        const runName = String(args.runName ?? '') || runId.slice(0, 8);
        // The dialog's code loads the first time it opens.
        const { openReproduceDialog } = await import('./dialog');
        void openReproduceDialog(serverAPI(), runId, runName, id => {
          void app.commands.execute(CommandIDs.openRun, { runId: id });
        });
      }
    });
  }
};

export default plugin;

/**
 * Run pages: the command `labtrack:open-run` (`{runId}`) opens a run's page
 * in the main area. The sidebar, the compare view and the registry call it.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { serverAPI } from '../api/request';
import { MainAreaTabs } from '../common/mainArea';
import { markdownRenderer } from '../common/markdown';
import { CommandIDs } from '../tokens';
import type { RunPageWidget } from './widget';

export const RUN_PAGE_PLUGIN_ID = 'labtrack:run-pages';

const plugin: JupyterFrontEndPlugin<void> = {
  id: RUN_PAGE_PLUGIN_ID,
  description: 'Run pages: overview, metric charts, artifacts, notebook.',
  autoStart: true,
  optional: [ILayoutRestorer, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null
  ): void => {
    const pages = new MainAreaTabs<RunPageWidget>(app, 'labtrack-run');
    const renderMarkdown = markdownRenderer(rendermime);
    const openRun = (runId: string): void => {
      void app.commands.execute(CommandIDs.openRun, { runId });
    };
    // The registry plugin provides it; asked when clicked.
    const registerModel = (runId: string, path: string): void => {
      if (app.commands.hasCommand(CommandIDs.registerModel)) {
        void app.commands.execute(CommandIDs.registerModel, { runId, path });
      }
    };

    app.commands.addCommand(CommandIDs.openRun, {
      label: args =>
        args.runId ? `Open run ${args.runId}` : 'labtrack: Open run',
      caption: 'Open a run page: overview, metrics, charts, artifacts',
      execute: async args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error('labtrack:open-run needs {runId}');
        }
        // The page's code loads with the first run page.
        const { RunPageWidget } = await import('./widget');
        return pages.open(
          w => w.runId === runId,
          () =>
            new RunPageWidget({
              api: serverAPI(),
              runId,
              openRun,
              renderMarkdown,
              runCommand: (id, a) => app.commands.execute(id, a),
              registerModel
            })
        );
      }
    });

    pages.restore(restorer, {
      command: CommandIDs.openRun,
      args: w => ({ runId: w.runId }),
      name: w => w.runId
    });
  }
};

export default plugin;

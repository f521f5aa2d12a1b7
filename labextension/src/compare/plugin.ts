/**
 * The compare view: the command `labtrack:compare-runs` (`{runIds}`) opens
 * the runs side by side in a main-area tab. The sidebar calls it when it
 * exists.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { serverAPI } from '../api/request';
import { MainAreaTabs } from '../common/mainArea';
import { CommandIDs } from '../tokens';
import type { CompareWidget } from './widget';

export const COMPARE_PLUGIN_ID = 'labtrack:compare';

const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String).filter(Boolean) : [];

const plugin: JupyterFrontEndPlugin<void> = {
  id: COMPARE_PLUGIN_ID,
  description:
    'Compare runs: params, metrics and tags side by side, plots, notebook diffs.',
  autoStart: true,
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null): void => {
    const views = new MainAreaTabs<CompareWidget>(app, 'labtrack-compare');
    const { commands } = app;

    commands.addCommand(CommandIDs.compareRuns, {
      label: 'labtrack: Compare runs',
      caption: 'Compare runs side by side, with plots',
      execute: async args => {
        const runIds = ids(args.runIds);
        if (runIds.length === 0) {
          throw new Error('labtrack:compare-runs needs {runIds}');
        }
        const key = runIds.join(',');
        // The view's code (and its charts) load with the first compare view.
        const { CompareWidget } = await import('./widget');
        return views.open(
          w => w.runIds.join(',') === key,
          () =>
            new CompareWidget(serverAPI(), runIds, {
              openRun: runId =>
                void commands.execute(CommandIDs.openRun, { runId }),
              // Asked when clicked: the sidebar may register it later.
              canSelectRuns: () => commands.hasCommand(CommandIDs.selectRuns),
              selectRuns: selected =>
                void commands.execute(CommandIDs.selectRuns, {
                  runIds: selected
                })
            })
        );
      }
    });

    views.restore(restorer, {
      command: CommandIDs.compareRuns,
      args: w => ({ runIds: w.runIds }),
      name: w => w.runIds.join(',')
    });
  }
};

export default plugin;

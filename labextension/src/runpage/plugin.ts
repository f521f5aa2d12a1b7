/**
 * Run pages and the compare view: the commands `labtrack:open-run`
 * (`{runId}`) and `labtrack:compare-runs` (`{runIds}`), each opening a
 * main-area tab. The sidebar calls them when they exist.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import '../../style/runpage.css';
import { CompareWidget } from '../compare/widget';
import { CommandIDs } from '../tokens';
import { MarkdownRenderer } from './RunPage';
import { RunPageWidget } from './widget';

export const RUN_PAGE_PLUGIN_ID = 'labtrack:run-pages';
export const OPEN_RUN = 'labtrack:open-run';
export const COMPARE_RUNS = CommandIDs.compareRuns;
export const SELECT_RUNS = 'labtrack:select-runs';

const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String).filter(Boolean) : [];

/** Add a widget to the main area when it is not there yet, and activate it. */
export function showInMain(app: JupyterFrontEnd, widget: Widget): void {
  if (!widget.isAttached) {
    app.shell.add(widget, 'main');
  }
  app.shell.activateById(widget.id);
}

/**
 * Descriptions are Markdown, rendered untrusted (JupyterLab sanitizes the
 * HTML); null without a rendermime registry (then shown as text).
 */
export function markdownRenderer(
  rendermime: IRenderMimeRegistry | null
): MarkdownRenderer | null {
  return rendermime
    ? async (host, text) => {
        const renderer = rendermime.createRenderer('text/markdown');
        const model = rendermime.createModel({
          data: { 'text/markdown': text },
          trusted: false
        });
        await renderer.renderModel(model);
        host.replaceChildren(renderer.node);
        return () => renderer.dispose();
      }
    : null;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: RUN_PAGE_PLUGIN_ID,
  description:
    'Run pages and the compare view (metric charts, artifacts, plots).',
  autoStart: true,
  optional: [ILayoutRestorer, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null
  ): void => {
    const runs = new WidgetTracker<RunPageWidget>({
      namespace: 'labtrack-run'
    });
    const compares = new WidgetTracker<CompareWidget>({
      namespace: 'labtrack-compare'
    });
    const show = (widget: Widget): void => showInMain(app, widget);
    const renderMarkdown = markdownRenderer(rendermime);
    const openRun = (runId: string): void => {
      void app.commands.execute(OPEN_RUN, { runId });
    };
    // The registry plugin provides it; asked when clicked.
    const registerModel = (runId: string, path: string): void => {
      if (app.commands.hasCommand(CommandIDs.registerModel)) {
        void app.commands.execute(CommandIDs.registerModel, { runId, path });
      }
    };

    app.commands.addCommand(OPEN_RUN, {
      label: args =>
        args.runId ? `Open run ${args.runId}` : 'labtrack: Open run',
      caption: 'Open a run page: overview, metrics, charts, artifacts',
      execute: args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error('labtrack:open-run needs {runId}');
        }
        let widget = runs.find(w => w.runId === runId);
        if (!widget) {
          widget = new RunPageWidget(
            runId,
            openRun,
            renderMarkdown,
            (id, a) => app.commands.execute(id, a),
            registerModel
          );
          void runs.add(widget);
        }
        show(widget);
        return widget;
      }
    });

    app.commands.addCommand(COMPARE_RUNS, {
      label: 'labtrack: Compare runs',
      caption: 'Compare runs side by side, with plots',
      execute: args => {
        const runIds = ids(args.runIds);
        if (runIds.length === 0) {
          throw new Error('labtrack:compare-runs needs {runIds}');
        }
        const key = runIds.join(',');
        let widget = compares.find(w => w.runIds.join(',') === key);
        if (!widget) {
          widget = new CompareWidget(runIds, {
            openRun,
            // Asked when clicked: the sidebar may register it later.
            canSelectRuns: () => app.commands.hasCommand(SELECT_RUNS),
            selectRuns: selected =>
              void app.commands.execute(SELECT_RUNS, { runIds: selected })
          });
          void compares.add(widget);
        }
        show(widget);
        return widget;
      }
    });

    if (restorer) {
      void restorer.restore(runs, {
        command: OPEN_RUN,
        args: w => ({ runId: w.runId }),
        name: w => w.runId
      });
      void restorer.restore(compares, {
        command: COMPARE_RUNS,
        args: w => ({ runIds: w.runIds }),
        name: w => w.runIds.join(',')
      });
    }
  }
};

export default plugin;

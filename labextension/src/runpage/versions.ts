/**
 * Captured notebook versions in JupyterLab: open one as a read-only notebook
 * (the `labtrack-version` drive and a notebook widget factory that never
 * starts a kernel), diff it with the notebook on disk, restore it as a new
 * notebook. Commands take `{runId}`; the run page's buttons call them.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
import {
  INotebookWidgetFactory,
  NotebookPanel,
  NotebookWidgetFactory
} from '@jupyterlab/notebook';
import { notebookIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { getRun, restoreNotebook } from './api';
import { NotebookFileDiffWidget } from './diffWidget';
import { sourceOf, VersionCommands } from './NotebookVersion';
import { IRunDetail } from './types';
import { VERSION_DRIVE, VersionDrive, versionPath } from './versionDrive';

export const VERSIONS_PLUGIN_ID = 'labtrack:notebook-versions';
export const VERSION_FACTORY = 'labtrack-version';

const nameOf = (run: IRunDetail): string =>
  run.info.run_name || run.info.run_id.slice(0, 8);

async function runArg(
  args: ReadonlyPartialJSONObject,
  command: string
): Promise<IRunDetail> {
  const runId = String(args.runId ?? '');
  if (!runId) {
    throw new Error(`${command} needs {runId}`);
  }
  return getRun(runId);
}

/** A notebook widget factory like JupyterLab's, but for versions: no kernel, read-only. */
function versionFactory(
  defaults: NotebookWidgetFactory.IFactory
): NotebookWidgetFactory {
  // The token's interface hides them, but JupyterLab's factory is a NotebookWidgetFactory.
  const base = defaults as unknown as NotebookWidgetFactory;
  const factory = new NotebookWidgetFactory({
    name: VERSION_FACTORY,
    label: 'Captured notebook version',
    fileTypes: [VERSION_FACTORY],
    modelName: 'notebook',
    preferKernel: false,
    canStartKernel: false,
    rendermime: base.rendermime,
    contentFactory: base.contentFactory,
    mimeTypeService: base.mimeTypeService,
    editorConfig: defaults.editorConfig,
    notebookConfig: defaults.notebookConfig
  });
  factory.widgetCreated.connect((_, panel: NotebookPanel) => {
    panel.context.model.readOnly = true;
    panel.title.icon = notebookIcon;
    panel.addClass('lt-VersionNotebook');
  });
  return factory;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: VERSIONS_PLUGIN_ID,
  description:
    'Captured notebook versions: open read-only, diff with the notebook on disk, restore.',
  autoStart: true,
  requires: [INotebookWidgetFactory],
  optional: [ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    notebooks: NotebookWidgetFactory.IFactory,
    restorer: ILayoutRestorer | null
  ): void => {
    app.serviceManager.contents.addDrive(new VersionDrive());
    app.docRegistry.addFileType({
      name: VERSION_FACTORY,
      displayName: 'Captured notebook version',
      extensions: [],
      mimeTypes: ['application/x-ipynb+json'],
      contentType: 'notebook',
      fileFormat: 'json',
      icon: notebookIcon
    });
    app.docRegistry.addWidgetFactory(versionFactory(notebooks));

    const diffs = new WidgetTracker<NotebookFileDiffWidget>({
      namespace: 'labtrack-file-diff'
    });

    /** A command on one run: `{runId}` is fetched, then `run` does the rest. */
    const addRunCommand = (
      id: string,
      label: string,
      caption: string,
      run: (
        detail: IRunDetail,
        args: ReadonlyPartialJSONObject
      ) => Promise<unknown>
    ): void => {
      app.commands.addCommand(id, {
        label,
        caption,
        execute: async args => run(await runArg(args, id), args)
      });
    };

    addRunCommand(
      VersionCommands.open,
      'Open this version',
      'Open the notebook version that made this run, read-only',
      run =>
        app.commands.execute('docmanager:open', {
          path: versionPath(
            run.info.run_id,
            sourceOf(run) || 'notebook.ipynb',
            nameOf(run)
          ),
          factory: VERSION_FACTORY
        })
    );

    addRunCommand(
      VersionCommands.diff,
      'Diff with current notebook',
      "Cell-by-cell diff of this run's notebook version and the notebook on disk",
      async (run, args) => {
        const path = String(args.path ?? '') || sourceOf(run);
        if (!path) {
          throw new Error(
            'This run was not started from a notebook: there is no notebook to diff with.'
          );
        }
        const runId = run.info.run_id;
        let widget = diffs.find(w => w.runId === runId && w.path === path);
        if (!widget) {
          widget = new NotebookFileDiffWidget(runId, nameOf(run), path);
          void diffs.add(widget);
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    );

    addRunCommand(
      VersionCommands.restore,
      'Restore as a new notebook',
      "Write this run's notebook version as a new notebook next to the source, and open it",
      async run => {
        const { path } = await restoreNotebook(run.info.run_id);
        await app.commands.execute('docmanager:open', { path });
        return path;
      }
    );

    if (restorer) {
      void restorer.restore(diffs, {
        command: VersionCommands.diff,
        args: w => ({ runId: w.runId, path: w.path }),
        name: w => `${w.runId}:${w.path}`
      });
    }
  }
};

export { VERSION_DRIVE, VersionCommands };
export default plugin;

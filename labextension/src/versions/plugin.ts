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
import {
  INotebookWidgetFactory,
  NotebookPanel,
  NotebookWidgetFactory
} from '@jupyterlab/notebook';
import { notebookIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import type { LabtrackAPI } from '../api/client';
import { serverAPI, serverSettings } from '../api/request';
import type { IRunDetail } from '../api/types';
import { MainAreaTabs } from '../common/mainArea';
import { currentSourceOf, runName, sourceOf } from '../common/run';
import { CommandIDs } from '../tokens';
import type { NotebookFileDiffWidget } from './diffWidget';
import { VersionDrive, versionPath } from './drive';

export const VERSIONS_PLUGIN_ID = 'labtrack:notebook-versions';
export const VERSION_FACTORY = 'labtrack-version';

async function runArg(
  api: LabtrackAPI,
  args: ReadonlyPartialJSONObject,
  command: string
): Promise<IRunDetail> {
  const runId = String(args.runId ?? '');
  if (!runId) {
    throw new Error(`${command} needs {runId}`);
  }
  return api.runs.get(runId);
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
    const api = serverAPI();
    app.serviceManager.contents.addDrive(
      new VersionDrive(runId => api.notebooks.get(runId), serverSettings())
    );
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

    const diffs = new MainAreaTabs<NotebookFileDiffWidget>(
      app,
      'labtrack-file-diff'
    );

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
        execute: async args => run(await runArg(api, args, id), args)
      });
    };

    addRunCommand(
      CommandIDs.openRunVersion,
      'Open this version',
      'Open the notebook version that made this run, read-only',
      run =>
        app.commands.execute('docmanager:open', {
          path: versionPath(
            run.info.run_id,
            sourceOf(run) || 'notebook.ipynb',
            runName(run)
          ),
          factory: VERSION_FACTORY
        })
    );

    addRunCommand(
      CommandIDs.diffRunNotebook,
      'Diff with current notebook',
      "Cell-by-cell diff of this run's notebook version and the notebook on disk",
      async (run, args) => {
        if (!sourceOf(run)) {
          throw new Error(
            'This run was not started from a notebook: there is no notebook to diff with.'
          );
        }
        // The notebook may have been renamed since the run: its experiment knows.
        const experiment = await api.experiments
          .get(run.info.experiment_id)
          .catch(() => null);
        const path =
          String(args.path ?? '') || currentSourceOf(run, experiment);
        const runId = run.info.run_id;
        const { NotebookFileDiffWidget } = await import('./diffWidget');
        return diffs.open(
          w => w.runId === runId && w.path === path,
          () => new NotebookFileDiffWidget(api, runId, runName(run), path)
        );
      }
    );

    addRunCommand(
      CommandIDs.restoreRunNotebook,
      'Restore as a new notebook',
      "Write this run's notebook version as a new notebook next to the source, and open it",
      async run => {
        const { path } = await api.notebooks.restore(run.info.run_id);
        await app.commands.execute('docmanager:open', { path });
        return path;
      }
    );

    diffs.restore(restorer, {
      command: CommandIDs.diffRunNotebook,
      args: w => ({ runId: w.runId, path: w.path }),
      name: w => `${w.runId}:${w.path}`
    });
  }
};

export default plugin;

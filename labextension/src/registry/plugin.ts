/**
 * The model registry in JupyterLab: the commands `labtrack:open-models`
 * (palette: "labtrack: Open models"), `labtrack:open-model` (`{name}`, with
 * an optional `tab`: `versions` or `serving`, and `version`: that version's page) and `labtrack:register-model`
 * (`{runId, path}`: the dialog the run page's artifacts tree opens).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { serverAPI, serverBaseUrl } from '../api/request';
import { MainAreaTabs } from '../common/mainArea';
import { markdownRenderer } from '../common/markdown';
import { CommandIDs } from '../tokens';
import type { ModelPageWidget, ModelsWidget } from './widget';

/** The registry's views, loaded with the first of them opened (styles too). */
const views = () => import('./widget');

export const REGISTRY_PLUGIN_ID = 'labtrack:registry';

const plugin: JupyterFrontEndPlugin<void> = {
  id: REGISTRY_PLUGIN_ID,
  description:
    'Model registry: the models list, model pages (versions, stages, aliases) and serving.',
  autoStart: true,
  optional: [ILayoutRestorer, IRenderMimeRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    palette: ICommandPalette | null
  ): void => {
    const api = serverAPI();
    const lists = new MainAreaTabs<ModelsWidget>(app, 'labtrack-models');
    const pages = new MainAreaTabs<ModelPageWidget>(app, 'labtrack-model');
    const renderMarkdown = markdownRenderer(rendermime);
    const openModel = (name: string): void => {
      void app.commands.execute(CommandIDs.openModel, { name });
    };
    const openRun = (runId: string): void => {
      void app.commands.execute(CommandIDs.openRun, { runId });
    };

    app.commands.addCommand(CommandIDs.openModels, {
      label: 'labtrack: Open models',
      caption: 'The registered models: versions per stage, serving',
      execute: async () => {
        const open = lists.find(() => true);
        if (open) {
          void open.refresh();
        }
        const { ModelsWidget } = await views();
        return lists.open(
          () => true,
          () => new ModelsWidget(api, openModel)
        );
      }
    });

    app.commands.addCommand(CommandIDs.openModel, {
      label: args =>
        args.name ? `Open model ${args.name}` : 'labtrack: Open model',
      caption: 'A registered model: versions, stages, aliases, serving',
      execute: async args => {
        const name = String(args.name ?? '');
        if (!name) {
          throw new Error('labtrack:open-model needs {name}');
        }
        const { ModelPageWidget } = await views();
        const widget = pages.open(
          w => w.modelName === name,
          () =>
            new ModelPageWidget({
              api,
              modelName: name,
              baseUrl: serverBaseUrl(),
              openRun,
              share: modelName =>
                app.commands.execute(CommandIDs.share, {
                  kind: 'registered-model',
                  id: modelName,
                  label: modelName
                }),
              renderMarkdown
            })
        );
        if (args.tab === 'serving' || args.tab === 'versions') {
          widget.tab = args.tab;
        }
        if (args.version !== undefined && args.version !== null) {
          const version = Number(args.version);
          if (!Number.isInteger(version) || version < 1) {
            throw new Error(
              `labtrack:open-model: version must be a version number, not ${String(args.version)}`
            );
          }
          widget.state.openVersion(version);
        }
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.registerModel, {
      label: 'labtrack: Register model',
      caption: "Register a run's model folder in the model registry",
      execute: async args => {
        const runId = String(args.runId ?? '');
        const path = String(args.path ?? '');
        if (!runId || !path) {
          throw new Error('labtrack:register-model needs {runId, path}');
        }
        const { registerModelDialog } = await import('./RegisterDialog');
        const version = await registerModelDialog(api, runId, path, name =>
          app.commands.execute(CommandIDs.openModel, { name, tab: 'versions' })
        );
        lists.forEach(w => void w.refresh());
        pages.forEach(w => {
          if (w.modelName === version?.name) {
            void w.refresh();
          }
        });
        return version;
      }
    });

    palette?.addItem({ command: CommandIDs.openModels, category: 'labtrack' });

    lists.restore(restorer, {
      command: CommandIDs.openModels,
      name: () => 'models'
    });
    pages.restore(restorer, {
      command: CommandIDs.openModel,
      args: w => ({ name: w.modelName }),
      name: w => w.modelName
    });
  }
};

export default plugin;

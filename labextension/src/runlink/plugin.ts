/**
 * Links in a cell's output to the runs it logged: registers the renderer of
 * `application/vnd.labtrack.run-link+json` (what the kernel displays after a
 * cell that ended runs), whose links run `labtrack:open-run` and
 * `labtrack:open-experiment`. Other front ends show the bundle's text, with
 * each run's address `<server>/lab?labtrack-run=<run id>`: opened in
 * JupyterLab, the router sends it to the run's page.
 */
import {
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import '../../style/runlink.css';
import { CommandIDs } from '../tokens';
import { RUN_LINK_MIME, RunLinkRenderer } from './renderer';
import { RUN_PARAM, runIdFromSearch } from './route';

/** The command the router runs for `...lab?labtrack-run=<run id>`. */
const OPEN_FROM_URL = 'labtrack:open-run-from-url';

/** Send `...lab?labtrack-run=<run id>` (the cell output's plain-text link) to the run page. */
function routeRunUrls(app: JupyterFrontEnd, router: IRouter): void {
  app.commands.addCommand(OPEN_FROM_URL, {
    label: 'Open the run an address names',
    execute: args => {
      const runId = runIdFromSearch(String(args.search ?? ''));
      if (runId) {
        return app.commands.execute(CommandIDs.openRun, { runId });
      }
    }
  });
  router.register({ command: OPEN_FROM_URL, pattern: RUN_PARAM, rank: 90 });
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'labtrack:run-links',
  description:
    "Links from a notebook cell's output to the runs it logged and their experiment.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IRouter],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    router: IRouter | null
  ): void => {
    if (router) {
      routeRunUrls(app, router);
    }
    rendermime.addFactory(
      {
        // Data only, drawn as text: safe in untrusted notebooks too.
        safe: true,
        mimeTypes: [RUN_LINK_MIME],
        createRenderer: () =>
          new RunLinkRenderer((command, args) => {
            void app.commands.execute(
              command === 'run'
                ? CommandIDs.openRun
                : CommandIDs.openExperiment,
              args
            );
          })
      },
      // Before text/plain (the bundle's other part), after the standard rich types.
      50
    );
  }
};

export default plugin;

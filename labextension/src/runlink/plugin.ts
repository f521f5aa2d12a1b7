/**
 * Links in a cell's output to the runs it logged: registers the renderer of
 * `application/vnd.labtrack.run-link+json` (what the kernel displays after a
 * cell that ended runs), whose links run `labtrack:open-run` and
 * `labtrack:open-experiment`. Other front ends show the bundle's text.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import '../../style/runlink.css';
import { CommandIDs } from '../tokens';
import { RUN_LINK_MIME, RunLinkRenderer } from './renderer';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'labtrack:run-links',
  description:
    "Links from a notebook cell's output to the runs it logged and their experiment.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void => {
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

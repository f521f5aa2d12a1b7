/**
 * What the plugins share: the plugin id, every command id and the
 * signatures that cross plugin boundaries. A feature reaches another only
 * through a command (`labtrack:open-run`, ...), never by importing it.
 * Wire types live in `api/types.ts`.
 */

/** The sidebar's plugin id; also names the settings schema (`schema/plugin.json`). */
export const PLUGIN_ID = 'labtrack:plugin';

/** Command ids. */
export namespace CommandIDs {
  export const openSidebar = 'labtrack:open-sidebar';
  export const refreshRuns = 'labtrack:refresh-runs';
  export const downloadCsv = 'labtrack:download-runs-csv';
  export const createExperiment = 'labtrack:create-experiment';
  /**
   * Compare runs; implemented by the compare plugin. Called with
   * `{ runIds: string[], experimentIds: string[] }`.
   */
  export const compareRuns = 'labtrack:compare-runs';
  /** Open a run's page (`{ runId }`); implemented by the run pages plugin. */
  export const openRun = 'labtrack:open-run';
  /**
   * Show an experiment's runs in the sidebar (`{ experimentId }`); the run
   * page's link back to its experiment. Implemented by the sidebar plugin.
   */
  export const openExperiment = 'labtrack:open-experiment';
  /** Select runs in the sidebar's table (`{ runIds }`), e.g. from a plot. */
  export const selectRuns = 'labtrack:select-runs';
  /** The registered models (main-area tab); implemented by the registry plugin. */
  export const openModels = 'labtrack:open-models';
  /** A registered model's page (`{ name }`). */
  export const openModel = 'labtrack:open-model';
  /** Register a run's model folder (`{ runId, path }`): a dialog. */
  export const registerModel = 'labtrack:register-model';
  /** Open a run's notebook version read-only (`{ runId }`). */
  export const openRunVersion = 'labtrack:open-run-version';
  /** Diff a run's notebook version with the notebook on disk (`{ runId }`). */
  export const diffRunNotebook = 'labtrack:diff-run-notebook';
  /** Restore a run's notebook version as a new notebook (`{ runId }`). */
  export const restoreRunNotebook = 'labtrack:restore-run-notebook';
  /** Reproduce a run (`{ runId, runName }`): a dialog; implemented by the reproduce plugin. */
  export const reproduceRun = 'labtrack:reproduce-run';
  /**
   * Who may see and change an experiment or a registered model (team mode):
   * `{ kind: 'experiment' | 'registered-model', id, label }`, a dialog.
   * Implemented by the share plugin.
   */
  export const share = 'labtrack:share';
}

/** Run a JupyterLab command (`app.commands.execute`). */
export type RunCommand = (
  id: string,
  args: Record<string, string>
) => Promise<unknown>;

/** Small readings of a run that several views share. */
import {
  ExperimentTags,
  type IExperiment,
  type IRunDetail,
  RunTags
} from '../api/types';

/** A run's name, or the start of its id when it has none. */
export const runName = (run: IRunDetail): string =>
  run.info.run_name || run.info.run_id.slice(0, 8);

/** The run's source notebook (root-relative), or '' when it was not a notebook. */
export const sourceOf = (run: IRunDetail): string =>
  run.data.tags[RunTags.sourceName] ?? '';

/**
 * Where the run's source notebook is now. A notebook's experiment is renamed
 * by the server when the notebook is (it is named after the path), while the
 * run keeps the path it was started from: when the run's experiment is the
 * experiment of the same notebook (same notebook id), its name is the path.
 */
export function currentSourceOf(
  run: IRunDetail,
  experiment: IExperiment | null
): string {
  const source = sourceOf(run);
  const id = run.data.tags[RunTags.notebookId];
  if (
    experiment &&
    id &&
    experiment.experiment_id === run.info.experiment_id &&
    experiment.lifecycle_stage !== 'deleted' &&
    experiment.tags[ExperimentTags.type] === 'NOTEBOOK' &&
    experiment.tags[ExperimentTags.notebookId] === id &&
    experiment.name.endsWith('.ipynb')
  ) {
    return experiment.name;
  }
  return source;
}

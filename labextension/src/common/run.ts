/** Small readings of a run that several views share. */
import { type IRunDetail, RunTags } from '../api/types';

/** A run's name, or the start of its id when it has none. */
export const runName = (run: IRunDetail): string =>
  run.info.run_name || run.info.run_id.slice(0, 8);

/** The run's source notebook (root-relative), or '' when it was not a notebook. */
export const sourceOf = (run: IRunDetail): string =>
  run.data.tags[RunTags.sourceName] ?? '';

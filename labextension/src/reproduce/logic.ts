/**
 * Pure logic of "Reproduce run": which params changed, the progress label,
 * the drift rows and the error's title. No DOM, so jest tests it in Node.
 */
import { formatNumber, toNumber } from '../common/format';
import {
  IDriftRow,
  IJobError,
  IPackageDifference,
  IReproduceParameter,
  IReproductionJob,
  JobState
} from '../api/types';

/** Poll a job every second while it is queued or running. */
export const POLL_INTERVAL = 1000;

/** True while the job may still change. */
export function isActive(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

/** The params whose text differs from the value the reproduction would use. */
export function changedParams(
  parameters: IReproduceParameter[],
  drafts: Record<string, string>
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parameters) {
    const draft = drafts[p.name];
    if (draft !== undefined && draft !== p.text) {
      out[p.name] = draft;
    }
  }
  return out;
}

/** What the dialog says a param takes, from the kind of its default. */
export function kindHint(kind: IReproduceParameter['kind']): string {
  switch (kind) {
    case 'number':
      return 'number';
    case 'str':
      return 'text';
    case 'bool':
      return 'True or False';
    default:
      return 'Python literal';
  }
}

/** "cell 3 of 5", or what the job waits for. */
export function progressLabel(job: IReproductionJob): string {
  const { done, total } = job.progress;
  switch (job.state) {
    case 'queued':
      return 'Waiting for another reproduction to finish…';
    case 'running':
      return total === 0 ? 'Starting a kernel…' : `cell ${done} of ${total}`;
    case 'finished':
      return `Done: ${total} cells run`;
    default:
      return total === 0
        ? 'Failed before the first cell'
        : `Stopped at cell ${done} of ${total}`;
  }
}

/** The progress bar's value, 0 to 1 (0 while the total is unknown). */
export function progressFraction(job: IReproductionJob): number {
  const { done, total } = job.progress;
  return total > 0 ? Math.min(1, done / total) : 0;
}

/** A drift row as text; `direction` says how the metric moved. */
export interface IDriftText {
  metric: string;
  original: string;
  new: string;
  difference: string;
  direction: 'up' | 'down' | 'same' | 'unknown';
}

const text = (value: IDriftRow['original']): string =>
  value === null ? '–' : formatNumber(toNumber(value));

export function driftText(rows: IDriftRow[]): IDriftText[] {
  return rows.map(row => {
    const diff = row.difference === null ? NaN : toNumber(row.difference);
    const direction = Number.isNaN(diff)
      ? 'unknown'
      : diff > 0
        ? 'up'
        : diff < 0
          ? 'down'
          : 'same';
    return {
      metric: row.metric,
      original: text(row.original),
      new: text(row.new),
      difference:
        direction === 'up' ? `+${text(row.difference)}` : text(row.difference),
      direction
    };
  });
}

/** "numpy 1.26.4 → 2.0.0", "scipy 1.13.0 → not installed". */
export function packageText(diff: IPackageDifference): string {
  return `${diff.name} ${diff.recorded} → ${diff.current ?? 'not installed'}`;
}

/** "Cell 4 raised ValueError: n must be positive", else the message. */
export function errorTitle(error: IJobError): string {
  if (error.cell_index === undefined || error.cell_index === null) {
    return error.message;
  }
  const value = error.evalue ? `: ${error.evalue}` : '';
  return `Cell ${error.cell_index + 1} raised ${error.ename ?? 'an error'}${value}`;
}

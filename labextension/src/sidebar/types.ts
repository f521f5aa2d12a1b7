/** Types of the sidebar's state: the query the user builds, the notebooks it follows. */
import type { IRunRow } from '../api/types';

/** One clause of the sort: a builtin column or `params.x` / `metrics.y` / `tags.z`. */
export interface ISortKey {
  column: string;
  ascending: boolean;
}

/** The start-time quick filter. */
export type StartedWithin = 'all' | 'hour' | 'day' | 'week' | 'month';

/** What the user asks of the runs table; the runs state turns it into a query string. */
export interface IRunQuery {
  /** The filter language text, as typed. */
  filter: string;
  /** Statuses to show; empty = every status. */
  statuses: string[];
  startedWithin: StartedWithin;
  hasModel: boolean;
  hasRegisteredModel: boolean;
  /** null = the server's order (newest first). */
  sort: ISortKey | null;
}

/** A notebook as the sidebar knows it. */
export interface INotebookRef {
  /** Root-relative path, e.g. `sub/demo.ipynb`. */
  path: string;
  /** `metadata.labtrack.notebook_id`. */
  notebookId: string | null;
  /** The running kernel's id, null without a kernel. */
  kernelId: string | null;
}

/** Reads the live notebook served by a kernel (for run notebook versions). */
export interface INotebookSource {
  /** The notebook whose kernel has this id, or null when none is open here. */
  findByKernel(kernelId: string): {
    path: string;
    toJSON(): unknown;
  } | null;
}

/** Why rows were fetched (the snapshot logic treats a poll differently). */
export type FetchReason = 'load' | 'poll' | 'more';

/** What `fetched` carries. */
export interface IFetched {
  experimentId: string;
  rows: IRunRow[];
  reason: FetchReason;
}

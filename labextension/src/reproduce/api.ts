/** The calls of "Reproduce run", through `requestAPI`. */
import { requestAPI } from '../handler';
import { IReproduceInfo, IReproductionJob } from './types';

const route = (runId: string): string =>
  `runs/${encodeURIComponent(runId)}/reproduce`;

/** The parameters a reproduction would use and the environment differences. */
export const getReproduceInfo = (runId: string): Promise<IReproduceInfo> =>
  requestAPI<IReproduceInfo>(route(runId));

/** Start a reproduction; `params` holds the edited values as text. */
export const startReproduction = (
  runId: string,
  params: Record<string, string>
): Promise<IReproductionJob> =>
  requestAPI<IReproductionJob>(route(runId), {
    method: 'POST',
    body: JSON.stringify({ params })
  });

export const getReproduction = (
  runId: string,
  jobId: string
): Promise<IReproductionJob> =>
  requestAPI<IReproductionJob>(`${route(runId)}/${encodeURIComponent(jobId)}`);

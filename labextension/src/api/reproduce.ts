/** "Reproduce run": `runs/{id}/reproduce` and its jobs. */
import { type ITransport, jsonInit, q } from './transport';
import type { IReproduceInfo, IReproductionJob } from './types';

const route = (runId: string): string => `runs/${q(runId)}/reproduce`;

export class ReproduceAPI {
  constructor(private readonly _transport: ITransport) {}

  /** The parameters a reproduction would use and the environment differences. */
  info(runId: string): Promise<IReproduceInfo> {
    return this._transport.request<IReproduceInfo>(route(runId));
  }

  /** Start a reproduction; `params` holds the edited values as text. */
  start(
    runId: string,
    params: Record<string, string>
  ): Promise<IReproductionJob> {
    return this._transport.request<IReproductionJob>(
      route(runId),
      jsonInit('POST', { params })
    );
  }

  job(runId: string, jobId: string): Promise<IReproductionJob> {
    return this._transport.request<IReproductionJob>(
      `${route(runId)}/${q(jobId)}`
    );
  }
}

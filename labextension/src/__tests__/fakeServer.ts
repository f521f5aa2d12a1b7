/**
 * A stand-in for the server in unit tests: routes requests to handlers by
 * path, records every call, and raises errors shaped like the real ones
 * (a `response.status` and the server's message). `fake.api` is a
 * `LabtrackAPI` that reaches it.
 */
import { LabtrackAPI } from '../api/client';
import type { IRawReply, ITransport, RequestAPI } from '../api/transport';

export interface ICall {
  path: string;
  params: URLSearchParams;
  method: string;
  body: any;
}

export type Handler = (call: ICall) => unknown;

/** An error like `ServerConnection.ResponseError`. */
export class HttpError extends Error {
  constructor(status: number, message: string) {
    super(message);
    this.response = { status };
  }
  response: { status: number };
}

export class FakeServer {
  constructor(routes: Record<string, Handler> = {}) {
    this.routes = { ...routes };
  }

  routes: Record<string, Handler>;
  calls: ICall[] = [];

  /** The calls to one path (`runs`, `changes`, ...). */
  callsTo(path: string, method = 'GET'): ICall[] {
    return this.calls.filter(c => c.path === path && c.method === method);
  }

  readonly request: RequestAPI = (async (
    endPoint: string,
    init?: RequestInit
  ) => {
    const [path, query = ''] = endPoint.split('?');
    const call: ICall = {
      path,
      params: new URLSearchParams(query),
      method: init?.method ?? 'GET',
      body: init?.body ? JSON.parse(String(init.body)) : undefined
    };
    this.calls.push(call);
    const route =
      this.routes[`${call.method} ${path}`] ??
      this.routes[path] ??
      Object.entries(this.routes).find(
        ([pattern]) =>
          pattern.endsWith('*') &&
          [path, `${call.method} ${path}`].some(p =>
            p.startsWith(pattern.slice(0, -1))
          )
      )?.[1];
    if (!route) {
      throw new HttpError(404, `No route ${call.method} ${path}`);
    }
    return route(call);
  }) as RequestAPI;

  /** A transport to this server: bytes are the JSON of the route's answer. */
  readonly transport: ITransport = {
    request: this.request,
    blob: async endPoint =>
      new Blob([JSON.stringify(await this.request(endPoint))]),
    fromRoot: async (path, init): Promise<IRawReply> => {
      try {
        const body = await this.request(path.replace(/^\//, ''), init);
        return { status: 200, ok: true, text: JSON.stringify(body) };
      } catch (reason) {
        const status = (reason as HttpError).response?.status ?? 500;
        return { status, ok: false, text: String(reason) };
      }
    }
  };

  /** The API, as the frontend's code uses it, on this server. */
  readonly api = new LabtrackAPI(this.transport);
}

/** A run row with defaults. */
export function row(
  id: string,
  extra: Partial<Record<string, unknown>> = {}
): any {
  return {
    run_id: id,
    run_name: `run-${id}`,
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 1000,
    end_time: 2000,
    user_id: 'ana',
    lifecycle_stage: 'active',
    params: {},
    metrics: {},
    tags: {},
    ...extra
  };
}

export const EXPERIMENT = {
  experiment_id: '1',
  name: 'demo.ipynb',
  artifact_location: '/tmp/a/1',
  lifecycle_stage: 'active',
  tags: {},
  creation_time: 1,
  last_update_time: 1
};

export const KEYS = {
  params: ['alpha', 'solver'],
  metrics: ['r2', 'rmse'],
  tags: ['mlflow.user', 'team']
};

/**
 * How the endpoint classes reach the server: `serverTransport` (request.ts)
 * in the app, a fake in unit tests. Kept apart from request.ts so that code
 * written against it does not load JupyterLab's services.
 */

/** JSON (or a file's text) from `labtrack/api/<endPoint>`; throws on an error status. */
export type RequestAPI = <T>(
  endPoint: string,
  init?: RequestInit
) => Promise<T>;

/** A reply whose status is not checked: a model endpoint's answer. */
export interface IRawReply {
  status: number;
  ok: boolean;
  text: string;
}

export interface ITransport {
  /** JSON (or a file's text) from `labtrack/api/<endPoint>`. */
  request: RequestAPI;
  /** The bytes of `labtrack/api/<endPoint>`. */
  blob(endPoint: string): Promise<Blob>;
  /** A request to a path from the server's root; every status is answered. */
  fromRoot(path: string, init: RequestInit): Promise<IRawReply>;
}

/** `encodeURIComponent`, short: every path segment and query value goes through it. */
export const q = encodeURIComponent;

/** Request options with a JSON body. */
export function jsonInit(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body) };
}

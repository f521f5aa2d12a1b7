/**
 * The frontend's network call sites: the only module that talks to the
 * Jupyter server (through ServerConnection, so with its token and XSRF
 * cookie). Everything else reaches the server through `LabtrackAPI`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { LabtrackAPI } from './client';
import type { IRawReply, ITransport } from './transport';

/** Prefix of every labtrack route, below the server's base URL. */
export const API_NAMESPACE = 'labtrack/api';

/** The absolute URL of `labtrack/api/<endPoint>`. */
export function apiUrl(
  endPoint: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
}

/** The server's base URL, absolute (`http://host:8888/base/`). */
export function serverBaseUrl(): string {
  return ServerConnection.makeSettings().baseUrl;
}

/** The settings every call uses (for JupyterLab services that need them). */
export function serverSettings(): ServerConnection.ISettings {
  return ServerConnection.makeSettings();
}

/**
 * Call the labtrack server API.
 *
 * @param endPoint path below `labtrack/api/`, e.g. `store`
 * @param init request options (method, body, ...)
 * @returns the decoded JSON body; the text of a non-JSON reply (a CSV file)
 * @throws ServerConnection.ResponseError carrying the server's message when the
 *   status is not 2xx; ServerConnection.NetworkError when the server is unreachable
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }

  const text = await response.text();
  let data: any = text;
  // A file (runs.csv) comes back as its text; everything else is JSON.
  const type = response.headers?.get('Content-Type') ?? '';
  const isFile = type !== '' && !/json/i.test(type) && response.ok;
  if (text.length > 0 && !isFile) {
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): keep the text for the message.
    }
  }
  if (!response.ok) {
    const message =
      data && typeof data === 'object' && 'message' in data
        ? String(data.message)
        : String(data || response.statusText);
    throw new ServerConnection.ResponseError(response, message);
  }
  return data as T;
}

/**
 * The bytes of `labtrack/api/<endPoint>` (images, downloads): `requestAPI`
 * would turn them into text.
 */
export async function requestBlob(endPoint: string): Promise<Blob> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response);
  }
  return response.blob();
}

/**
 * A request to a path from the server's root (a model endpoint, outside
 * `labtrack/api/`); every status is answered, not thrown.
 */
export async function requestFromRoot(
  path: string,
  init: RequestInit
): Promise<IRawReply> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(
    new URL(path, settings.baseUrl).href,
    init,
    settings
  );
  const text = await response.text();
  return { status: response.status, ok: response.ok, text };
}

/** The transport of the app: every call goes to the Jupyter server. */
export const serverTransport: ITransport = {
  request: requestAPI,
  blob: requestBlob,
  fromRoot: requestFromRoot
};

let shared: LabtrackAPI | null = null;

/** The app's API: every call goes to the Jupyter server. */
export function serverAPI(): LabtrackAPI {
  if (shared === null) {
    shared = new LabtrackAPI(serverTransport);
  }
  return shared;
}

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Prefix of every labtrack route, below the server's base URL. */
export const API_NAMESPACE = 'labtrack/api';

/**
 * Call the labtrack server API: the frontend's one network call site.
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

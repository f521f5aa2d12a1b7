import { beforeEach, describe, expect, it, jest } from '@jest/globals';

// The real modules need a browser page; the handler only needs these few members.
class ResponseError extends Error {
  constructor(
    public response: Response,
    message: string
  ) {
    super(message);
  }
}
class NetworkError extends Error {}

const makeRequest =
  jest.fn<
    (url: string, init: RequestInit, settings: unknown) => Promise<Response>
  >();

jest.mock('@jupyterlab/services', () => ({
  ServerConnection: {
    makeSettings: () => ({ baseUrl: 'http://localhost:8888/lab-base/' }),
    makeRequest: (url: string, init: RequestInit, settings: unknown) =>
      makeRequest(url, init, settings),
    ResponseError,
    NetworkError
  }
}));
jest.mock('@jupyterlab/coreutils', () => ({
  URLExt: {
    join: (...parts: string[]) =>
      parts
        .map((part, i) =>
          i === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, '')
        )
        .join('/')
  }
}));

import { requestAPI } from '../api/request';

function reply(status: number, body: string, type = ''): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: `status ${status}`,
    headers: { get: (name: string) => (name === 'Content-Type' ? type : null) },
    text: async () => body
  } as unknown as Response;
}

describe('requestAPI', () => {
  beforeEach(() => {
    makeRequest.mockReset();
  });

  it('calls labtrack/api/<endpoint> below the base URL and decodes JSON', async () => {
    makeRequest.mockResolvedValue(
      reply(200, '{"tracking_uri": "sqlite:///x.db"}')
    );

    const data = await requestAPI<{ tracking_uri: string }>('store');

    expect(data.tracking_uri).toBe('sqlite:///x.db');
    expect(makeRequest.mock.calls[0][0]).toBe(
      'http://localhost:8888/lab-base/labtrack/api/store'
    );
  });

  it("raises the server's message on an error status", async () => {
    makeRequest.mockResolvedValue(
      reply(
        404,
        '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No run abc"}'
      )
    );

    await expect(requestAPI('runs/abc')).rejects.toThrow('No run abc');
  });

  it('wraps a failed connection in a NetworkError', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));

    await expect(requestAPI('store')).rejects.toBeInstanceOf(NetworkError);
  });

  it('returns a file (runs.csv) as its text', async () => {
    makeRequest.mockResolvedValue(reply(200, '1\n', 'text/csv; charset=utf-8'));

    await expect(requestAPI<string>('runs.csv?experiment_id=1')).resolves.toBe(
      '1\n'
    );
  });

  it('decodes a JSON reply whatever its charset', async () => {
    makeRequest.mockResolvedValue(
      reply(200, '{"changed": true}', 'application/json; charset=UTF-8')
    );

    await expect(requestAPI('changes')).resolves.toEqual({ changed: true });
  });
});

/** Reading the errors `requestAPI` throws, without importing the browser-only services. */

/** The message of a failed request (the server's own message when it sent one). */
export function errorMessage(reason: unknown): string {
  if (reason instanceof Error) {
    return reason.message;
  }
  return String(reason);
}

/** The HTTP status of a failed request; null when the server was not reached. */
export function httpStatus(reason: unknown): number | null {
  const response = (reason as { response?: { status?: unknown } } | null)
    ?.response;
  return typeof response?.status === 'number' ? response.status : null;
}

/**
 * Longest wait for a poll's answer: a request that hangs (a stuck proxy, a
 * server blocked on a lock) must not stop the polling for good.
 */
export const POLL_TIMEOUT_MS = 20_000;

/** Request options that give up after `POLL_TIMEOUT_MS`. */
export function pollInit(): RequestInit {
  return typeof AbortSignal !== 'undefined' && 'timeout' in AbortSignal
    ? { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) }
    : {};
}

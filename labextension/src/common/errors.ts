/** Reading the errors `requestAPI` throws, without importing the browser-only services. */

/** The message of a failed request (the server's own message when it sent one). */
export function errorMessage(reason: unknown): string {
  if (reason instanceof Error) {
    return reason.message;
  }
  const message = (reason as { message?: unknown } | null)?.message;
  return String(message ?? reason);
}

/** The HTTP status of a failed request; null when the server was not reached. */
export function httpStatus(reason: unknown): number | null {
  const response = (reason as { response?: { status?: unknown } } | null)
    ?.response;
  return typeof response?.status === 'number' ? response.status : null;
}

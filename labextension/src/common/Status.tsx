/** The messages every view shows while it loads or after a failure. */
import * as React from 'react';

/** A failure's message, in the theme's error colour. */
export function ErrorText(props: { children: React.ReactNode }): JSX.Element {
  return <div className="lt-RunPage-error">{props.children}</div>;
}

export function Loading(): JSX.Element {
  return <div className="lt-Artifacts-loading">Loading…</div>;
}

/** What stands in for a view that has nothing yet: the error, or "Loading…". */
export function LoadingOrError(props: { error: string | null }): JSX.Element {
  return props.error ? <ErrorText>{props.error}</ErrorText> : <Loading />;
}

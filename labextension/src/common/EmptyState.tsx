import * as React from 'react';

export interface IEmptyStateProps {
  title: string;
  /** Extra lines or actions under the title. */
  children?: React.ReactNode;
  /** `error` shows it in the theme's error colour. */
  kind?: 'info' | 'error';
}

/** A message in place of the table: nothing yet, nothing matches, a failure. */
export function EmptyState(props: IEmptyStateProps): JSX.Element {
  return (
    <div
      className={`lt-EmptyState ${props.kind === 'error' ? 'lt-mod-error' : ''}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
    >
      <p className="lt-EmptyState-title">{props.title}</p>
      {props.children}
    </div>
  );
}

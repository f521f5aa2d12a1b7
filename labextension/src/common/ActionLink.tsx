import * as React from 'react';

/**
 * A link that runs an action (open a run, a model) rather than navigating:
 * `lt-RunLink` styled, `className` added.
 */
export function ActionLink(props: {
  /** What `onOpen` is called with: a run id, a model name. */
  target: string;
  onOpen: (target: string) => void;
  className?: string;
  title?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <a
      href="#"
      className={
        props.className ? `lt-RunLink ${props.className}` : 'lt-RunLink'
      }
      title={props.title}
      onClick={e => {
        e.preventDefault();
        props.onOpen(props.target);
      }}
    >
      {props.children}
    </a>
  );
}

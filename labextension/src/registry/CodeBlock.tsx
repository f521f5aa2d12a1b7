/** A titled block of code with a "Copy" button (the Serving tab, the version page). */
import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

export function CodeBlock(props: { title: string; code: string }): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  return (
    <div className="lt-CodeBlock">
      <div className="lt-CodeBlock-header">
        <span>{props.title}</span>
        <button
          className="jp-Button jp-mod-styled"
          onClick={() => {
            Clipboard.copyToSystem(props.code);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="lt-CodeBlock-code">{props.code}</pre>
    </div>
  );
}

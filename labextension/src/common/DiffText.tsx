/** nbdime's text diff of two notebooks, shown line by line. */
import * as React from 'react';

/** The CSS modifier of one line of nbdime's text diff. */
export function diffLineKind(line: string): 'add' | 'remove' | 'header' | '' {
  if (/^(\+\+\+|---)/.test(line)) {
    return 'header';
  }
  if (line.startsWith('+')) {
    return 'add';
  }
  if (line.startsWith('-')) {
    return 'remove';
  }
  if (/^##|^@@/.test(line)) {
    return 'header';
  }
  return '';
}

/** nbdime's text diff, one coloured line per line; `same` when there is none. */
export function DiffText(props: { text: string; same: string }): JSX.Element {
  const { text } = props;
  return (
    <pre className="lt-NotebookDiff-text">
      {text === ''
        ? props.same
        : text.split('\n').map((line, i) => (
            <div key={i} className={`lt-mod-${diffLineKind(line) || 'same'}`}>
              {line || ' '}
            </div>
          ))}
    </pre>
  );
}

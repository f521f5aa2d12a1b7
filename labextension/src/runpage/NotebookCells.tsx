import * as React from 'react';

import type { INotebookJSON } from '../api/types';

/** Notebook cells' sources, as text. */
export function NotebookCells(props: { notebook: INotebookJSON }): JSX.Element {
  return (
    <div className="lt-NotebookCells">
      {(props.notebook.cells ?? []).map((cell, i) => (
        <div
          key={i}
          className={`lt-NotebookCells-cell lt-mod-${cell.cell_type}`}
        >
          <div className="lt-NotebookCells-prompt">
            {cell.cell_type === 'code' ? `[${i + 1}]` : cell.cell_type}
          </div>
          <pre>
            {Array.isArray(cell.source) ? cell.source.join('') : cell.source}
          </pre>
        </div>
      ))}
    </div>
  );
}

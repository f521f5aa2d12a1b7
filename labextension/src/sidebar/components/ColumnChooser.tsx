import * as React from 'react';

import type { ColumnKind, IRunKeys } from '../../api/types';
import { useDismiss } from '../../common/useDismiss';

export interface IColumnChooserProps {
  keys: IRunKeys | null;
  /** Keyed columns shown now (`params.x`, ...). */
  columns: readonly string[];
  /** True when the user chose them (not the settings' defaults). */
  chosen: boolean;
  /** New columns; null goes back to the settings' defaults. */
  onChange: (columns: string[] | null) => void;
  onClose: () => void;
}

const GROUPS: Array<[ColumnKind, string]> = [
  ['params', 'Parameters'],
  ['metrics', 'Metrics'],
  ['tags', 'Tags']
];

/** Checkboxes for the params, metrics and tags shown as columns. */
export function ColumnChooser(props: IColumnChooserProps): JSX.Element {
  const ref = React.useRef<HTMLDivElement>(null);
  const [narrow, setNarrow] = React.useState('');
  useDismiss(ref, props.onClose);
  const toggle = (column: string, on: boolean): void => {
    props.onChange(
      on ? [...props.columns, column] : props.columns.filter(c => c !== column)
    );
  };
  const match = (key: string): boolean =>
    key.toLowerCase().includes(narrow.trim().toLowerCase());
  return (
    <div
      className="lt-ColumnChooser"
      ref={ref}
      role="dialog"
      aria-label="Columns"
    >
      <input
        className="lt-ColumnChooser-filter jp-mod-styled"
        type="search"
        placeholder="Find a key"
        aria-label="Find a key"
        value={narrow}
        autoFocus
        onChange={event => setNarrow(event.target.value)}
      />
      {props.keys === null && (
        <p className="lt-ColumnChooser-empty">Loading…</p>
      )}
      {GROUPS.map(([kind, title]) => {
        const keys = (props.keys?.[kind] ?? []).filter(match);
        return (
          <fieldset key={kind} className="lt-ColumnChooser-group">
            <legend>{title}</legend>
            {keys.length === 0 && (
              <span className="lt-ColumnChooser-empty">none</span>
            )}
            {keys.map(key => {
              const column = `${kind}.${key}`;
              return (
                <label
                  key={column}
                  className="lt-ColumnChooser-item"
                  title={column}
                >
                  <input
                    type="checkbox"
                    checked={props.columns.includes(column)}
                    onChange={event => toggle(column, event.target.checked)}
                  />
                  <span>{key}</span>
                </label>
              );
            })}
          </fieldset>
        );
      })}
      <div className="lt-ColumnChooser-footer">
        <button
          type="button"
          className="lt-TextButton"
          disabled={!props.chosen}
          onClick={() => props.onChange(null)}
        >
          Default columns
        </button>
        <button
          type="button"
          className="lt-TextButton"
          onClick={() => props.onChange([])}
        >
          None
        </button>
      </div>
    </div>
  );
}

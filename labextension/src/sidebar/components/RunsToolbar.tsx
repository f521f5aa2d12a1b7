import { downloadIcon, tableRowsIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IconButton } from '../../common/IconButton';

export interface IRunsToolbarProps {
  /** Runs shown, and whether more can be loaded. */
  shown: number;
  hasMore: boolean;
  selected: number;
  /** The compare command exists. */
  canCompare: boolean;
  chooserOpen: boolean;
  onToggleChooser: () => void;
  onDownload: () => void;
  onCompare: () => void;
  onClearSelection: () => void;
  /** The column chooser, when open. */
  children?: React.ReactNode;
}

/** Above the table: how many runs, columns, CSV download, compare. */
export function RunsToolbar(props: IRunsToolbarProps): JSX.Element {
  const compareTitle = !props.canCompare
    ? 'Comparing runs is not available in this installation'
    : props.selected === 0
      ? 'Select runs with the checkboxes to compare them'
      : `Compare the ${props.selected} selected run${props.selected === 1 ? '' : 's'}`;
  return (
    <div className="lt-RunsToolbar">
      <span className="lt-RunsToolbar-count" aria-live="polite">
        {props.shown} run{props.shown === 1 ? '' : 's'}
        {props.hasMore ? '+' : ''}
      </span>
      {props.selected > 0 && (
        <button
          type="button"
          className="lt-TextButton lt-RunsToolbar-clear"
          title="Clear the selection"
          onClick={props.onClearSelection}
        >
          {props.selected} selected ×
        </button>
      )}
      <span className="lt-RunsToolbar-spacer" />
      <div className="lt-RunsToolbar-columns">
        <IconButton
          icon={tableRowsIcon}
          className="lt-mod-toggle"
          label="Columns"
          title="Choose the params, metrics and tags shown"
          pressed={props.chooserOpen}
          onClick={props.onToggleChooser}
        />
        {props.children}
      </div>
      <IconButton
        icon={downloadIcon}
        label="CSV"
        title="Download CSV: the runs of this query, as a file"
        onClick={props.onDownload}
      />
      <button
        type="button"
        className="lt-RunsToolbar-compare"
        disabled={!props.canCompare || props.selected === 0}
        title={compareTitle}
        onClick={props.onCompare}
      >
        Compare ({props.selected})
      </button>
    </div>
  );
}

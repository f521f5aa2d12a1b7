import * as React from 'react';

import type { IExperiment } from '../../api/types';
import { useDismiss } from '../../common/useDismiss';

export interface IExperimentSwitcherProps {
  experiments: readonly IExperiment[];
  search: string;
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  /** The experiment shown now (marked in the list). */
  currentId: string | null;
  /** The notebook's own experiment (marked too). */
  notebookExperimentId: string | null;
  /**
   * Team mode: the "All / Shared with me" choice is shown, with owners in
   * the list. Undefined on a single-user server.
   */
  sharedOnly?: boolean;
  onSharedOnly?: (sharedOnly: boolean) => void;
  onSearch: (text: string) => void;
  onPick: (experiment: IExperiment) => void;
  onClose: () => void;
}

/** A dropdown listing experiments, narrowed by a filter input. */
export function ExperimentSwitcher(
  props: IExperimentSwitcherProps
): JSX.Element {
  const ref = React.useRef<HTMLDivElement>(null);
  const [text, setText] = React.useState(props.search);
  const [active, setActive] = React.useState(0);
  useDismiss(ref, props.onClose);
  const onSearch = React.useRef(props.onSearch);
  onSearch.current = props.onSearch;

  // Ask the server a moment after typing stops.
  React.useEffect(() => {
    const timer = setTimeout(() => onSearch.current(text), 200);
    return () => clearTimeout(timer);
  }, [text]);

  const items = props.experiments;
  const pick = (index: number): void => {
    if (items[index]) {
      props.onPick(items[index]);
    }
  };
  const onKeyDown = (event: React.KeyboardEvent): void => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive(i => Math.min(i + 1, items.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(i => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(active);
    }
  };

  return (
    <div
      className="lt-ExperimentSwitcher"
      ref={ref}
      role="dialog"
      aria-label="Switch experiment"
    >
      <input
        className="lt-ExperimentSwitcher-filter jp-mod-styled"
        type="search"
        placeholder="Filter experiments by name"
        aria-label="Filter experiments by name"
        value={text}
        autoFocus
        onChange={event => {
          setText(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {props.sharedOnly !== undefined && props.onSharedOnly && (
        <div
          className="lt-ExperimentSwitcher-scope"
          role="radiogroup"
          aria-label="Which experiments"
        >
          {[
            { value: false, label: 'All' },
            { value: true, label: 'Shared with me' }
          ].map(option => (
            <label
              key={option.label}
              className="lt-ExperimentSwitcher-scopeOption"
            >
              <input
                type="radio"
                name="lt-experiment-scope"
                checked={props.sharedOnly === option.value}
                onChange={() => {
                  setActive(0);
                  props.onSharedOnly?.(option.value);
                }}
              />
              {option.label}
            </label>
          ))}
        </div>
      )}
      {props.error && (
        <p className="lt-ExperimentSwitcher-error" role="alert">
          {props.error}
        </p>
      )}
      <ul className="lt-ExperimentSwitcher-list" role="listbox">
        {items.map((experiment, index) => (
          <li
            key={experiment.experiment_id}
            role="option"
            aria-selected={index === active}
            className={`lt-ExperimentSwitcher-item ${index === active ? 'lt-mod-active' : ''}`}
            onMouseEnter={() => setActive(index)}
            onMouseDown={event => {
              event.preventDefault();
              pick(index);
            }}
          >
            <span className="lt-ExperimentSwitcher-name">
              {experiment.name}
            </span>
            <span className="lt-ExperimentSwitcher-meta">
              {experiment.experiment_id === props.notebookExperimentId &&
                'this notebook · '}
              {experiment.experiment_id === props.currentId && 'shown · '}
              {experiment.owner && props.sharedOnly !== undefined
                ? `${experiment.owner} · `
                : ''}
              id {experiment.experiment_id}
            </span>
          </li>
        ))}
      </ul>
      {!props.loading && items.length === 0 && !props.error && (
        <p className="lt-ExperimentSwitcher-empty">
          {props.sharedOnly
            ? 'Nobody has shared an experiment with you yet.'
            : 'No experiment matches.'}
        </p>
      )}
      {props.loading && items.length === 0 && (
        <p className="lt-ExperimentSwitcher-empty">Loading…</p>
      )}
      {props.hasMore && (
        <p className="lt-ExperimentSwitcher-more">
          More experiments match: type to narrow the list.
        </p>
      )}
    </div>
  );
}

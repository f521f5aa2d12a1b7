import { searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { applyCompletion, completionsAt, ICompletions } from '../complete';
import type { IRunKeys } from '../../api/types';

export interface ISearchBoxProps {
  /** The filter the table shows now. */
  value: string;
  keys: IRunKeys | null;
  /** The server's message for a malformed filter (with its caret line). */
  error: string | null;
  onSubmit: (filter: string) => void;
}

const EXAMPLE = "metrics.rmse < 1 and params.model = 'tree'";

/**
 * The filter box: MLflow's search language, with suggestions of
 * `params.` / `metrics.` / `tags.` keys as you type; Enter applies the filter.
 */
export function SearchBox(props: ISearchBoxProps): JSX.Element {
  const [text, setText] = React.useState(props.value);
  const [completions, setCompletions] = React.useState<ICompletions | null>(
    null
  );
  const [active, setActive] = React.useState(0);
  // Enter takes a suggestion only once the arrows moved to it; else it searches.
  const [navigated, setNavigated] = React.useState(false);
  const input = React.useRef<HTMLInputElement>(null);
  const listId = React.useId();

  // A filter set from elsewhere (cleared, another experiment) shows here.
  React.useEffect(() => setText(props.value), [props.value]);

  const suggest = (value: string, cursor: number | null): void => {
    const found = completionsAt(value, cursor ?? value.length, props.keys);
    setCompletions(found);
    setActive(0);
    setNavigated(false);
  };

  const accept = (index: number): void => {
    if (!completions || !completions.items[index]) {
      return;
    }
    const next = applyCompletion(text, completions, completions.items[index]);
    setText(next.text);
    setCompletions(null);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.cursor, next.cursor);
      // A prefix (`metrics.`) goes on to suggest its keys.
      suggest(next.text, next.cursor);
    });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>): void => {
    const open = completions !== null && completions.items.length > 0;
    if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setNavigated(true);
      setActive(i => (i + 1) % completions.items.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setNavigated(true);
      setActive(
        i => (i - 1 + completions.items.length) % completions.items.length
      );
    } else if (
      open &&
      (event.key === 'Tab' || (event.key === 'Enter' && navigated))
    ) {
      event.preventDefault();
      accept(active);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      setCompletions(null);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      setCompletions(null);
      props.onSubmit(text);
    }
  };

  return (
    <div className="lt-SearchBox">
      <div
        className={`lt-SearchBox-field ${props.error ? 'lt-mod-error' : ''}`}
      >
        <searchIcon.react tag="span" className="lt-SearchBox-icon" />
        <input
          ref={input}
          className="lt-SearchBox-input"
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={EXAMPLE}
          title={`Filter runs, like ${EXAMPLE}; press Enter to apply`}
          aria-label="Filter runs"
          role="combobox"
          aria-expanded={completions !== null}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={props.error !== null}
          value={text}
          onChange={event => {
            setText(event.target.value);
            suggest(event.target.value, event.target.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setCompletions(null)}
        />
        {text !== '' && (
          <button
            type="button"
            className="lt-SearchBox-clear"
            title="Clear the filter"
            aria-label="Clear the filter"
            onClick={() => {
              setText('');
              setCompletions(null);
              props.onSubmit('');
            }}
          >
            ×
          </button>
        )}
      </div>
      {completions && (
        <ul className="lt-SearchBox-suggestions" role="listbox" id={listId}>
          {completions.items.map((item, index) => (
            <li
              key={item.label}
              role="option"
              aria-selected={index === active}
              className={`lt-SearchBox-suggestion ${index === active ? 'lt-mod-active' : ''}`}
              onMouseDown={event => {
                event.preventDefault();
                accept(index);
              }}
              onMouseEnter={() => setActive(index)}
            >
              <span className="lt-SearchBox-suggestionLabel">{item.label}</span>
              <span className="lt-SearchBox-suggestionDetail">
                {item.detail}
              </span>
            </li>
          ))}
        </ul>
      )}
      {props.error && <FilterError message={props.error} />}
    </div>
  );
}

/**
 * The server's message: its first line wraps like text; the lines after it
 * (the filter and the caret under the bad character) keep their columns.
 */
function FilterError(props: { message: string }): JSX.Element {
  const [head, ...rest] = props.message.split('\n');
  return (
    <div className="lt-SearchBox-error" role="alert">
      <p className="lt-SearchBox-errorText">{head}</p>
      {rest.length > 0 && (
        <pre className="lt-SearchBox-errorWhere">{rest.join('\n')}</pre>
      )}
    </div>
  );
}

import * as React from 'react';

import { RUN_STATUSES } from '../query';
import type { IRunQuery, StartedWithin } from '../types';

export interface IQuickFiltersProps {
  query: IRunQuery;
  onChange: (change: Partial<IRunQuery>) => void;
}

const WINDOWS: Array<[StartedWithin, string]> = [
  ['all', 'Any time'],
  ['hour', 'Last hour'],
  ['day', 'Last day'],
  ['week', 'Last week'],
  ['month', 'Last month']
];

/** Status (any of several), start time, logged model, registered model. */
export function QuickFilters(props: IQuickFiltersProps): JSX.Element {
  const { query, onChange } = props;
  const toggleStatus = (status: string): void => {
    const statuses = query.statuses.includes(status)
      ? query.statuses.filter(s => s !== status)
      : [...query.statuses, status];
    onChange({ statuses });
  };
  return (
    <div className="lt-QuickFilters">
      <div
        className="lt-QuickFilters-statuses"
        role="group"
        aria-label="Status"
      >
        {RUN_STATUSES.map(status => (
          <button
            type="button"
            key={status}
            className={`lt-QuickFilters-status lt-StatusBadge lt-mod-${status.toLowerCase()}`}
            aria-pressed={query.statuses.includes(status)}
            title={`Show ${status.toLowerCase()} runs (several statuses may be chosen)`}
            onClick={() => toggleStatus(status)}
          >
            {status.toLowerCase()}
          </button>
        ))}
      </div>
      <div className="lt-QuickFilters-row">
        <select
          className="lt-QuickFilters-started"
          aria-label="Started"
          title="Started"
          value={query.startedWithin}
          onChange={event =>
            onChange({ startedWithin: event.target.value as StartedWithin })
          }
        >
          {WINDOWS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label
          className="lt-QuickFilters-check"
          title="Only runs that logged a model"
        >
          <input
            type="checkbox"
            checked={query.hasModel}
            onChange={event => onChange({ hasModel: event.target.checked })}
          />
          Has model
        </label>
        <label
          className="lt-QuickFilters-check"
          title="Only runs with a model version in the registry"
        >
          <input
            type="checkbox"
            checked={query.hasRegisteredModel}
            onChange={event =>
              onChange({ hasRegisteredModel: event.target.checked })
            }
          />
          Registered
        </label>
      </div>
    </div>
  );
}

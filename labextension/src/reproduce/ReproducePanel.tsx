/**
 * The body of the "Reproduce run" dialog: the run's params, editable; the
 * environment differences as a warning; then the job's progress ("cell n of
 * m", polled), and at the end the drift table and a link to the new run, or
 * the failing cell's error. Every string from a run renders as text.
 */
import * as React from 'react';

import type {
  IPackageDifference,
  IReproduceInfo,
  IReproductionJob
} from '../api/types';
import { ActionLink } from '../common/ActionLink';
import { Loading } from '../common/Status';
import {
  driftText,
  errorTitle,
  isActive,
  kindHint,
  packageText,
  progressFraction,
  progressLabel
} from './logic';
import type { ReproduceState } from './state';

const SHOWN_PACKAGES = 10;
const DRIFT_COLUMNS = ['metric', 'original', 'new', 'difference'];

export interface IReproducePanelProps {
  state: ReproduceState;
  onOpenRun: (runId: string) => void;
  onClose: () => void;
}

function EnvironmentWarning(props: {
  differences: IPackageDifference[];
}): JSX.Element | null {
  const { differences } = props;
  if (differences.length === 0) {
    return null;
  }
  const more = differences.length - SHOWN_PACKAGES;
  return (
    <div className="lt-Reproduce-environment">
      <strong>
        {differences.length === 1
          ? '1 package differs'
          : `${differences.length} packages differ`}{' '}
        from the run's environment.
      </strong>{' '}
      The notebook runs anyway; results may differ.
      <ul>
        {differences.slice(0, SHOWN_PACKAGES).map(d => (
          <li key={d.name}>{packageText(d)}</li>
        ))}
        {more > 0 && <li>and {more} more</li>}
      </ul>
    </div>
  );
}

function ParamsForm(props: {
  info: IReproduceInfo;
  drafts: Record<string, string>;
  onEdit: (name: string, text: string) => void;
}): JSX.Element {
  const { info, drafts } = props;
  if (info.parameters.length === 0) {
    return (
      <p className="lt-Reproduce-noParams">
        The notebook has no cell tagged <code>parameters</code>: it runs again
        with its own values.
      </p>
    );
  }
  return (
    <table className="lt-Table lt-Reproduce-params">
      <tbody>
        {info.parameters.map(p => (
          <tr key={p.name} className="lt-Reproduce-param" data-param={p.name}>
            <th>
              <label htmlFor={`lt-reproduce-${p.name}`}>{p.name}</label>
            </th>
            <td>
              <input
                id={`lt-reproduce-${p.name}`}
                className="lt-Reproduce-input"
                value={drafts[p.name] ?? p.text}
                onChange={e => props.onEdit(p.name, e.target.value)}
              />
            </td>
            <td className="lt-Reproduce-hint">
              {kindHint(p.kind)}; notebook default {p.default}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobView(props: {
  job: IReproductionJob;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { job } = props;
  const changed = Object.entries(job.params);
  const openLink = job.new_run_id && (
    <ActionLink
      target={job.new_run_id}
      className="lt-Reproduce-openRun"
      onOpen={props.onOpenRun}
    >
      Open the new run ({job.new_run_id.slice(0, 8)})
    </ActionLink>
  );
  return (
    <div className={`lt-Reproduce-job lt-mod-${job.state}`}>
      {changed.length > 0 && (
        <p className="lt-Reproduce-changed">
          Changed:{' '}
          {changed.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}
        </p>
      )}
      <progress
        className="lt-Reproduce-progress"
        max={1}
        value={isActive(job.state) ? progressFraction(job) : 1}
      />
      <div className="lt-Reproduce-progressLabel">{progressLabel(job)}</div>
      {job.state === 'finished' && (
        <>
          <h4>Metric drift</h4>
          {job.drift.length === 0 ? (
            <p className="lt-RunPage-empty">No metrics on either run.</p>
          ) : (
            <table className="lt-Table lt-Reproduce-drift">
              <thead>
                <tr>
                  {DRIFT_COLUMNS.map(c => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {driftText(job.drift).map(row => (
                  <tr key={row.metric}>
                    <th>{row.metric}</th>
                    <td>{row.original}</td>
                    <td>{row.new}</td>
                    <td className={`lt-Reproduce-diff lt-mod-${row.direction}`}>
                      {row.difference}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {openLink || (
            <p className="lt-RunPage-empty">The notebook logged no run.</p>
          )}
        </>
      )}
      {job.state === 'failed' && job.error && (
        <div className="lt-Reproduce-failure">
          <div className="lt-Reproduce-errorTitle">{errorTitle(job.error)}</div>
          {job.error.traceback && (
            <pre className="lt-Reproduce-traceback">{job.error.traceback}</pre>
          )}
          {openLink}
        </div>
      )}
    </div>
  );
}

export function ReproducePanel(props: IReproducePanelProps): JSX.Element {
  const { state } = props;
  const { info, job, error } = state;

  return (
    <div className="lt-Reproduce-panel">
      {!info && !error && <Loading />}
      {info && (
        <>
          <p className="lt-Reproduce-intro">
            Executes the notebook version{' '}
            {info.notebook && <code>{info.notebook}</code>} that produced this
            run again, in a fresh kernel; the new run goes to the same
            experiment.
          </p>
          <EnvironmentWarning differences={info.environment} />
        </>
      )}
      {info && !job && (
        <form
          className="lt-Reproduce-form"
          onSubmit={e => {
            e.preventDefault();
            void state.start();
          }}
        >
          <ParamsForm
            info={info}
            drafts={state.drafts}
            onEdit={(name, text) => state.edit(name, text)}
          />
          <div className="lt-Reproduce-buttons">
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-reject"
              onClick={props.onClose}
            >
              Cancel
            </button>
            <button
              type="submit"
              className="jp-Button jp-mod-styled jp-mod-accept lt-Reproduce-start"
              disabled={state.starting}
            >
              Reproduce
            </button>
          </div>
        </form>
      )}
      {job && <JobView job={job} onOpenRun={props.onOpenRun} />}
      {error && (
        <div className="lt-RunPage-error lt-Reproduce-message">{error}</div>
      )}
      {job && (
        <div className="lt-Reproduce-buttons">
          {isActive(job.state) && (
            <span className="lt-Reproduce-hint">
              Closing this dialog does not stop the reproduction.
            </span>
          )}
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-reject lt-Reproduce-close"
            onClick={props.onClose}
          >
            Close
          </button>
        </div>
      )}
    </div>
  );
}

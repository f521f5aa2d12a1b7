/**
 * The body of the "Reproduce run" dialog: the run's params, editable; the
 * environment differences as a warning; then the job's progress ("cell n of
 * m", polled), and at the end the drift table and a link to the new run, or
 * the failing cell's error. Every string from a run renders as text.
 */
import * as React from 'react';

import { getReproduceInfo, getReproduction, startReproduction } from './api';
import {
  changedParams,
  driftText,
  errorTitle,
  isActive,
  kindHint,
  packageText,
  POLL_INTERVAL,
  progressFraction,
  progressLabel
} from './logic';
import { IPackageDifference, IReproduceInfo, IReproductionJob } from './types';

const SHOWN_PACKAGES = 10;
const DRIFT_COLUMNS = ['metric', 'original', 'new', 'difference'];

export interface IReproducePanelProps {
  runId: string;
  onOpenRun: (runId: string) => void;
  onClose: () => void;
}

const message = (reason: any): string => String(reason?.message ?? reason);

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
    <a
      href="#"
      className="lt-RunLink lt-Reproduce-openRun"
      onClick={e => {
        e.preventDefault();
        props.onOpenRun(job.new_run_id as string);
      }}
    >
      Open the new run ({job.new_run_id.slice(0, 8)})
    </a>
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
  const { runId } = props;
  const [info, setInfo] = React.useState<IReproduceInfo | null>(null);
  const [drafts, setDrafts] = React.useState<Record<string, string>>({});
  const [job, setJob] = React.useState<IReproductionJob | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [starting, setStarting] = React.useState(false);
  const [attempt, setAttempt] = React.useState(0);

  React.useEffect(() => {
    getReproduceInfo(runId)
      .then(setInfo)
      .catch(reason => setError(message(reason)));
  }, [runId]);

  // Poll while the job runs; a failed poll is retried (the server may be busy).
  React.useEffect(() => {
    if (!job || !isActive(job.state)) {
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      getReproduction(runId, job.job_id)
        .then(next => {
          if (!cancelled) {
            setError(null);
            setJob(next);
          }
        })
        .catch(reason => {
          if (!cancelled) {
            setError(message(reason));
            if (reason?.response?.status !== 404) {
              setAttempt(a => a + 1);
            }
          }
        });
    }, POLL_INTERVAL);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [job, attempt]);

  const start = (): void => {
    if (!info || starting) {
      return;
    }
    setStarting(true);
    startReproduction(runId, changedParams(info.parameters, drafts))
      .then(started => {
        setError(null);
        setJob(started);
      })
      .catch(reason => setError(message(reason)))
      .finally(() => setStarting(false));
  };

  return (
    <div className="lt-Reproduce-panel">
      {!info && !error && <div className="lt-Artifacts-loading">Loading…</div>}
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
            start();
          }}
        >
          <ParamsForm
            info={info}
            drafts={drafts}
            onEdit={(name, text) => setDrafts(d => ({ ...d, [name]: text }))}
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
              disabled={starting}
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

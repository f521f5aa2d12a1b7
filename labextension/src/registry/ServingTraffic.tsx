/**
 * The Serving tab's live traffic: per endpoint the requests, errors and
 * latency percentiles the model process counted since it started, the last
 * errors, and the process's log. Polled with the status while the tab is
 * visible (`ServingState.metrics`).
 */
import * as React from 'react';

import type { IEndpointMetrics, IServingMetrics } from '../api/types';
import { fullTime } from '../common/format';

const ms = (value: number): string =>
  value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;

function LastErrors(props: { endpoints: IEndpointMetrics[] }): JSX.Element {
  const errors = props.endpoints
    .flatMap(e => e.last_errors.map(err => ({ ...err, ref: e.ref })))
    .sort((a, b) => b.time - a.time)
    .slice(0, 10);
  if (errors.length === 0) {
    return <p className="lt-Serving-note">No errors.</p>;
  }
  return (
    <ul className="lt-Serving-errors">
      {errors.map((err, i) => (
        <li key={i}>
          <span className="lt-Serving-errorWhen">
            {fullTime(err.time)} · {err.ref} · HTTP {err.status}
          </span>{' '}
          {err.message}
        </li>
      ))}
    </ul>
  );
}

export function ServingTraffic(props: {
  metrics: IServingMetrics | null;
  /** The status's log tail, shown while the counts cannot be read. */
  fallbackLog: string | null;
}): JSX.Element {
  const { metrics } = props;
  const endpoints = metrics?.endpoints ?? [];
  const log = metrics?.log || props.fallbackLog || '';
  return (
    <div className="lt-Serving-traffic">
      <h3>Traffic</h3>
      {endpoints.length === 0 ? (
        <p className="lt-Serving-note lt-Serving-noTraffic">
          No requests since the model process started
          {metrics?.since ? ` (${fullTime(metrics.since)})` : ''}.
        </p>
      ) : (
        <>
          <p className="lt-Serving-note">
            Since the model process started ({fullTime(metrics?.since ?? 0)});
            latencies of the last requests, in the process.
          </p>
          <table className="lt-Table lt-Serving-metrics">
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Requests</th>
                <th>Errors</th>
                <th>p50</th>
                <th>p90</th>
                <th>p99</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.map(e => (
                <tr key={e.ref} data-ref={e.ref}>
                  <th>{e.ref}</th>
                  <td className="lt-Serving-requests">{e.requests}</td>
                  <td
                    className={`lt-Serving-errorCount${e.errors > 0 ? ' lt-mod-failed' : ''}`}
                  >
                    {e.errors}
                  </td>
                  <td>{e.latency_ms ? ms(e.latency_ms.p50) : ''}</td>
                  <td>{e.latency_ms ? ms(e.latency_ms.p90) : ''}</td>
                  <td>{e.latency_ms ? ms(e.latency_ms.p99) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Last errors</h4>
          <LastErrors endpoints={endpoints} />
        </>
      )}
      {log && (
        <details className="lt-Serving-log">
          <summary>Model process log (last lines, live)</summary>
          <pre>{log}</pre>
        </details>
      )}
    </div>
  );
}

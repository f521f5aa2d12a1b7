/**
 * The Serving tab of a model page: serving on or off, the process and every
 * served version (polled while the tab is visible), the endpoints, copyable
 * curl and Python examples, and a test request. It only presents
 * `ServingState`.
 */
import * as React from 'react';

import type { IServingStatus } from '../api/types';
import { ErrorText, LoadingOrError } from '../common/Status';
import { CodeBlock } from './CodeBlock';
import { ServingTraffic } from './ServingTraffic';
import { absoluteUrl, curlExample, pythonExample } from './logic';
import type { ServingState } from './servingState';

function StatusSummary(props: {
  status: IServingStatus;
  busy: boolean;
  onToggle: (enabled: boolean) => void;
}): JSX.Element {
  const { status } = props;
  return (
    <div className="lt-Serving-summary">
      <button
        className={`jp-Button jp-mod-styled ${
          status.enabled ? 'jp-mod-warn' : 'jp-mod-accept'
        } lt-Serving-toggle`}
        disabled={props.busy}
        onClick={() => props.onToggle(!status.enabled)}
      >
        {status.enabled ? 'Disable serving' : 'Enable serving'}
      </button>
      <span className={`lt-Status lt-ServingState lt-mod-${status.state}`}>
        {status.state}
      </span>
      {status.pid !== null && <span>process {status.pid}</span>}
      {status.restarts > 0 && <span>{status.restarts} restarts</span>}
      {status.last_exit_code !== null && (
        <span>last exit code {status.last_exit_code}</span>
      )}
      {status.enabled && status.state !== 'ready' && (
        <span className="lt-Artifacts-loading">
          The model process is starting; this takes a few seconds.
        </span>
      )}
    </div>
  );
}

function ServedVersions(props: { status: IServingStatus }): JSX.Element {
  const loaded = (v: IServingStatus['versions'][number]): string =>
    !props.status.enabled
      ? 'serving is off'
      : v.loaded
        ? 'yes'
        : 'not yet (loads on first request)';
  return (
    <table className="lt-Table lt-Serving-versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Stage</th>
          <th>Aliases</th>
          <th>Loaded</th>
        </tr>
      </thead>
      <tbody>
        {props.status.versions.map(v => (
          <tr key={v.version}>
            <th>{v.version}</th>
            <td>{v.current_stage}</td>
            <td>{v.aliases.map(a => `@${a}`).join(', ')}</td>
            <td>
              {v.error ? (
                <span className="lt-RunPage-error">{v.error}</span>
              ) : (
                loaded(v)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where the example body comes from; how to get a real one when it is a placeholder. */
function ExampleNote(props: {
  source: ServingState['exampleSource'];
}): JSX.Element | null {
  const { source } = props;
  if (source === null) {
    return null;
  }
  if (source !== 'placeholder') {
    return (
      <p className="lt-Serving-note lt-Serving-exampleSource">
        The body is the model&apos;s {source}
        {source === 'signature' ? ' (one row of placeholder values)' : ''}.
      </p>
    );
  }
  return (
    <p className="lt-Serving-note lt-Serving-examplePlaceholder">
      This version was logged without an input example or a signature, so the
      body below is a placeholder: edit it to the model&apos;s columns, or log
      the model with an example, like{' '}
      <code>
        labtrack.sklearn.log_model(model, &quot;model&quot;,
        input_example=X[:5])
      </code>
      , and register that version.
    </p>
  );
}

/** The test-request box: a JSON body, Send, and the answer. */
function TestRequest(props: { state: ServingState }): JSX.Element {
  const { state } = props;
  const { reply, sendError, sending } = state;
  return (
    <div className="lt-TestRequest">
      <textarea
        className="lt-TestRequest-body"
        rows={8}
        spellCheck={false}
        aria-label="Request body (JSON)"
        value={state.body}
        onChange={e => state.setBody(e.target.value)}
      />
      <div className="lt-TestRequest-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept lt-TestRequest-send"
          disabled={sending}
          onClick={() => void state.send()}
        >
          {sending ? 'Sending…' : 'Send'}
        </button>
        <button
          className="jp-Button jp-mod-styled"
          onClick={() => state.resetBody()}
        >
          Reset to the example
        </button>
        <span className="lt-TestRequest-url">POST {state.url}</span>
      </div>
      {sendError && <ErrorText>{sendError}</ErrorText>}
      {reply && (
        <div
          className={`lt-TestRequest-reply ${reply.ok ? 'lt-mod-ok' : 'lt-mod-failed'}`}
        >
          <div className="lt-TestRequest-status">HTTP {reply.status}</div>
          <pre className="lt-TestRequest-answer">{reply.text}</pre>
        </div>
      )}
    </div>
  );
}

export function Serving(props: { state: ServingState }): JSX.Element {
  const { state } = props;
  const { status, error } = state;
  if (!status) {
    return <LoadingOrError error={error} />;
  }
  const endpoints = status.endpoints;
  const preferred = state.preferred;
  const url = state.url;
  const body = state.body;
  return (
    <div className="lt-Serving">
      {error && <ErrorText>{error}</ErrorText>}
      {state.toggleError && <ErrorText>{state.toggleError}</ErrorText>}
      <StatusSummary
        status={status}
        busy={state.busy}
        onToggle={enabled => void state.toggle(enabled)}
      />
      <h3>Served versions</h3>
      <ServedVersions status={status} />
      {status.enabled && (
        <ServingTraffic metrics={state.metrics} fallbackLog={status.log_tail} />
      )}
      <h3>Endpoints</h3>
      <p className="lt-Serving-note">
        Each endpoint follows its stage or alias: a promotion switches the
        answers without a restart. Requests need a Jupyter token (or the browser
        session).
      </p>
      <table className="lt-Table lt-Serving-endpoints">
        <tbody>
          {endpoints.map(e => (
            <tr key={e.ref}>
              <th>
                <label>
                  <input
                    type="radio"
                    name={`lt-endpoint-${state.name}`}
                    checked={preferred?.ref === e.ref}
                    onChange={() => state.setRef(e.ref)}
                  />{' '}
                  {e.ref}
                </label>
              </th>
              <td>v{e.version}</td>
              <td className="lt-Serving-url">
                {absoluteUrl(e.url, state.baseUrl)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preferred && (
        <>
          <h3>Call it</h3>
          <div className="lt-RunPage-columns">
            <CodeBlock title="curl" code={curlExample(url, body)} />
            <CodeBlock title="Python" code={pythonExample(url, body)} />
          </div>
          <h3>Test request</h3>
          <ExampleNote source={state.exampleSource} />
          {!status.enabled && (
            <p className="lt-RunPage-empty">
              Serving is off: enable it to send a request.
            </p>
          )}
          <TestRequest state={state} />
        </>
      )}
    </div>
  );
}

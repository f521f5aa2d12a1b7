/**
 * The Serving tab of a model page: serving on or off, the process and every
 * served version (polled while the tab is visible), the endpoints, copyable
 * curl and Python examples, and a test request.
 */
import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorMessage } from '../models/errors';
import { Poller } from '../models/poller';
import { getServing, invokeEndpoint, modelInputs, putServing } from './api';
import {
  absoluteUrl,
  curlExample,
  exampleBody,
  jsonError,
  pythonExample,
  signatureInputs
} from './logic';
import { IInvocationReply, IModelVersion, IServingStatus } from './types';

/** How often the status is asked for while the tab is visible. */
export const SERVING_POLL_MS = 2000;

export interface IServingProps {
  name: string;
  versions: IModelVersion[];
  /** The tab is shown: poll only then. */
  visible: boolean;
  /** The server's base URL, absolute (`http://host:8888/base/`). */
  baseUrl: string;
}

/** GET serving now and, while visible, every SERVING_POLL_MS (one at a time). */
function useServingStatus(
  name: string,
  visible: boolean
): [
  IServingStatus | null,
  string | null,
  (status: IServingStatus | null) => void
] {
  const [status, setStatus] = React.useState<IServingStatus | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (!visible) {
      return;
    }
    const poller = new Poller(async () => {
      try {
        const reply = await getServing(name);
        if (!poller.isDisposed) {
          setStatus(reply);
          setError(null);
        }
      } catch (reason) {
        if (!poller.isDisposed) {
          setError(errorMessage(reason));
        }
      }
    }, SERVING_POLL_MS);
    poller.start();
    return () => poller.dispose();
  }, [name, visible]);
  return [status, error, setStatus];
}

function CodeBlock(props: { title: string; code: string }): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  return (
    <div className="lt-CodeBlock">
      <div className="lt-CodeBlock-header">
        <span>{props.title}</span>
        <button
          className="jp-Button jp-mod-styled"
          onClick={() => {
            Clipboard.copyToSystem(props.code);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="lt-CodeBlock-code">{props.code}</pre>
    </div>
  );
}

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

/** The test-request box: a JSON body, Send, and the answer. */
function TestRequest(props: {
  url: string;
  path: string;
  body: string;
  onBody: (body: string) => void;
  onReset: () => void;
}): JSX.Element {
  const [reply, setReply] = React.useState<IInvocationReply | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [sending, setSending] = React.useState(false);
  const send = (): void => {
    const invalid = jsonError(props.body);
    setReply(null);
    setError(invalid);
    if (invalid) {
      return;
    }
    setSending(true);
    invokeEndpoint(props.path, props.body)
      .then(setReply)
      .catch(reason => setError(errorMessage(reason)))
      .finally(() => setSending(false));
  };
  return (
    <div className="lt-TestRequest">
      <textarea
        className="lt-TestRequest-body"
        rows={8}
        spellCheck={false}
        aria-label="Request body (JSON)"
        value={props.body}
        onChange={e => props.onBody(e.target.value)}
      />
      <div className="lt-TestRequest-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept lt-TestRequest-send"
          disabled={sending}
          onClick={send}
        >
          {sending ? 'Sending…' : 'Send'}
        </button>
        <button className="jp-Button jp-mod-styled" onClick={props.onReset}>
          Reset to the example
        </button>
        <span className="lt-TestRequest-url">POST {props.url}</span>
      </div>
      {error && <div className="lt-RunPage-error">{error}</div>}
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

/** The body the model's saved example or signature suggests for `version`. */
function useExample(versions: IModelVersion[], version: number | null): string {
  const [example, setExample] = React.useState(exampleBody(null, null));
  React.useEffect(() => {
    const v = versions.find(x => x.version === version);
    if (!v) {
      return;
    }
    let cancelled = false;
    modelInputs(v)
      .then(({ example, mlmodel }) => {
        if (!cancelled) {
          setExample(
            exampleBody(example, mlmodel ? signatureInputs(mlmodel) : null)
          );
        }
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [version, versions.length]);
  return example;
}

export function Serving(props: IServingProps): JSX.Element {
  const [status, error, setStatus] = useServingStatus(
    props.name,
    props.visible
  );
  const [busy, setBusy] = React.useState(false);
  const [toggleError, setToggleError] = React.useState<string | null>(null);
  const [ref, setRef] = React.useState<string | null>(null);
  const endpoints = status?.endpoints ?? [];
  const preferred =
    endpoints.find(e => e.ref === ref) ??
    endpoints.find(e => e.ref === 'Production') ??
    endpoints.find(e => e.ref === 'latest') ??
    endpoints[0] ??
    null;
  const example = useExample(props.versions, preferred?.version ?? null);
  const [body, setBody] = React.useState<string | null>(null);
  const shownBody = body ?? example;

  const toggle = (enabled: boolean): void => {
    setBusy(true);
    putServing(props.name, enabled)
      .then(s => {
        setStatus(s);
        setToggleError(null);
      })
      .catch(reason => setToggleError(errorMessage(reason)))
      .finally(() => setBusy(false));
  };
  if (!status) {
    return error ? (
      <div className="lt-RunPage-error">{error}</div>
    ) : (
      <div className="lt-Artifacts-loading">Loading…</div>
    );
  }
  const url = preferred ? absoluteUrl(preferred.url, props.baseUrl) : '';
  return (
    <div className="lt-Serving">
      {error && <div className="lt-RunPage-error">{error}</div>}
      {toggleError && <div className="lt-RunPage-error">{toggleError}</div>}
      <StatusSummary status={status} busy={busy} onToggle={toggle} />
      {status.log_tail && status.enabled && (
        <details className="lt-Serving-log">
          <summary>Process log (last lines)</summary>
          <pre>{status.log_tail}</pre>
        </details>
      )}
      <h3>Served versions</h3>
      <ServedVersions status={status} />
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
                    name={`lt-endpoint-${props.name}`}
                    checked={preferred?.ref === e.ref}
                    onChange={() => {
                      setRef(e.ref);
                      setBody(null);
                    }}
                  />{' '}
                  {e.ref}
                </label>
              </th>
              <td>v{e.version}</td>
              <td className="lt-Serving-url">
                {absoluteUrl(e.url, props.baseUrl)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preferred && (
        <>
          <h3>Call it</h3>
          <div className="lt-RunPage-columns">
            <CodeBlock title="curl" code={curlExample(url, shownBody)} />
            <CodeBlock title="Python" code={pythonExample(url, shownBody)} />
          </div>
          <h3>Test request</h3>
          {!status.enabled && (
            <p className="lt-RunPage-empty">
              Serving is off: enable it to send a request.
            </p>
          )}
          <TestRequest
            url={url}
            path={preferred.url}
            body={shownBody}
            onBody={setBody}
            onReset={() => setBody(null)}
          />
        </>
      )}
    </div>
  );
}

/**
 * One model version's page: stage, who registered it and when, the source
 * run by name (a link), the logged model id, an editable description, the
 * transition requests, comments and activity (`TransitionRequests`), the
 * signature (input and output schema) and a copyable "load and predict"
 * snippet. It only presents `VersionState`.
 */
import * as React from 'react';

import { ActionLink } from '../common/ActionLink';
import { Description } from '../common/Description';
import { fullTime } from '../common/format';
import { InfoTable } from '../common/InfoTable';
import type { MarkdownRenderer } from '../common/markdown';
import { ErrorText, Loading, LoadingOrError } from '../common/Status';
import { CodeBlock } from './CodeBlock';
import { columnText, type ISignatureInput } from './logic';
import { StageBadge } from './ModelsView';
import { TransitionRequests } from './TransitionRequests';
import type { ISignature, VersionState } from './versionState';

function Schema(props: {
  title: string;
  columns: ISignatureInput[] | null;
}): JSX.Element {
  return (
    <div className="lt-VersionPage-schema">
      <h4>{props.title}</h4>
      {props.columns && props.columns.length > 0 ? (
        <ul className="lt-VersionPage-columns">
          {props.columns.map((c, i) => (
            <li key={i}>
              <code>{columnText(c)}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p className="lt-RunPage-empty">None recorded.</p>
      )}
    </div>
  );
}

function Signature(props: { signature: ISignature }): JSX.Element {
  const { signature } = props;
  if (!signature.read) {
    return <Loading />;
  }
  if (signature.inputs === null && signature.outputs === null) {
    return (
      <p className="lt-RunPage-empty lt-VersionPage-noSignature">
        This model has no signature. Log it with one to have its inputs checked
        and shown here:{' '}
        <code>
          mlflow.sklearn.log_model(model, name=&quot;model&quot;,
          input_example=X.head())
        </code>
        .
      </p>
    );
  }
  return (
    <div className="lt-VersionPage-signature">
      <Schema title="Inputs" columns={signature.inputs} />
      <Schema title="Outputs" columns={signature.outputs} />
    </div>
  );
}

export function VersionPage(props: {
  state: VersionState;
  onBack: () => void;
  onOpenRun: (runId: string) => void;
  renderMarkdown: MarkdownRenderer | null;
}): JSX.Element {
  const { state } = props;
  const v = state.version;
  const back = (
    <ActionLink
      target=""
      className="lt-VersionPage-back"
      onOpen={() => props.onBack()}
    >
      ← All versions
    </ActionLink>
  );
  if (!v) {
    return (
      <section className="lt-VersionPage">
        {back}
        <LoadingOrError error={state.error} />
      </section>
    );
  }
  const rows: [string, React.ReactNode][] = [
    ['Stage', <StageBadge key="s" stage={v.current_stage} />],
    ['Registered', fullTime(v.creation_timestamp)],
    ['Registered by', v.user_id ?? ''],
    ['Last update', fullTime(v.last_updated_timestamp)],
    [
      'Source run',
      v.run_id ? (
        <ActionLink
          key="r"
          target={v.run_id}
          className="lt-VersionPage-run"
          title={`Open run ${v.run_id}`}
          onOpen={props.onOpenRun}
        >
          {state.runName ?? v.run_id}
        </ActionLink>
      ) : (
        'none'
      )
    ],
    ['Source', <code key="c">{v.source}</code>]
  ];
  if (v.model_id) {
    rows.push([
      'Logged model',
      <code key="m" className="lt-VersionPage-modelId">
        {v.model_id}
      </code>
    ]);
  }
  if (v.aliases.length > 0) {
    rows.push(['Aliases', v.aliases.map(a => `@${a}`).join(', ')]);
  }
  return (
    <section className="lt-VersionPage">
      {back}
      <h3 className="lt-VersionPage-title">Version {v.version}</h3>
      {state.error && <ErrorText>{state.error}</ErrorText>}
      <InfoTable rows={rows} />
      <Description
        value={v.description ?? ''}
        onSave={description => state.describe(description)}
        renderMarkdown={props.renderMarkdown}
      />
      <TransitionRequests
        state={state.requests}
        currentStage={v.current_stage}
      />
      <h3>Signature</h3>
      <Signature signature={state.signature} />
      <h3>Load and predict</h3>
      <CodeBlock title="Python" code={state.snippet} />
    </section>
  );
}

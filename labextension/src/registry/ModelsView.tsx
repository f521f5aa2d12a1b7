/**
 * The registered models: each with its latest version per stage, its
 * aliases, description and last update; a name opens the model page.
 */
import * as React from 'react';

import { ActionLink } from '../common/ActionLink';
import { fullTime, relativeTime } from '../common/format';
import { ErrorText, LoadingOrError } from '../common/Status';
import { aliasText, latestPerStage, latestVersion } from './logic';
import type { ModelsState } from './state';

/** A stage as a coloured badge: `Production v3`. */
export function StageBadge(props: {
  stage: string;
  version?: number;
}): JSX.Element {
  return (
    <span
      className={`lt-Status lt-StageBadge lt-mod-${props.stage.toLowerCase()}`}
      title={
        props.version === undefined
          ? props.stage
          : `Latest version in ${props.stage}: ${props.version}`
      }
    >
      {props.stage}
      {props.version !== undefined && ` v${props.version}`}
    </span>
  );
}

/** The first line of a description, for a table cell. */
const firstLine = (text: string | null): string => (text ?? '').split('\n')[0];

/** The search box and the "create a model" form above the list. */
function Toolbar(props: {
  state: ModelsState;
  onOpenModel: (name: string) => void;
}): JSX.Element {
  const { state } = props;
  const [draft, setDraft] = React.useState('');
  const [creating, setCreating] = React.useState(false);
  return (
    <div className="lt-ModelsView-toolbar">
      <input
        type="search"
        className="lt-ModelsView-search"
        placeholder="Search models by name or description"
        aria-label="Search models"
        value={state.query}
        onChange={e => state.setQuery(e.target.value)}
      />
      <form
        className="lt-ModelsView-create"
        onSubmit={e => {
          e.preventDefault();
          setCreating(true);
          void state.create(draft).then(model => {
            setCreating(false);
            if (model) {
              setDraft('');
              props.onOpenModel(model.name);
            }
          });
        }}
      >
        <input
          className="lt-ModelsView-newName"
          placeholder="New model name"
          aria-label="Name of the model to create"
          value={draft}
          onChange={e => setDraft(e.target.value)}
        />
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept lt-ModelsView-createButton"
          disabled={creating}
        >
          {creating ? 'Creating…' : 'Create model'}
        </button>
      </form>
      {state.createError && <ErrorText>{state.createError}</ErrorText>}
    </div>
  );
}

export function ModelsView(props: {
  state: ModelsState;
  onOpenModel: (name: string) => void;
}): JSX.Element {
  const { state } = props;
  const { error, loading } = state;
  const all = state.models;
  const models = state.shown;
  const now = Date.now();
  // Team mode: who owns each model matters.
  const owners = state.teamMode;
  return (
    <div className="lt-RunPage lt-ModelsView">
      <h2>
        Registered models
        <button
          className="jp-Button jp-mod-styled lt-Registry-refresh"
          onClick={() => void state.refresh()}
          disabled={loading}
        >
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </h2>
      <Toolbar state={state} onOpenModel={props.onOpenModel} />
      {(error || models === null) && <LoadingOrError error={error} />}
      {all !== null && all.length > 0 && models?.length === 0 && (
        <p className="lt-RunPage-empty lt-ModelsView-noMatch">
          No model&apos;s name or description holds &quot;{state.query}&quot;.
        </p>
      )}
      {all !== null && all.length === 0 && (
        <p className="lt-RunPage-empty">
          No registered models yet. Register one from a model folder in a run
          page&apos;s artifacts (the &quot;Register model&quot; button), or in
          Python with{' '}
          <code>
            mlflow.register_model(&quot;runs:/RUN_ID/model&quot;,
            &quot;name&quot;)
          </code>
          .
        </p>
      )}
      {models !== null && models.length > 0 && (
        <table className="lt-Table lt-ModelsView-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Latest version</th>
              <th>Latest per stage</th>
              <th>Aliases</th>
              <th>Description</th>
              {owners && <th>Owner</th>}
              <th>Last update</th>
            </tr>
          </thead>
          <tbody>
            {models.map(m => (
              <tr key={m.name} className="lt-ModelsView-row">
                <th>
                  <ActionLink
                    target={m.name}
                    className="lt-ModelsView-name"
                    onOpen={props.onOpenModel}
                  >
                    {m.name}
                  </ActionLink>
                </th>
                <td>{latestVersion(m) ?? ''}</td>
                <td className="lt-ModelsView-stages">
                  {latestPerStage(m).map(s => (
                    <StageBadge key={s.stage} {...s} />
                  ))}
                </td>
                <td>{aliasText(m.aliases)}</td>
                <td className="lt-ModelsView-description">
                  {firstLine(m.description)}
                </td>
                {owners && (
                  <td className="lt-ModelsView-owner">{m.owner ?? ''}</td>
                )}
                <td title={fullTime(m.last_updated_timestamp)}>
                  {relativeTime(m.last_updated_timestamp, now)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

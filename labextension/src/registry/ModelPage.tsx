/**
 * A registered model's page: details with an editable description, the
 * versions (stages, aliases, source runs, history), and a Serving tab. It
 * only presents `ModelPageState`.
 */
import * as React from 'react';

import type { IRegisteredModel } from '../api/types';
import { Description } from '../common/Description';
import { fullTime } from '../common/format';
import { InfoTable } from '../common/InfoTable';
import type { MarkdownRenderer } from '../common/markdown';
import { ErrorText, LoadingOrError } from '../common/Status';
import { aliasText, latestPerStage } from './logic';
import { StageBadge } from './ModelsView';
import { Serving } from './Serving';
import type { ModelPageState, ModelTab } from './state';
import { VersionPage } from './VersionPage';
import { Versions } from './Versions';

export interface IModelPageProps {
  state: ModelPageState;
  onOpenRun: (runId: string) => void;
  /** The Share dialog; shown in team mode (models carry `my_permission`). */
  onShare?: (name: string) => Promise<unknown>;
  renderMarkdown?: MarkdownRenderer | null;
}

function Details(props: {
  model: IRegisteredModel;
  state: ModelPageState;
  renderMarkdown: MarkdownRenderer | null;
}): JSX.Element {
  const { model, state } = props;
  const rows: [string, React.ReactNode][] = [
    ['Created', fullTime(model.creation_timestamp)],
    ['Last update', fullTime(model.last_updated_timestamp)],
    [
      'Latest per stage',
      <span key="s" className="lt-ModelsView-stages">
        {latestPerStage(model).map(s => (
          <StageBadge key={s.stage} {...s} />
        ))}
      </span>
    ],
    ['Aliases', aliasText(model.aliases)]
  ];
  if (state.teamMode) {
    rows.unshift([
      'Owner',
      <span
        key="o"
        title={`You have ${model.my_permission ?? 'no'} permission on it`}
      >
        {model.owner ?? 'nobody (admins only)'}
      </span>
    ]);
  }
  return (
    <section className="lt-ModelPage-details">
      <InfoTable rows={rows} />
      <Description
        value={model.description ?? ''}
        onSave={description => state.describe(description)}
        renderMarkdown={props.renderMarkdown}
      />
    </section>
  );
}

export function ModelPage(props: IModelPageProps): JSX.Element {
  const { state } = props;
  const { model, tab, error } = state;
  if (!model) {
    return (
      <div className="lt-RunPage lt-ModelPage">
        <LoadingOrError error={error} />
      </div>
    );
  }
  const tabButton = (id: ModelTab, label: string): JSX.Element => (
    <button
      role="tab"
      aria-selected={tab === id}
      className={`lt-ModelPage-tab${tab === id ? ' lt-mod-active' : ''}`}
      onClick={() => state.setTab(id)}
    >
      {label}
    </button>
  );
  return (
    <div className="lt-RunPage lt-ModelPage">
      <h2 className="lt-ModelPage-title">
        {model.name}
        {props.onShare && state.teamMode && (
          <button
            className="jp-Button jp-mod-styled lt-Registry-refresh lt-ModelPage-share"
            title={
              model.my_permission === 'MANAGE'
                ? 'Share this model with users or groups'
                : 'Who can see this model'
            }
            onClick={() =>
              void props.onShare?.(model.name).then(() => state.refresh())
            }
          >
            Share…
          </button>
        )}
      </h2>
      {error && <ErrorText>{error}</ErrorText>}
      <div className="lt-ModelPage-tabs" role="tablist">
        {tabButton('versions', 'Details and versions')}
        {tabButton('serving', 'Serving')}
      </div>
      {tab === 'versions' && state.shownVersion ? (
        <VersionPage
          state={state.shownVersion}
          onBack={() => state.openVersion(null)}
          onOpenRun={props.onOpenRun}
          renderMarkdown={props.renderMarkdown ?? null}
        />
      ) : tab === 'versions' ? (
        <>
          <Details
            model={model}
            state={state}
            renderMarkdown={props.renderMarkdown ?? null}
          />
          <h3>Versions</h3>
          <Versions state={state} onOpenRun={props.onOpenRun} />
        </>
      ) : (
        state.serving && <Serving state={state.serving} />
      )}
    </div>
  );
}

/**
 * A registered model's page: details with an editable description, the
 * versions (stages, aliases, source runs, history), and a Serving tab.
 */
import * as React from 'react';

import { fullTime } from '../components/format';
import { Description, InfoTable, MarkdownRenderer } from '../runpage/RunPage';
import { patchModel } from './api';
import { aliasList, latestPerStage } from './logic';
import { StageBadge } from './ModelsView';
import { Serving } from './Serving';
import { Versions } from './Versions';
import { IModelVersion, IRegisteredModel } from './types';

export type ModelTab = 'versions' | 'serving';

export interface IModelPageProps {
  model: IRegisteredModel | null;
  versions: IModelVersion[];
  error: string | null;
  tab: ModelTab;
  /** The page is shown: the Serving tab polls only then. */
  visible: boolean;
  baseUrl: string;
  onTab: (tab: ModelTab) => void;
  onChanged: () => void;
  onOpenRun: (runId: string) => void;
  renderMarkdown?: MarkdownRenderer | null;
}

function Details(props: IModelPageProps & { model: IRegisteredModel }) {
  const { model } = props;
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
    [
      'Aliases',
      aliasList(model.aliases)
        .map(a => `@${a.alias} → v${a.version}`)
        .join(', ')
    ]
  ];
  return (
    <section className="lt-ModelPage-details">
      <InfoTable rows={rows} />
      <Description
        value={model.description ?? ''}
        onSave={description =>
          patchModel(model.name, { description }).then(props.onChanged)
        }
        renderMarkdown={props.renderMarkdown ?? null}
      />
    </section>
  );
}

export function ModelPage(props: IModelPageProps): JSX.Element {
  const { model, tab } = props;
  if (!model) {
    return (
      <div className="lt-RunPage lt-ModelPage">
        {props.error ? (
          <div className="lt-RunPage-error">{props.error}</div>
        ) : (
          <div className="lt-Artifacts-loading">Loading…</div>
        )}
      </div>
    );
  }
  const tabButton = (id: ModelTab, label: string): JSX.Element => (
    <button
      role="tab"
      aria-selected={tab === id}
      className={`lt-ModelPage-tab${tab === id ? ' lt-mod-active' : ''}`}
      onClick={() => props.onTab(id)}
    >
      {label}
    </button>
  );
  return (
    <div className="lt-RunPage lt-ModelPage">
      <h2 className="lt-ModelPage-title">{model.name}</h2>
      {props.error && <div className="lt-RunPage-error">{props.error}</div>}
      <div className="lt-ModelPage-tabs" role="tablist">
        {tabButton('versions', 'Details and versions')}
        {tabButton('serving', 'Serving')}
      </div>
      {tab === 'versions' ? (
        <>
          <Details {...props} model={model} />
          <h3>Versions</h3>
          <Versions
            name={model.name}
            versions={props.versions}
            onChanged={props.onChanged}
            onOpenRun={props.onOpenRun}
          />
        </>
      ) : (
        <Serving
          name={model.name}
          versions={props.versions}
          visible={props.visible}
          baseUrl={props.baseUrl}
        />
      )}
    </div>
  );
}

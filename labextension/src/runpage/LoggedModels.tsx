/**
 * The run page's Logged models section (MLflow 3): each model the run
 * logged, with its id, status and step, and its files (kept with the model,
 * not in the run's artifacts) browsed like artifacts. Every string renders as
 * text.
 */
import * as React from 'react';

import type { ILoggedModel } from '../api/types';
import { Artifacts } from './Artifacts';
import type { RunPageState } from './state';

export function LoggedModels(props: {
  models: ReadonlyArray<ILoggedModel>;
  state: RunPageState;
  /**
   * Register a model by its name in the run (`runs:/<run>/<name>` names it);
   * no button without it.
   */
  onRegister?: (name: string) => void;
}): JSX.Element {
  const { models, state, onRegister } = props;
  if (models.length === 0) {
    return <p className="lt-RunPage-empty">No logged models.</p>;
  }
  const open = state.openModel;
  return (
    <div className="lt-LoggedModels">
      <table className="lt-Table">
        <thead>
          <tr>
            <th>name</th>
            <th>model id</th>
            <th>status</th>
            <th>step</th>
            <th>files</th>
          </tr>
        </thead>
        <tbody>
          {models.map(m => (
            <tr key={m.model_id} className="lt-LoggedModels-row">
              <th>{m.name}</th>
              <td>
                <code title={m.artifact_location}>{m.model_id}</code>
              </td>
              <td>
                <span className={`lt-Status lt-mod-${m.status.toLowerCase()}`}>
                  {m.status.toLowerCase()}
                </span>
              </td>
              <td>{m.step ?? 0}</td>
              <td>
                <button
                  className="jp-Button lt-LoggedModels-files"
                  title={`The files of models:/${m.model_id}`}
                  onClick={() => state.toggleModel(m.model_id)}
                >
                  {open === m.model_id ? 'Hide files' : 'Files'}
                </button>
                {onRegister && m.status === 'READY' && (
                  <button
                    className="jp-Button lt-LoggedModels-register"
                    title={`Register ${m.name} in the model registry`}
                    onClick={() => onRegister(m.name)}
                  >
                    Register
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open !== null && models.some(m => m.model_id === open) && (
        <Artifacts state={state.modelFiles(open)} />
      )}
    </div>
  );
}

import {
  addIcon,
  caretDownIcon,
  copyIcon,
  deleteIcon,
  editIcon,
  listIcon,
  notebookIcon,
  refreshIcon,
  shareIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IExperiment } from '../../api/types';
import { IconButton } from '../../common/IconButton';
import type { INotebookRef } from '../types';

export interface IExperimentHeaderProps {
  /** The experiment shown; null when there is none yet. */
  experiment: IExperiment | null;
  notebook: INotebookRef | null;
  /** The user switched away from the notebook's experiment. */
  switched: boolean;
  switcherOpen: boolean;
  onToggleSwitcher: () => void;
  onCopyId: (experimentId: string) => void;
  onBack: () => void;
  onCreate: () => void;
  onRename: () => void;
  onDelete: () => void;
  onRefresh: () => void;
  /** The server checks permissions: the owner is shown. */
  teamMode?: boolean;
  /** Open the Share dialog (team mode); no button without it. */
  onShare?: () => void;
  /** Open the registered models; no button without it. */
  onOpenModels?: () => void;
  /** The switcher dropdown, when open. */
  children?: React.ReactNode;
}

/** Which notebook is followed and which experiment is shown, with its actions. */
export function ExperimentHeader(props: IExperimentHeaderProps): JSX.Element {
  const { experiment, notebook } = props;
  return (
    <section className="lt-ExperimentHeader" aria-label="Experiment">
      <header className="lt-ExperimentHeader-top">
        <h2 className="lt-ExperimentSidebar-title">Experiment</h2>
        <div className="lt-ExperimentHeader-actions">
          <IconButton
            icon={refreshIcon}
            title="Refresh runs"
            onClick={props.onRefresh}
          />
          <IconButton
            icon={addIcon}
            title="Create an experiment"
            onClick={props.onCreate}
          />
          <IconButton
            icon={editIcon}
            title="Rename this experiment"
            onClick={props.onRename}
            disabled={!experiment}
          />
          <IconButton
            icon={deleteIcon}
            title="Delete this experiment"
            onClick={props.onDelete}
            disabled={!experiment}
          />
          {props.onShare && (
            <IconButton
              icon={shareIcon}
              title={
                experiment?.my_permission === 'MANAGE'
                  ? 'Share this experiment with users or groups'
                  : 'Who can see this experiment'
              }
              onClick={props.onShare}
              disabled={!experiment}
            />
          )}
          {props.onOpenModels && (
            <IconButton
              icon={listIcon}
              title="Open the registered models"
              onClick={props.onOpenModels}
            />
          )}
        </div>
      </header>
      {notebook && (
        <div className="lt-ExperimentHeader-notebook" title={notebook.path}>
          <notebookIcon.react
            tag="span"
            className="lt-ExperimentHeader-notebookIcon"
          />
          <span className="lt-ExperimentHeader-notebookPath">
            {notebook.path}
          </span>
        </div>
      )}
      <div className="lt-ExperimentHeader-switch">
        <button
          type="button"
          className="lt-ExperimentHeader-name lt-mod-toggle"
          aria-haspopup="dialog"
          aria-expanded={props.switcherOpen}
          title="Switch to another experiment"
          onClick={props.onToggleSwitcher}
        >
          <span className="lt-ExperimentHeader-nameText">
            {experiment ? experiment.name : 'No experiment'}
          </span>
          <caretDownIcon.react
            tag="span"
            className="lt-ExperimentHeader-caret"
          />
        </button>
        {props.children}
      </div>
      {experiment && (
        <div className="lt-ExperimentHeader-id">
          <span>
            Experiment ID{' '}
            <code className="lt-ExperimentHeader-idValue">
              {experiment.experiment_id}
            </code>
          </span>
          <IconButton
            icon={copyIcon}
            className="lt-ExperimentHeader-copy"
            title={`Copy the id, for start_run(experiment_id="${experiment.experiment_id}")`}
            onClick={() => props.onCopyId(experiment.experiment_id)}
          />
          {props.teamMode && experiment.owner && (
            <span
              className="lt-Owner lt-ExperimentHeader-owner"
              title={`You have ${experiment.my_permission ?? 'no'} permission on it`}
            >
              · owner {experiment.owner}
            </span>
          )}
          {experiment.lifecycle_stage === 'deleted' && (
            <span className="lt-ExperimentHeader-deleted">deleted</span>
          )}
        </div>
      )}
      {props.switched && notebook && (
        <button
          type="button"
          className="lt-ExperimentHeader-back"
          onClick={props.onBack}
        >
          ← Back to this notebook’s experiment
        </button>
      )}
    </section>
  );
}

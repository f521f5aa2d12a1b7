/**
 * "Register model" on a model folder of a run: a dialog to register it as a
 * new registered model or as a new version of an existing one. Server errors
 * are shown in the dialog, which stays open with what was typed.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import '../../style/registry.css';
import type { LabtrackAPI } from '../api/client';
import type { IModelVersion } from '../api/types';
import { errorMessage, httpStatus } from '../common/errors';

export interface IRegisterChoice {
  mode: 'new' | 'existing';
  name: string;
}

function ModeOption(props: {
  mode: IRegisterChoice['mode'];
  choice: IRegisterChoice;
  disabled?: boolean;
  onPick: () => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <label className="lt-RegisterDialog-mode">
      <input
        type="radio"
        name="lt-register-mode"
        value={props.mode}
        checked={props.choice.mode === props.mode}
        disabled={props.disabled}
        onChange={props.onPick}
      />
      {props.children}
    </label>
  );
}

function RegisterForm(props: {
  path: string;
  models: string[] | null;
  loadError: string | null;
  error: string | null;
  choice: IRegisterChoice;
  onChange: (choice: IRegisterChoice) => void;
}): JSX.Element {
  const { choice, models } = props;
  const set = (patch: Partial<IRegisterChoice>): void =>
    props.onChange({ ...choice, ...patch });
  return (
    <div className="lt-RegisterDialog">
      <p>
        Register the model folder <code>{props.path}</code> of this run.
      </p>
      <ModeOption
        mode="new"
        choice={choice}
        onPick={() => set({ mode: 'new', name: '' })}
      >
        As a new model
      </ModeOption>
      {choice.mode === 'new' && (
        <input
          className="jp-mod-styled lt-RegisterDialog-name"
          placeholder="Model name, e.g. churn-classifier"
          value={choice.name}
          autoFocus
          onChange={e => set({ name: e.target.value })}
        />
      )}
      <ModeOption
        mode="existing"
        choice={choice}
        disabled={!models || models.length === 0}
        onPick={() => set({ mode: 'existing', name: models?.[0] ?? '' })}
      >
        As a new version of an existing model
        {models && models.length === 0 && ' (there are none yet)'}
      </ModeOption>
      {choice.mode === 'existing' && models && (
        <select
          className="jp-mod-styled lt-RegisterDialog-model"
          value={choice.name}
          onChange={e => set({ name: e.target.value })}
        >
          {models.map(m => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      )}
      {props.loadError && (
        <div className="lt-RunPage-error">
          The registered models could not be listed: {props.loadError}
        </div>
      )}
      {props.error && (
        <div className="lt-RunPage-error lt-RegisterDialog-error">
          {props.error}
        </div>
      )}
    </div>
  );
}

/** The dialog's body: the form, and its value for the dialog. */
class RegisterBody extends ReactWidget {
  constructor(
    api: LabtrackAPI,
    readonly path: string,
    public choice: IRegisterChoice,
    public error: string | null
  ) {
    super();
    api.registry
      .list()
      .then(reply => {
        this.models = reply.registered_models.map(m => m.name);
      })
      .catch(reason => {
        this.models = [];
        this.loadError = errorMessage(reason);
      })
      .finally(() => this.update());
  }

  getValue(): IRegisterChoice {
    return this.choice;
  }

  protected render(): JSX.Element {
    return (
      <RegisterForm
        path={this.path}
        models={this.models}
        loadError={this.loadError}
        error={this.error}
        choice={this.choice}
        onChange={choice => {
          this.choice = choice;
          this.update();
        }}
      />
    );
  }

  models: string[] | null = null;
  loadError: string | null = null;
}

/** Register; the server's message when it refuses. */
async function register(
  api: LabtrackAPI,
  runId: string,
  path: string,
  choice: IRegisterChoice
): Promise<IModelVersion> {
  const name = choice.name.trim();
  if (!name) {
    throw new Error(
      choice.mode === 'new'
        ? 'Type a name for the new model.'
        : 'Choose the model to add a version to.'
    );
  }
  if (choice.mode === 'new') {
    const exists = await api.registry.get(name).then(
      () => true,
      reason => {
        if (httpStatus(reason) === 404) {
          return false;
        }
        throw reason;
      }
    );
    if (exists) {
      throw new Error(
        `A model named "${name}" already exists: choose "As a new version of an existing model", or type another name.`
      );
    }
  }
  return api.registry.createVersion(name, runId, path);
}

/**
 * Ask how to register the model folder `path` of run `runId`, register it,
 * then offer to open the model page. Resolves to the new version, or null
 * when cancelled.
 */
export async function registerModelDialog(
  api: LabtrackAPI,
  runId: string,
  path: string,
  openModel: (name: string) => unknown
): Promise<IModelVersion | null> {
  let choice: IRegisterChoice = { mode: 'new', name: '' };
  let error: string | null = null;
  for (;;) {
    const body = new RegisterBody(api, path, choice, error);
    const result = await showDialog({
      title: 'Register model',
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Register' })],
      focusNodeSelector: 'input.lt-RegisterDialog-name'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    choice = result.value;
    try {
      const version = await register(api, runId, path, choice);
      const opened = await showDialog({
        title: 'Model registered',
        body: `Registered ${version.name}, version ${version.version}.`,
        buttons: [
          Dialog.cancelButton({ label: 'Close' }),
          Dialog.okButton({ label: 'Open model page' })
        ]
      });
      if (opened.button.accept) {
        openModel(version.name);
      }
      return version;
    } catch (reason) {
      error = errorMessage(reason);
    }
  }
}

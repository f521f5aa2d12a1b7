/**
 * The Lumino wrappers of the registry views: the models list and one
 * model's page. Both load when shown; the model page's Serving tab polls
 * only while the page is visible.
 */
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { errorMessage } from '../models/errors';
import { MarkdownRenderer } from '../runpage/RunPage';
import { getModel, listModels, listVersions } from './api';
import { ModelPage, ModelTab } from './ModelPage';
import { ModelsView } from './ModelsView';
import { IModelVersion, IRegisteredModel } from './types';

export class ModelsWidget extends ReactWidget {
  constructor(private readonly _openModel: (name: string) => void) {
    super();
    this.id = 'labtrack-models';
    this.addClass('lt-RegistryWidget');
    this.title.label = 'Models';
    this.title.caption = 'labtrack: registered models';
    this.title.closable = true;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this.update();
    try {
      this._models = (await listModels()).registered_models;
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    this._loading = false;
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this._loading) {
      void this.refresh();
    }
  }

  protected render(): JSX.Element {
    return (
      <ModelsView
        models={this._models}
        error={this._error}
        loading={this._loading}
        onRefresh={() => void this.refresh()}
        onOpenModel={this._openModel}
      />
    );
  }

  private _models: IRegisteredModel[] | null = null;
  private _error: string | null = null;
  private _loading = false;
}

export class ModelPageWidget extends ReactWidget {
  constructor(
    readonly modelName: string,
    private readonly _openRun: (runId: string) => void,
    private readonly _renderMarkdown: MarkdownRenderer | null = null
  ) {
    super();
    this.id = `labtrack-model-${encodeURIComponent(modelName)}`;
    this.addClass('lt-RegistryWidget');
    this.title.label = `Model: ${modelName}`;
    this.title.caption = `Registered model ${modelName}`;
    this.title.closable = true;
    void this.refresh();
  }

  get tab(): ModelTab {
    return this._tab;
  }

  set tab(tab: ModelTab) {
    this._tab = tab;
    this.update();
  }

  async refresh(): Promise<void> {
    try {
      const [model, versions] = await Promise.all([
        getModel(this.modelName),
        listVersions(this.modelName)
      ]);
      this._model = model;
      this._versions = versions.model_versions;
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <ModelPage
        model={this._model}
        versions={this._versions}
        error={this._error}
        tab={this._tab}
        visible={this.isVisible}
        baseUrl={ServerConnection.makeSettings().baseUrl}
        onTab={tab => {
          this.tab = tab;
        }}
        onChanged={() => void this.refresh()}
        onOpenRun={this._openRun}
        renderMarkdown={this._renderMarkdown}
      />
    );
  }

  private _model: IRegisteredModel | null = null;
  private _versions: IModelVersion[] = [];
  private _error: string | null = null;
  private _tab: ModelTab = 'versions';
}

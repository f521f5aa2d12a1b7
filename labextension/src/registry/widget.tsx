/**
 * The Lumino wrappers of the registry views: the models list and one
 * model's page. Both load when shown; the model page's Serving tab polls
 * only while the page is visible.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import '../../style/registry.css';
import type { LabtrackAPI } from '../api/client';
import type { MarkdownRenderer } from '../common/markdown';
import { ModelPage } from './ModelPage';
import { ModelsView } from './ModelsView';
import { ModelPageState, ModelsState, ModelTab } from './state';

export class ModelsWidget extends ReactWidget {
  constructor(
    api: LabtrackAPI,
    private readonly _openModel: (name: string) => void
  ) {
    super();
    this.id = 'labtrack-models';
    this.addClass('lt-RegistryWidget');
    this.title.label = 'Models';
    this.title.caption = 'labtrack: registered models';
    this.title.closable = true;
    this.state = new ModelsState(api);
    this.state.changed.connect(() => this.update());
    void this.refresh();
  }

  readonly state: ModelsState;

  refresh(): Promise<void> {
    return this.state.refresh();
  }

  dispose(): void {
    this.state.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this.state.loading) {
      void this.refresh();
    }
  }

  protected render(): JSX.Element {
    return <ModelsView state={this.state} onOpenModel={this._openModel} />;
  }
}

export class ModelPageWidget extends ReactWidget {
  constructor(options: ModelPageWidget.IOptions) {
    super();
    const { modelName } = options;
    this._options = options;
    this.id = `labtrack-model-${encodeURIComponent(modelName)}`;
    this.addClass('lt-RegistryWidget');
    this.title.label = `Model: ${modelName}`;
    this.title.caption = `Registered model ${modelName}`;
    this.title.closable = true;
    this.state = new ModelPageState({
      api: options.api,
      name: modelName,
      baseUrl: options.baseUrl,
      isVisible: () => this.isVisible
    });
    this.state.changed.connect(() => this.update());
    void this.refresh();
  }

  readonly state: ModelPageState;

  get modelName(): string {
    return this.state.name;
  }

  get tab(): ModelTab {
    return this.state.tab;
  }

  set tab(tab: ModelTab) {
    this.state.setTab(tab);
  }

  refresh(): Promise<void> {
    return this.state.refresh();
  }

  dispose(): void {
    this.state.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.state.followVisibility();
    void this.refresh();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.state.followVisibility();
  }

  protected onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    // Shown without an after-show (a restored layout): poll all the same.
    this.state.followVisibility();
  }

  protected render(): JSX.Element {
    return (
      <ModelPage
        state={this.state}
        onOpenRun={this._options.openRun}
        onShare={this._options.share}
        renderMarkdown={this._options.renderMarkdown}
      />
    );
  }

  private _options: ModelPageWidget.IOptions;
}

export namespace ModelPageWidget {
  export interface IOptions {
    api: LabtrackAPI;
    modelName: string;
    /** The server's base URL, absolute (`http://host:8888/base/`). */
    baseUrl: string;
    openRun: (runId: string) => void;
    /** The Share dialog of a model (team mode); resolves when it closes. */
    share?: (name: string) => Promise<unknown>;
    renderMarkdown: MarkdownRenderer | null;
  }
}

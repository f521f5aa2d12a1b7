/**
 * The run page's Lumino wrapper: owns the page's `RunPageState` (which
 * polls a RUNNING run while the tab is visible) and re-renders on its
 * changes.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import '../../style/runpage.css';
import type { LabtrackAPI } from '../api/client';
import type { IRunDetail } from '../api/types';
import type { MarkdownRenderer } from '../common/markdown';
import { runName } from '../common/run';
import type { RunCommand } from '../tokens';
import { RunPage } from './RunPage';
import { RunPageState } from './state';

export class RunPageWidget extends ReactWidget {
  constructor(options: RunPageWidget.IOptions) {
    super();
    const { runId } = options;
    this._options = options;
    this.id = `labtrack-run-${runId}`;
    this.addClass('lt-RunPageWidget');
    this.title.label = `Run ${runId.slice(0, 8)}`;
    this.title.closable = true;
    this.state = new RunPageState({
      api: options.api,
      runId,
      isVisible: () => this.isVisible
    });
    const changed = (): void => {
      const run = this.state.run;
      if (run) {
        this._setTitle(run);
      }
      this.update();
    };
    this.state.changed.connect(changed);
    this.state.charts.changed.connect(changed);
    this.state.artifacts.changed.connect(changed);
    void this.state.refresh();
  }

  readonly state: RunPageState;

  get runId(): string {
    return this.state.runId;
  }

  get run(): IRunDetail | null {
    return this.state.run;
  }

  dispose(): void {
    this.state.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.state.resume();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.state.pause();
  }

  protected render(): JSX.Element {
    const options = this._options;
    return (
      <RunPage
        state={this.state}
        onOpenRun={options.openRun}
        renderMarkdown={options.renderMarkdown}
        runCommand={options.runCommand}
        onRegisterModel={options.registerModel}
      />
    );
  }

  private _setTitle(run: IRunDetail): void {
    const name = runName(run);
    this.title.label = `Run: ${name}`;
    this.title.caption = `${name} (${run.info.run_id})`;
  }

  private _options: RunPageWidget.IOptions;
}

export namespace RunPageWidget {
  export interface IOptions {
    api: LabtrackAPI;
    runId: string;
    openRun: (runId: string) => void;
    renderMarkdown: MarkdownRenderer | null;
    runCommand: RunCommand | null;
    /** Register a model folder of the run (a command of the registry plugin). */
    registerModel: ((runId: string, path: string) => void) | null;
  }
}

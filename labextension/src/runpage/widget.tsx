/**
 * The run page's Lumino wrapper: loads the run and, while the run is RUNNING
 * and the tab is visible, refreshes it every 2 s (`RunPoller`).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { getRun } from './api';
import { RunCommand } from './NotebookVersion';
import { RunPoller } from './poller';
import { MarkdownRenderer, RunPage } from './RunPage';
import { IRunDetail } from './types';

export { LIVE_INTERVAL } from './poller';

export class RunPageWidget extends ReactWidget {
  constructor(
    readonly runId: string,
    private readonly _openRun: (runId: string) => void,
    private readonly _renderMarkdown: MarkdownRenderer | null = null,
    private readonly _runCommand: RunCommand | null = null,
    private readonly _registerModel:
      ((runId: string, path: string) => void) | null = null
  ) {
    super();
    this.id = `labtrack-run-${runId}`;
    this.addClass('lt-RunPageWidget');
    this.title.label = `Run ${runId.slice(0, 8)}`;
    this.title.closable = true;
    this._poller = new RunPoller({
      fetch: () => getRun(runId),
      isVisible: () => this.isVisible,
      onFetched: (run, error) => {
        if (run) {
          this._setTitle(run);
        }
        this._error = error;
        this._tick += 1;
        this.update();
      }
    });
    void this.refresh();
  }

  get run(): IRunDetail | null {
    return this._poller.run;
  }

  /** Fetch the run again; charts refetch too. */
  refresh(): Promise<void> {
    return this._poller.refresh();
  }

  dispose(): void {
    this._poller.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._poller.schedule();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._poller.stop();
  }

  protected render(): JSX.Element {
    return (
      <RunPage
        run={this._poller.run}
        error={this._error}
        tick={this._tick}
        onChanged={run => {
          this._poller.set(run);
          this._setTitle(run);
          this.update();
        }}
        onOpenRun={this._openRun}
        renderMarkdown={this._renderMarkdown}
        runCommand={this._runCommand}
        onRegisterModel={this._registerModel}
      />
    );
  }

  private _setTitle(run: IRunDetail): void {
    const name = run.info.run_name || run.info.run_id.slice(0, 8);
    this.title.label = `Run: ${name}`;
    this.title.caption = `${name} (${run.info.run_id})`;
  }

  private _poller: RunPoller;
  private _error: string | null = null;
  private _tick = 0;
}

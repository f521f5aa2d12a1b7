/**
 * The run page's Lumino wrapper: loads the run and, while the run is RUNNING
 * and the tab is visible, refreshes it every 2 s.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { getRun } from './api';
import { MarkdownRenderer, RunPage } from './RunPage';
import { IRunDetail } from './types';

export const LIVE_INTERVAL = 2000;

export class RunPageWidget extends ReactWidget {
  constructor(
    readonly runId: string,
    private readonly _openRun: (runId: string) => void,
    private readonly _renderMarkdown: MarkdownRenderer | null = null,
    private readonly _registerModel:
      ((runId: string, path: string) => void) | null = null
  ) {
    super();
    this.id = `labtrack-run-${runId}`;
    this.addClass('lt-RunPageWidget');
    this.title.label = `Run ${runId.slice(0, 8)}`;
    this.title.closable = true;
    void this.refresh();
  }

  get run(): IRunDetail | null {
    return this._run;
  }

  /** Fetch the run again; charts refetch too. */
  async refresh(): Promise<void> {
    try {
      this._set(await getRun(this.runId));
      this._error = null;
    } catch (reason: any) {
      this._error = String(reason?.message ?? reason);
    }
    this._tick += 1;
    this.update();
    this._schedule();
  }

  dispose(): void {
    this._stop();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._schedule();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stop();
  }

  protected render(): JSX.Element {
    return (
      <RunPage
        run={this._run}
        error={this._error}
        tick={this._tick}
        onChanged={run => {
          this._set(run);
          this.update();
        }}
        onOpenRun={this._openRun}
        renderMarkdown={this._renderMarkdown}
        onRegisterModel={this._registerModel}
      />
    );
  }

  private _set(run: IRunDetail): void {
    this._run = run;
    const name = run.info.run_name || run.info.run_id.slice(0, 8);
    this.title.label = `Run: ${name}`;
    this.title.caption = `${name} (${run.info.run_id})`;
  }

  /** Poll only while visible and running. */
  private _schedule(): void {
    this._stop();
    if (this.isDisposed || !this.isVisible) {
      return;
    }
    if (this._run && this._run.info.status !== 'RUNNING') {
      return;
    }
    this._timer = setTimeout(() => void this.refresh(), LIVE_INTERVAL);
  }

  private _stop(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _run: IRunDetail | null = null;
  private _error: string | null = null;
  private _tick = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}

/** The compare view's Lumino wrapper: one `GET compare` for all runs. */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { compareRuns } from '../runpage/api';
import { ICompareReply } from '../runpage/types';
import { CompareView, ICompareActions } from './CompareView';

let counter = 0;

export class CompareWidget extends ReactWidget {
  constructor(
    readonly runIds: string[],
    private readonly _actions: ICompareActions
  ) {
    super();
    counter += 1;
    this.id = `labtrack-compare-${counter}`;
    this.addClass('lt-CompareWidget');
    this.title.label = `Compare ${runIds.length} runs`;
    this.title.closable = true;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this._reply = await compareRuns(this.runIds);
      this._error = null;
    } catch (reason: any) {
      this._error = String(reason?.message ?? reason);
    }
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <CompareView
        reply={this._reply}
        error={this._error}
        actions={this._actions}
      />
    );
  }

  private _reply: ICompareReply | null = null;
  private _error: string | null = null;
}

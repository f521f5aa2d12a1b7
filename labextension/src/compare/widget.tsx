/** The compare view's Lumino wrapper: owns a `CompareState` (one `GET compare`). */
import { ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';

import '../../style/runpage.css';
import * as React from 'react';

import type { LabtrackAPI } from '../api/client';
import { CompareView, ICompareActions } from './CompareView';
import { CompareState } from './state';

let counter = 0;

export class CompareWidget extends ReactWidget {
  constructor(
    api: LabtrackAPI,
    runIds: string[],
    private readonly _actions: ICompareActions
  ) {
    super();
    counter += 1;
    this.id = `labtrack-compare-${counter}`;
    this.addClass('lt-CompareWidget');
    this.title.label = `Compare ${runIds.length} runs`;
    this.title.closable = true;
    this.state = new CompareState(api, runIds);
    this.state.changed.connect(() => this.update());
    void this.state.refresh();
  }

  readonly state: CompareState;

  get runIds(): string[] {
    return this.state.runIds;
  }

  dispose(): void {
    this.state.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // A new tab is attached already visible: no after-show message follows.
    if (this.isVisible) {
      this.state.setActive(true);
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.state.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.state.setActive(false);
  }

  protected onBeforeDetach(msg: Message): void {
    this.state.setActive(false);
    super.onBeforeDetach(msg);
  }

  protected render(): JSX.Element {
    return <CompareView state={this.state} actions={this._actions} />;
  }
}

import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { StoreInfo } from '../components/StoreInfo';
import { labtrackIcon } from '../icons';
import { LabtrackModel } from '../model';

/** DOM id of the sidebar; also its id in the shell and the layout restorer. */
export const SIDEBAR_ID = 'labtrack-sidebar';

/**
 * The right-sidebar "Experiment" panel. It polls the model only while shown.
 */
export class ExperimentSidebar extends ReactWidget {
  constructor(model: LabtrackModel) {
    super();
    this._model = model;
    this.id = SIDEBAR_ID;
    this.addClass('lt-ExperimentSidebar');
    this.title.icon = labtrackIcon;
    this.title.caption = 'Experiment';
    this.title.label = '';
  }

  get model(): LabtrackModel {
    return this._model;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Attached already visible (an area that shows it at once): no after-show follows.
    if (this.isVisible) {
      this._model.start();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this._model.stop();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.stop();
  }

  protected render(): JSX.Element {
    return (
      <div className="lt-ExperimentSidebar-content">
        <header className="lt-ExperimentSidebar-header">
          <h2 className="lt-ExperimentSidebar-title">Experiment</h2>
        </header>
        <UseSignal signal={this._model.changed}>
          {() => (
            <StoreInfo
              info={this._model.storeInfo}
              error={this._model.error}
              loading={this._model.loading}
            />
          )}
        </UseSignal>
      </div>
    );
  }

  private _model: LabtrackModel;
}

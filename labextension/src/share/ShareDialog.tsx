/**
 * "Share": the dialog around `SharePanel`. Each change is saved at once, so
 * the dialog has only a Close button.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import '../../style/share.css';
import type { LabtrackAPI } from '../api/client';
import type { IShareable } from '../api/permissions';
import { SharePanel } from './SharePanel';
import { ShareState } from './state';
import { shorten } from '../common/format';

/** How much of a name the dialog's title shows. */
const TITLE_CHARS = 48;

class ShareBody extends ReactWidget {
  constructor(readonly state: ShareState) {
    super();
  }

  protected render(): JSX.Element {
    return <SharePanel state={this.state} />;
  }
}

/** Show who may see and change `target`, and let a manager change it. */
export async function shareDialog(
  api: LabtrackAPI,
  target: IShareable
): Promise<void> {
  const state = new ShareState({ api, target });
  void state.load();
  await showDialog({
    // Long names (a notebook's path) would stretch the dialog over the whole page.
    title: `Share ${target.kind === 'experiment' ? 'experiment' : 'model'} "${shorten(target.label, TITLE_CHARS)}"`,
    body: new ShareBody(state),
    buttons: [Dialog.okButton({ label: 'Close' })],
    focusNodeSelector: 'input.lt-Share-name'
  });
}

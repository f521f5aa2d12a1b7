/**
 * Main-area tabs of one kind (run pages, compare views, model pages, ...):
 * a widget tracker, so the layout restorer reopens them, and
 * open-or-activate.
 */
import type { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';

/** How the layout restorer reopens a tab: a command and its arguments. */
export interface IRestoreOptions<T> {
  command: string;
  args?: (widget: T) => ReadonlyPartialJSONObject;
  /** A name unique among the tabs of this kind. */
  name: (widget: T) => string;
}

export class MainAreaTabs<T extends Widget> {
  constructor(
    private readonly _app: JupyterFrontEnd,
    namespace: string
  ) {
    this.tracker = new WidgetTracker<T>({ namespace });
  }

  readonly tracker: WidgetTracker<T>;

  /** The first open tab that `match`es. */
  find(match: (widget: T) => boolean): T | undefined {
    return this.tracker.find(match);
  }

  forEach(fn: (widget: T) => void): void {
    this.tracker.forEach(fn);
  }

  /**
   * The tab that `match`es, or a new one from `create`; put in the main
   * area if it is not there, and activated.
   */
  open(match: (widget: T) => boolean, create: () => T): T {
    // A disposed tab may linger until the tracker hears of it: never reuse it.
    let widget = this.tracker.find(w => !w.isDisposed && match(w));
    if (!widget) {
      widget = create();
      void this.tracker.add(widget);
    }
    if (!widget.isAttached) {
      this._app.shell.add(widget, 'main');
    }
    this._app.shell.activateById(widget.id);
    return widget;
  }

  /** Reopen the tabs of the last session (with a layout restorer). */
  restore(restorer: ILayoutRestorer | null, options: IRestoreOptions<T>): void {
    if (restorer) {
      void restorer.restore(this.tracker, options);
    }
  }
}

import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { EmptyState } from '../common/EmptyState';
import { useSignals } from '../common/useSignals';
import { labtrackIcon } from '../icons';
import { SidebarActions } from './actions';
import { ColumnChooser } from './components/ColumnChooser';
import { ExperimentHeader } from './components/ExperimentHeader';
import { ExperimentSwitcher } from './components/ExperimentSwitcher';
import { FirstRunHint } from './components/FirstRunHint';
import { QuickFilters } from './components/QuickFilters';
import { RunsTable } from './components/RunsTable';
import { RunsToolbar } from './components/RunsToolbar';
import { SearchBox } from './components/SearchBox';
import { StoreInfo } from './components/StoreInfo';
import { EMPTY_QUERY } from './query';
import { SidebarState } from './state';

/** DOM id of the sidebar; also its id in the shell and the layout restorer. */
export const SIDEBAR_ID = 'labtrack-sidebar';

interface ISidebarBodyProps {
  state: SidebarState;
  actions: SidebarActions;
}

/** Reads the state and lays out the presentational components. */
function SidebarBody(props: ISidebarBodyProps): JSX.Element {
  const { state, actions } = props;
  const { runs, experiments } = state;
  useSignals([
    state.changed,
    runs.changed,
    runs.selection.changed,
    state.store.changed,
    experiments.changed,
    actions.commandsChanged
  ]);
  const [switcherOpen, setSwitcherOpen] = React.useState(false);
  const [chooserOpen, setChooserOpen] = React.useState(false);
  const closeSwitcher = React.useCallback(() => setSwitcherOpen(false), []);
  const closeChooser = React.useCallback(() => setChooserOpen(false), []);
  const search = React.useCallback(
    (text: string) => void experiments.load(text),
    [experiments]
  );

  const experiment = state.experiment;
  const notebook = state.notebook;

  return (
    <div className="lt-ExperimentSidebar-content">
      <ExperimentHeader
        experiment={experiment}
        notebook={notebook}
        switched={state.switched}
        switcherOpen={switcherOpen}
        onToggleSwitcher={() => setSwitcherOpen(open => !open)}
        onCopyId={id => actions.copyId(id)}
        onBack={() => state.backToNotebook()}
        onCreate={() => void actions.createExperiment()}
        onRename={() => void actions.renameExperiment()}
        onDelete={() => void actions.deleteExperiment()}
        onRefresh={() => void state.refresh()}
        onOpenModels={() => void actions.openModels()}
        teamMode={state.teamMode}
        onShare={
          actions.canShare ? () => void actions.shareExperiment() : undefined
        }
      >
        {switcherOpen && (
          <ExperimentSwitcher
            experiments={experiments.list}
            search={experiments.search}
            loading={experiments.loading}
            error={experiments.error}
            hasMore={experiments.hasMore}
            currentId={experiment?.experiment_id ?? null}
            notebookExperimentId={
              state.notebookExperiment?.experiment_id ?? null
            }
            sharedOnly={state.teamMode ? experiments.sharedOnly : undefined}
            onSharedOnly={value => void experiments.setSharedOnly(value)}
            onSearch={search}
            onPick={picked => {
              setSwitcherOpen(false);
              state.switchTo(picked);
            }}
            onClose={closeSwitcher}
          />
        )}
      </ExperimentHeader>
      {experiment ? (
        <RunsSection
          state={state}
          actions={actions}
          chooserOpen={chooserOpen}
          setChooserOpen={setChooserOpen}
          closeChooser={closeChooser}
        />
      ) : (
        <NoExperiment state={state} onBrowse={() => setSwitcherOpen(true)} />
      )}
      <details
        className="lt-ExperimentSidebar-store"
        open={notebook === null && experiment === null}
      >
        <summary>Store</summary>
        <StoreInfo
          info={state.store.info}
          error={state.store.error}
          loading={state.store.loading}
        />
      </details>
    </div>
  );
}

/** What stands in for the table when no experiment is shown. */
function NoExperiment(props: {
  state: SidebarState;
  onBrowse: () => void;
}): JSX.Element {
  const { state } = props;
  switch (state.notebookState) {
    case 'none':
      return (
        <EmptyState title="Open a notebook to see its runs here.">
          <button
            type="button"
            className="lt-TextButton lt-mod-toggle"
            onClick={props.onBrowse}
          >
            Browse experiments
          </button>
        </EmptyState>
      );
    case 'loading':
      return <EmptyState title="Looking up this notebook’s experiment…" />;
    case 'error':
      return (
        <EmptyState
          kind="error"
          title={`Cannot look up this notebook’s experiment: ${state.notebookError}`}
        >
          <p>It is asked again every few seconds.</p>
        </EmptyState>
      );
    default:
      return (
        <EmptyState title="No runs yet: run a cell that calls labtrack.start_run().">
          <FirstRunHint />
          <p>
            This notebook’s experiment is created by its first run and shows
            here at once.
          </p>
        </EmptyState>
      );
  }
}

interface IRunsSectionProps extends ISidebarBodyProps {
  chooserOpen: boolean;
  setChooserOpen: (update: (open: boolean) => boolean) => void;
  closeChooser: () => void;
}

/** Search, quick filters, toolbar and the runs table of the shown experiment. */
function RunsSection(props: IRunsSectionProps): JSX.Element {
  const { state, actions } = props;
  const runs = state.runs;
  const query = runs.query;
  const filtered =
    JSON.stringify({ ...query, sort: null }) !== JSON.stringify(EMPTY_QUERY);

  let body: JSX.Element;
  if (runs.error && runs.runs.length === 0) {
    body = (
      <EmptyState kind="error" title={`Cannot load the runs: ${runs.error}`}>
        <p>They are asked for again every few seconds.</p>
      </EmptyState>
    );
  } else if (runs.loading && runs.runs.length === 0) {
    body = <EmptyState title="Loading runs…" />;
  } else if (runs.queryError) {
    body = <EmptyState title="Fix the filter to see runs." />;
  } else if (runs.runs.length === 0) {
    body = filtered ? (
      <EmptyState title="No runs match the filter.">
        <button
          type="button"
          className="lt-TextButton"
          onClick={() =>
            void runs.setQuery({ ...EMPTY_QUERY, sort: query.sort })
          }
        >
          Clear the filters
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="No runs yet: run a cell that calls labtrack.start_run().">
        <FirstRunHint />
      </EmptyState>
    );
  } else {
    body = (
      <>
        <RunsTable
          runs={runs.runs}
          columns={runs.columns}
          sort={query.sort}
          selection={runs.selection.ids}
          onSort={column => void runs.toggleSort(column)}
          onSelect={(ids, selected) => runs.selection.select(ids, selected)}
          onOpen={
            actions.canOpenRun ? id => void actions.openRun(id) : undefined
          }
        />
        {runs.hasMore && (
          <button
            type="button"
            className="lt-RunsSection-more jp-mod-styled"
            disabled={runs.loadingMore}
            onClick={() => void runs.loadMore()}
          >
            {runs.loadingMore ? 'Loading…' : `Load ${runs.pageSize} more`}
          </button>
        )}
      </>
    );
  }

  return (
    <section
      className={`lt-RunsSection ${runs.loading ? 'lt-mod-loading' : ''}`}
      aria-label="Runs"
      aria-busy={runs.loading}
    >
      <SearchBox
        value={query.filter}
        keys={runs.keys}
        error={runs.queryError}
        onSubmit={filter => void runs.setQuery({ filter })}
      />
      <QuickFilters
        query={query}
        onChange={change => void runs.setQuery(change)}
      />
      <RunsToolbar
        shown={runs.runs.length}
        hasMore={runs.hasMore}
        selected={runs.selection.size}
        canCompare={actions.canCompare}
        chooserOpen={props.chooserOpen}
        onToggleChooser={() => props.setChooserOpen(open => !open)}
        onDownload={() => void actions.downloadCsv()}
        onCompare={() => void actions.compare()}
        onClearSelection={() => runs.selection.clear()}
      >
        {props.chooserOpen && (
          <ColumnChooser
            keys={runs.keys}
            columns={runs.columns}
            chosen={runs.columnsChosen}
            onChange={columns => void runs.setColumns(columns)}
            onClose={props.closeChooser}
          />
        )}
      </RunsToolbar>
      {runs.error && runs.runs.length > 0 && (
        <p className="lt-RunsSection-error" role="alert">
          Cannot update the runs: {runs.error}
        </p>
      )}
      {body}
    </section>
  );
}

/**
 * The right-sidebar "Experiment" panel: the active notebook's experiment and
 * its runs, live. It polls the server only while shown.
 */
export class ExperimentSidebar extends ReactWidget {
  constructor(state: SidebarState, actions: SidebarActions) {
    super();
    this._state = state;
    this._actions = actions;
    this.id = SIDEBAR_ID;
    this.addClass('lt-ExperimentSidebar');
    this.title.icon = labtrackIcon;
    this.title.caption = 'Experiment';
    this.title.label = '';
  }

  get state(): SidebarState {
    return this._state;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Attached already visible (an area that shows it at once): no after-show follows.
    if (this.isVisible) {
      this._state.start();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this._state.stop();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._state.start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._state.stop();
  }

  protected onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    // Shown by a layout restored before the panel was attached, an after-show
    // may never come: a visible panel polls whatever the messages were.
    if (this.isVisible) {
      this._state.start();
    }
  }

  protected render(): JSX.Element {
    return <SidebarBody state={this._state} actions={this._actions} />;
  }

  private _state: SidebarState;
  private _actions: SidebarActions;
}

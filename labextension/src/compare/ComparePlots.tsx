/**
 * The compare view's plot tabs: parallel coordinates (brushing selects runs),
 * scatter, contour, box plot, metric histories. The tab shown and the
 * histories are `CompareState`'s; the axes chosen are only drawing.
 */
import * as React from 'react';

import type { IRunDetail } from '../api/types';
import { plotlyText } from '../charts/axes';
import { IPlot, Layout, titledAxis, withHeight } from '../charts/layout';
import { Plot } from '../charts/Plot';
import { ErrorText } from '../common/Status';
import { useThemeVersion } from '../charts/theme';
import type { ICompareActions } from './CompareView';
import {
  brushedRunIds,
  ConstraintRange,
  defaultAxes,
  defaultColorMetric,
  parcoordsTrace
} from './parallel';
import {
  boxPlot,
  boxTooFew,
  columnValue,
  contourPlot,
  contourTooFew,
  historyTraces,
  scatterPlot,
  singleValued
} from './plots';
import type { CompareState, PlotTab } from './state';

/** Height of every plot of the compare view, in pixels. */
const PLOT_HEIGHT = 420;

/** A plot built from the runs, and its layout at the compare view's height. */
function useSizedPlot(
  build: () => IPlot | null,
  deps: React.DependencyList
): { plot: IPlot | null; layout: Layout } {
  const plot = React.useMemo(build, deps);
  const layout = React.useMemo(
    () => withHeight(plot?.layout, PLOT_HEIGHT),
    [plot]
  );
  return { plot, layout };
}

export const PLOT_TABS: [PlotTab, string][] = [
  ['parallel', 'Parallel coordinates'],
  ['scatter', 'Scatter'],
  ['contour', 'Contour'],
  ['box', 'Box plot'],
  ['history', 'Metric history']
];

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
  className?: string;
}): JSX.Element {
  return (
    <label className="lt-Compare-choice">
      {props.label}{' '}
      <select
        className={props.className}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
      >
        {props.options.map(o => (
          <option key={o} value={o}>
            {o.slice(o.indexOf('.') + 1)}
            {o.startsWith('params.') ? ' (param)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

interface IPlotsProps {
  runs: IRunDetail[];
  params: string[];
  numericParams: string[];
  metrics: string[];
  actions: ICompareActions;
}

/** The theme's accent, for lines that are not coloured by a metric. */
function accentColor(): string {
  return (
    getComputedStyle(document.body)
      .getPropertyValue('--jp-brand-color1')
      .trim() || '#1976d2'
  );
}

/** The axes of the parallel coordinates: a list of checkboxes, every key. */
function AxisChooser(props: {
  columns: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
}): JSX.Element {
  const { columns, chosen } = props;
  return (
    <details className="lt-Compare-axes">
      <summary>
        Axes ({chosen.length} of {columns.length})
      </summary>
      <div className="lt-Compare-axesList">
        {columns.map(column => (
          <label key={column} title={column}>
            <input
              type="checkbox"
              checked={chosen.includes(column)}
              onChange={e =>
                props.onChange(
                  e.target.checked
                    ? columns.filter(c => c === column || chosen.includes(c))
                    : chosen.filter(c => c !== column)
                )
              }
            />
            {column.slice(column.indexOf('.') + 1)}
            <span className="lt-Compare-axisKind">
              {column.startsWith('params.') ? ' param' : ' metric'}
            </span>
          </label>
        ))}
      </div>
    </details>
  );
}

function Parallel(props: IPlotsProps): JSX.Element {
  const { runs, params, metrics, actions } = props;
  const theme = useThemeVersion();
  const allColumns = React.useMemo(
    () => [
      ...params.map(p => `params.${p}`),
      ...metrics.map(m => `metrics.${m}`)
    ],
    [params, metrics]
  );
  const [axes, setAxes] = React.useState(() =>
    defaultAxes(runs, params, metrics)
  );
  // Only metrics every run has can colour every line.
  const colorable = React.useMemo(
    () => metrics.filter(m => defaultColorMetric(runs, [m]) === m),
    [runs, metrics]
  );
  const [colorBy, setColorBy] = React.useState(() =>
    defaultColorMetric(runs, metrics)
  );
  const [selected, setSelected] = React.useState<string[] | null>(null);
  const built = React.useMemo(
    () => parcoordsTrace(runs, axes, colorBy || null, accentColor()),
    [runs, axes, colorBy, theme]
  );
  const data = React.useMemo(() => [built.trace], [built]);
  const layout = React.useMemo(
    () => ({ height: PLOT_HEIGHT, margin: { l: 70, r: 80, t: 80, b: 30 } }),
    []
  );
  const runIds = React.useMemo(() => runs.map(r => r.info.run_id), [runs]);
  const onReady = React.useCallback(
    (root: HTMLElement) => {
      const el = root as any;
      el.removeAllListeners?.('plotly_restyle');
      el.on?.('plotly_restyle', () => {
        const dims: any[] = el.data?.[0]?.dimensions ?? [];
        const ranges = dims.map(d => d.constraintrange as ConstraintRange);
        const brushed = ranges.some(r => r && r.length);
        setSelected(
          brushed
            ? brushedRunIds(
                runIds,
                dims.map(d => d.values),
                ranges
              )
            : null
        );
      });
    },
    [runIds]
  );
  return (
    <div>
      <div className="lt-Compare-controls">
        <AxisChooser
          columns={allColumns}
          chosen={axes}
          onChange={chosen => {
            setSelected(null);
            setAxes(chosen);
          }}
        />
        <label className="lt-Compare-choice">
          Colour by{' '}
          <select
            className="lt-Compare-colorBy"
            value={colorBy}
            onChange={e => setColorBy(e.target.value)}
            title="Metrics every run has"
          >
            <option value="">(one colour)</option>
            {colorable.map(m => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <span className="lt-Compare-selection">
          {selected === null
            ? 'Drag along an axis to select runs.'
            : `${selected.length} of ${runs.length} runs selected`}
        </span>
        <button
          className="jp-Button lt-Compare-selectInSidebar"
          disabled={selected === null || !actions.canSelectRuns()}
          title={
            actions.canSelectRuns()
              ? 'Select these runs in the Experiment sidebar'
              : 'The sidebar cannot select runs (labtrack:select-runs is missing)'
          }
          onClick={() => selected && actions.selectRuns(selected)}
        >
          Select in sidebar
        </button>
      </div>
      {axes.length === 0 ? (
        <p className="lt-RunPage-empty">
          No axis chosen: pick params and metrics under Axes.
        </p>
      ) : (
        <Plot
          data={data}
          layout={layout}
          onReady={onReady}
          className="lt-Compare-parcoords"
        />
      )}
    </div>
  );
}

function Scatter(props: IPlotsProps): JSX.Element {
  const columns = [
    ...props.params.map(p => `params.${p}`),
    ...props.metrics.map(m => `metrics.${m}`)
  ];
  const [x, setX] = React.useState(columns[0] ?? '');
  const [y, setY] = React.useState(
    props.metrics.length ? `metrics.${props.metrics[0]}` : (columns[1] ?? '')
  );
  const { plot, layout } = useSizedPlot(
    () => scatterPlot(props.runs, x, y),
    [props.runs, x, y]
  );
  return (
    <div>
      <div className="lt-Compare-controls">
        <Choice label="x" value={x} options={columns} onChange={setX} />
        <Choice label="y" value={y} options={columns} onChange={setY} />
      </div>
      {plot && x && y ? (
        <Plot data={plot.data} layout={layout} />
      ) : (
        <p className="lt-RunPage-empty">Nothing to plot.</p>
      )}
    </div>
  );
}

function Contour(props: IPlotsProps): JSX.Element {
  const params = props.numericParams.map(p => `params.${p}`);
  const metrics = props.metrics.map(m => `metrics.${m}`);
  const [x, setX] = React.useState(params[0] ?? '');
  const [y, setY] = React.useState(params[1] ?? '');
  const [z, setZ] = React.useState(metrics[0] ?? '');
  const tooFew = React.useMemo(
    () => (x && y && z ? contourTooFew(props.runs, x, y, z) : null),
    [props.runs, x, y, z]
  );
  const { plot, layout } = useSizedPlot(
    () => (x && y && z && !tooFew ? contourPlot(props.runs, x, y, z) : null),
    [props.runs, x, y, z, tooFew]
  );
  if (params.length < 2 || metrics.length === 0) {
    return (
      <p className="lt-RunPage-empty">
        A contour needs two numeric params and a metric.
      </p>
    );
  }
  return (
    <div>
      <div className="lt-Compare-controls">
        <Choice label="x" value={x} options={params} onChange={setX} />
        <Choice label="y" value={y} options={params} onChange={setY} />
        <Choice label="z" value={z} options={metrics} onChange={setZ} />
      </div>
      {tooFew && <p className="lt-RunPage-empty lt-Compare-tooFew">{tooFew}</p>}
      {plot && <Plot data={plot.data} layout={layout} />}
    </div>
  );
}

/** True when the runs hold at least two different values of `column`. */
function varies(runs: IRunDetail[], column: string): boolean {
  return (
    new Set(runs.map(r => columnValue(r, column)).filter(v => v !== undefined))
      .size > 1
  );
}

function Box(props: IPlotsProps): JSX.Element {
  // Grouping by a param every run shares says nothing: those that vary first.
  const params = props.params
    .map(p => `params.${p}`)
    .sort(
      (a, b) => Number(varies(props.runs, b)) - Number(varies(props.runs, a))
    );
  const metrics = props.metrics.map(m => `metrics.${m}`);
  const [metric, setMetric] = React.useState(metrics[0] ?? '');
  const [group, setGroup] = React.useState(params[0] ?? '');
  const tooFew = React.useMemo(
    () => (metric && group ? boxTooFew(props.runs, metric, group) : null),
    [props.runs, metric, group]
  );
  const { plot, layout } = useSizedPlot(
    () =>
      metric && group && !tooFew ? boxPlot(props.runs, metric, group) : null,
    [props.runs, metric, group, tooFew]
  );
  if (!metric || !group) {
    return (
      <p className="lt-RunPage-empty">A box plot needs a param and a metric.</p>
    );
  }
  return (
    <div>
      <div className="lt-Compare-controls">
        <Choice
          label="Metric"
          value={metric}
          options={metrics}
          onChange={setMetric}
        />
        <Choice
          label="Grouped by"
          value={group}
          options={params}
          onChange={setGroup}
        />
      </div>
      {tooFew && <p className="lt-RunPage-empty lt-Compare-tooFew">{tooFew}</p>}
      {plot && <Plot data={plot.data} layout={layout} />}
    </div>
  );
}

function History(props: IPlotsProps & { state: CompareState }): JSX.Element {
  const { state } = props;
  const metrics = props.metrics.map(m => `metrics.${m}`);
  const metric = state.historyMetric;
  const series = state.history;
  const data = React.useMemo(() => historyTraces(series), [series]);
  const bars = singleValued(series);
  const layout = React.useMemo(
    () => ({
      height: PLOT_HEIGHT,
      xaxis: bars
        ? titledAxis('run', { type: 'category' })
        : titledAxis('step'),
      yaxis: titledAxis(plotlyText(metric.slice('metrics.'.length))),
      showlegend: !bars && series.length <= 20
    }),
    [metric, series.length, bars]
  );
  if (!metric) {
    return <p className="lt-RunPage-empty">No metrics.</p>;
  }
  return (
    <div>
      <div className="lt-Compare-controls">
        <Choice
          label="Metric"
          value={metric}
          options={metrics}
          onChange={m => state.setHistoryMetric(m)}
        />
      </div>
      {state.historyError && <ErrorText>{state.historyError}</ErrorText>}
      <Plot data={data} layout={layout} />
    </div>
  );
}

export function ComparePlots(
  props: IPlotsProps & { state: CompareState }
): JSX.Element {
  const { state } = props;
  const tab = state.tab;
  return (
    <section className="lt-Compare-plots">
      <div className="lt-Compare-tabs" role="tablist">
        {PLOT_TABS.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={`lt-Compare-tab${tab === id ? ' lt-mod-active' : ''}`}
            data-tab={id}
            onClick={() => state.setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="lt-Compare-plot" data-tab={tab}>
        {tab === 'parallel' && <Parallel {...props} />}
        {tab === 'scatter' && <Scatter {...props} />}
        {tab === 'contour' && <Contour {...props} />}
        {tab === 'box' && <Box {...props} />}
        {tab === 'history' && <History {...props} />}
      </div>
    </section>
  );
}

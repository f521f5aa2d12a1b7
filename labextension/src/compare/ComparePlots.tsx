/**
 * The compare view's plot tabs: parallel coordinates (brushing selects runs),
 * scatter, contour, box plot, metric histories.
 */
import * as React from 'react';

import { getBulk } from '../runpage/api';
import { plotlyText } from '../runpage/logic';
import { Plot } from '../runpage/Plot';
import { IBulkSeries, IRunDetail } from '../runpage/types';
import { ICompareActions } from './CompareView';
import {
  boxPlot,
  brushedRunIds,
  ConstraintRange,
  contourPlot,
  historyTraces,
  parcoordsTrace,
  scatterPlot
} from './plots';

export type PlotTab = 'parallel' | 'scatter' | 'contour' | 'box' | 'history';

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

function Parallel(props: IPlotsProps): JSX.Element {
  const { runs, params, metrics, actions } = props;
  const [colorBy, setColorBy] = React.useState(metrics[0] ?? '');
  const [selected, setSelected] = React.useState<string[] | null>(null);
  const built = React.useMemo(
    () => parcoordsTrace(runs, params, metrics, colorBy || null),
    [runs, params, metrics, colorBy]
  );
  const data = React.useMemo(() => [built.trace], [built]);
  const layout = React.useMemo(
    () => ({ height: 420, margin: { l: 80, r: 80, t: 60, b: 30 } }),
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
        <Choice
          label="Colour by"
          className="lt-Compare-colorBy"
          value={colorBy ? `metrics.${colorBy}` : ''}
          options={metrics.map(m => `metrics.${m}`)}
          onChange={v => setColorBy(v.slice('metrics.'.length))}
        />
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
      <Plot
        data={data}
        layout={layout}
        onReady={onReady}
        className="lt-Compare-parcoords"
      />
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
  const plot = React.useMemo(
    () => scatterPlot(props.runs, x, y),
    [props.runs, x, y]
  );
  const layout = React.useMemo(() => ({ ...plot.layout, height: 420 }), [plot]);
  return (
    <div>
      <div className="lt-Compare-controls">
        <Choice label="x" value={x} options={columns} onChange={setX} />
        <Choice label="y" value={y} options={columns} onChange={setY} />
      </div>
      {x && y ? (
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
  const plot = React.useMemo(
    () => (x && y && z ? contourPlot(props.runs, x, y, z) : null),
    [props.runs, x, y, z]
  );
  const layout = React.useMemo(
    () => ({ ...(plot?.layout ?? {}), height: 420 }),
    [plot]
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
      {plot && <Plot data={plot.data} layout={layout} />}
    </div>
  );
}

function Box(props: IPlotsProps): JSX.Element {
  const params = props.params.map(p => `params.${p}`);
  const metrics = props.metrics.map(m => `metrics.${m}`);
  const [metric, setMetric] = React.useState(metrics[0] ?? '');
  const [group, setGroup] = React.useState(params[0] ?? '');
  const plot = React.useMemo(
    () => (metric && group ? boxPlot(props.runs, metric, group) : null),
    [props.runs, metric, group]
  );
  const layout = React.useMemo(
    () => ({ ...(plot?.layout ?? {}), height: 420 }),
    [plot]
  );
  if (!plot) {
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
      <Plot data={plot.data} layout={layout} />
    </div>
  );
}

function History(props: IPlotsProps): JSX.Element {
  const metrics = props.metrics.map(m => `metrics.${m}`);
  const [metric, setMetric] = React.useState(metrics[0] ?? '');
  const [series, setSeries] = React.useState<IBulkSeries[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const runIds = props.runs.map(r => r.info.run_id);
  React.useEffect(() => {
    if (!metric) {
      return;
    }
    let cancelled = false;
    getBulk(runIds, [metric.slice('metrics.'.length)])
      .then(reply => !cancelled && setSeries(reply.series))
      .catch(
        reason => !cancelled && setError(String(reason.message ?? reason))
      );
    return () => {
      cancelled = true;
    };
  }, [metric, runIds.join(',')]);
  const data = React.useMemo(() => historyTraces(series), [series]);
  const layout = React.useMemo(
    () => ({
      height: 420,
      xaxis: { title: { text: 'step' } },
      yaxis: { title: { text: plotlyText(metric.slice('metrics.'.length)) } },
      showlegend: series.length <= 20
    }),
    [metric, series.length]
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
          onChange={setMetric}
        />
      </div>
      {error && <div className="lt-RunPage-error">{error}</div>}
      <Plot data={data} layout={layout} />
    </div>
  );
}

export function ComparePlots(props: IPlotsProps): JSX.Element {
  const [tab, setTab] = React.useState<PlotTab>('parallel');
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
            onClick={() => setTab(id)}
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

/**
 * Metric history charts of one run: chosen metrics overlaid, or one chart per
 * metric (small multiples); x as step, wall time or relative time, log scale,
 * smoothing (EMA) in both; Plotly gives zoom.
 */
import * as React from 'react';

import { getSeries } from './api';
import { plotlyText, smooth, toNumber, XAxis, xValues } from './logic';
import { Plot } from './Plot';
import { ISeriesReply } from './types';

export interface IMetricChartProps {
  runId: string;
  metricKeys: string[];
  startTime: number | null;
  /** Changes when the run page refreshes (live runs): refetch. */
  tick: number;
}

/** Plotly traces for series: raw points faint when smoothed, smoothed on top. */
export function seriesTraces(
  series: { key: string; reply: ISeriesReply }[],
  axis: XAxis,
  smoothing: number,
  startTime: number | null,
  firstColor = 0
): Record<string, any>[] {
  const traces: Record<string, any>[] = [];
  series.forEach(({ key, reply }, i) => {
    const x = xValues(reply.points, axis, startTime);
    const y = reply.points.map(p => toNumber(p.value));
    const color = `hsl(${((i + firstColor) * 137) % 360}, 65%, 50%)`;
    if (smoothing > 0) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        x,
        y,
        name: `${plotlyText(key)} (raw)`,
        line: { color, width: 1 },
        opacity: 0.3,
        showlegend: false,
        hoverinfo: 'skip'
      });
    }
    traces.push({
      type: 'scatter',
      mode: reply.points.length === 1 ? 'markers' : 'lines',
      x,
      y: smooth(y, smoothing),
      name: plotlyText(key),
      line: { color, width: 2 },
      marker: { color }
    });
  });
  return traces;
}

/** At most this many small charts; the rest are listed as not shown. */
export const MAX_SMALL_MULTIPLES = 24;

/** The metrics charted: the chosen ones overlaid, or every metric one per chart. */
export function chartedKeys(
  split: boolean,
  chosen: string[],
  metricKeys: string[]
): string[] {
  return split
    ? metricKeys.slice(0, MAX_SMALL_MULTIPLES)
    : chosen.filter(k => metricKeys.includes(k));
}

/** The charts to draw: one with every series, or one per series. */
export function chartGroups<T extends { key: string }>(
  split: boolean,
  series: T[]
): { title: string; series: T[]; firstColor: number }[] {
  if (!split) {
    return [{ title: '', series, firstColor: 0 }];
  }
  return series.map((s, i) => ({ title: s.key, series: [s], firstColor: i }));
}

const AXIS_TITLES: Record<XAxis, string> = {
  step: 'step',
  wall: 'wall time',
  relative: 'seconds since start'
};

function Toggle(props: {
  className: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  return (
    <label>
      <input
        type="checkbox"
        className={props.className}
        checked={props.checked}
        onChange={e => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { runId, metricKeys, startTime, tick } = props;
  const [chosen, setChosen] = React.useState<string[]>(metricKeys.slice(0, 1));
  const [axis, setAxis] = React.useState<XAxis>('step');
  const [log, setLog] = React.useState(false);
  const [smoothing, setSmoothing] = React.useState(0);
  const [split, setSplit] = React.useState(false);
  const [series, setSeries] = React.useState<
    { key: string; reply: ISeriesReply }[]
  >([]);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    if (chosen.length === 0 && metricKeys.length > 0) {
      setChosen(metricKeys.slice(0, 1));
    }
  }, [metricKeys.join('\u0000')]);

  const shown = chartedKeys(split, chosen, metricKeys);
  React.useEffect(() => {
    let cancelled = false;
    Promise.all(
      shown.map(key => getSeries(runId, key).then(reply => ({ key, reply })))
    )
      .then(result => {
        if (!cancelled) {
          setSeries(result);
          setError(null);
        }
      })
      .catch(
        reason => !cancelled && setError(String(reason.message ?? reason))
      );
    return () => {
      cancelled = true;
    };
  }, [runId, shown.join('\u0000'), tick]);

  const charts = React.useMemo(
    () =>
      chartGroups(split, series).map(group => ({
        title: group.title,
        data: seriesTraces(
          group.series,
          axis,
          smoothing,
          startTime,
          group.firstColor
        ),
        layout: {
          height: split ? 220 : 320,
          showlegend: !split,
          legend: { orientation: 'h', y: 1.12 },
          ...(split && {
            title: { text: plotlyText(group.title), x: 0.02 },
            margin: { l: 50, r: 10, t: 30, b: 40 }
          }),
          xaxis: { title: { text: AXIS_TITLES[axis] } },
          yaxis: { type: log ? 'log' : 'linear' },
          uirevision: `${runId}:${group.title}:${axis}:${log}`
        }
      })),
    [series, split, axis, smoothing, startTime, log, runId]
  );

  if (metricKeys.length === 0) {
    return <p className="lt-RunPage-empty">No metrics logged.</p>;
  }
  const toggle = (key: string): void =>
    setChosen(c => (c.includes(key) ? c.filter(k => k !== key) : [...c, key]));
  const downsampled = series.some(s => s.reply.downsampled);
  return (
    <div className="lt-MetricChart">
      <div className="lt-MetricChart-controls">
        <Toggle
          className="lt-MetricChart-split"
          label="One chart per metric"
          checked={split}
          onChange={setSplit}
        />
        <span className="lt-MetricChart-keys" hidden={split}>
          {metricKeys.map(key => (
            <label key={key} className="lt-MetricChart-key">
              <input
                type="checkbox"
                checked={chosen.includes(key)}
                onChange={() => toggle(key)}
              />
              {key}
            </label>
          ))}
        </span>
        <label>
          x:{' '}
          <select
            className="lt-MetricChart-axis"
            value={axis}
            onChange={e => setAxis(e.target.value as XAxis)}
          >
            <option value="step">Step</option>
            <option value="wall">Wall time</option>
            <option value="relative">Relative time</option>
          </select>
        </label>
        <Toggle
          className="lt-MetricChart-log"
          label="Log scale"
          checked={log}
          onChange={setLog}
        />
        <label>
          Smoothing{' '}
          <input
            type="range"
            className="lt-MetricChart-smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={e => setSmoothing(Number(e.target.value))}
          />{' '}
          {smoothing.toFixed(2)}
        </label>
      </div>
      {error && <div className="lt-RunPage-error">{error}</div>}
      {downsampled && (
        <div className="lt-MetricChart-note">
          Downsampled: each bucket keeps its minimum and maximum.
        </div>
      )}
      {split && metricKeys.length > shown.length && (
        <div className="lt-MetricChart-note">
          The first {shown.length} of {metricKeys.length} metrics are shown.
        </div>
      )}
      <div className={split ? 'lt-MetricChart-grid' : undefined}>
        {charts.map(chart => (
          <Plot
            key={chart.title}
            data={chart.data}
            layout={chart.layout}
            className="lt-MetricChart-plot"
          />
        ))}
      </div>
    </div>
  );
}

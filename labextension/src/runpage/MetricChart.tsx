/**
 * Metric history chart of one run: chosen metrics overlaid, x as step, wall
 * time or relative time, log scale, smoothing (EMA); Plotly gives zoom.
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
  startTime: number | null
): Record<string, any>[] {
  const traces: Record<string, any>[] = [];
  series.forEach(({ key, reply }, i) => {
    const x = xValues(reply.points, axis, startTime);
    const y = reply.points.map(p => toNumber(p.value));
    const color = `hsl(${(i * 137) % 360}, 65%, 50%)`;
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

const AXIS_TITLES: Record<XAxis, string> = {
  step: 'step',
  wall: 'wall time',
  relative: 'seconds since start'
};

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { runId, metricKeys, startTime, tick } = props;
  const [chosen, setChosen] = React.useState<string[]>(metricKeys.slice(0, 1));
  const [axis, setAxis] = React.useState<XAxis>('step');
  const [log, setLog] = React.useState(false);
  const [smoothing, setSmoothing] = React.useState(0);
  const [series, setSeries] = React.useState<
    { key: string; reply: ISeriesReply }[]
  >([]);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    if (chosen.length === 0 && metricKeys.length > 0) {
      setChosen(metricKeys.slice(0, 1));
    }
  }, [metricKeys.join('\u0000')]);

  React.useEffect(() => {
    let cancelled = false;
    Promise.all(
      chosen.map(key => getSeries(runId, key).then(reply => ({ key, reply })))
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
  }, [runId, chosen.join('\u0000'), tick]);

  const data = React.useMemo(
    () => seriesTraces(series, axis, smoothing, startTime),
    [series, axis, smoothing, startTime]
  );
  const layout = React.useMemo(
    () => ({
      height: 320,
      showlegend: true,
      legend: { orientation: 'h', y: 1.12 },
      xaxis: { title: { text: AXIS_TITLES[axis] } },
      yaxis: { type: log ? 'log' : 'linear' },
      uirevision: `${runId}:${axis}:${log}`
    }),
    [axis, log, runId]
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
        <span className="lt-MetricChart-keys">
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
        <label>
          <input
            type="checkbox"
            className="lt-MetricChart-log"
            checked={log}
            onChange={e => setLog(e.target.checked)}
          />
          Log scale
        </label>
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
      <Plot data={data} layout={layout} className="lt-MetricChart-plot" />
    </div>
  );
}

/**
 * Metric history charts of one run: chosen metrics overlaid, or one chart per
 * metric (small multiples); x as step, wall time or relative time, log scale,
 * smoothing (EMA) in both; Plotly gives zoom. What is charted (and fetched)
 * is `MetricChartState`'s; the axis, scale and smoothing are only drawing.
 */
import * as React from 'react';

import { plotlyText, XAxis } from '../charts/axes';
import { titledAxis } from '../charts/layout';
import { Plot } from '../charts/Plot';
import { seriesTraces, singleValues } from '../charts/series';
import { ErrorText } from '../common/Status';
import { chartGroups, MetricChartState } from './chartsState';

export interface IMetricChartProps {
  state: MetricChartState;
  startTime: number | null;
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
  const { state, startTime } = props;
  const runId = state.runId;
  const { metricKeys, split, series, shown } = state;
  const [axis, setAxis] = React.useState<XAxis>('step');
  const [log, setLog] = React.useState(false);
  const [smoothing, setSmoothing] = React.useState(0);

  const charts = React.useMemo(
    () =>
      chartGroups(split, series).map(group => {
        // A value logged once is a bar, not a dot on a step axis.
        const bars = singleValues(group.series);
        return {
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
            showlegend: !split && !bars,
            legend: { orientation: 'h', y: 1.12 },
            ...(split && {
              title: { text: plotlyText(group.title), x: 0.02 },
              margin: { l: 50, r: 10, t: 30, b: 40 }
            }),
            xaxis: bars ? { type: 'category' } : titledAxis(AXIS_TITLES[axis]),
            yaxis: { type: log ? 'log' : 'linear' },
            uirevision: `${runId}:${group.title}:${axis}:${log}:${bars}`
          }
        };
      }),
    [series, split, axis, smoothing, startTime, log, runId]
  );

  if (metricKeys.length === 0) {
    return <p className="lt-RunPage-empty">No metrics logged.</p>;
  }
  const downsampled = series.some(s => s.reply.downsampled);
  return (
    <div className="lt-MetricChart">
      <div className="lt-MetricChart-controls">
        <Toggle
          className="lt-MetricChart-split"
          label="One chart per metric"
          checked={split}
          onChange={checked => state.setSplit(checked)}
        />
        <span className="lt-MetricChart-keys" hidden={split}>
          {metricKeys.map(key => (
            <label key={key} className="lt-MetricChart-key">
              <input
                type="checkbox"
                checked={state.chosen.includes(key)}
                onChange={() => state.toggle(key)}
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
      {state.error && <ErrorText>{state.error}</ErrorText>}
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

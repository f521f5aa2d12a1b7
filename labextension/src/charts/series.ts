/** Plotly traces of metric series: one line per metric, smoothed or not. */
import type { ISeries } from '../api/types';
import { toNumber } from '../common/format';
import { plotlyText, smooth, XAxis, xValues } from './axes';

/** Plotly traces for series: raw points faint when smoothed, smoothed on top. */
export function seriesTraces(
  series: { key: string; reply: ISeries }[],
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

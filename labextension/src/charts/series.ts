/** Plotly traces of metric series: one line per metric, smoothed or not. */
import type { ISeries } from '../api/types';
import { toNumber } from '../common/format';
import { plotlyText, smooth, XAxis, xValues } from './axes';

/** True when every series holds one value (a final score): drawn as bars. */
export function singleValues(series: { reply: ISeries }[]): boolean {
  return series.length > 0 && series.every(s => s.reply.points.length === 1);
}

/** A series' colour: spread around the hue circle. */
const seriesColor = (i: number): string => `hsl(${(i * 137) % 360}, 65%, 50%)`;

/**
 * Plotly traces for series: raw points faint when smoothed, smoothed on top;
 * when every series holds one value, one bar per metric (its name on the x
 * axis) rather than lone dots on a step axis.
 */
export function seriesTraces(
  series: { key: string; reply: ISeries }[],
  axis: XAxis,
  smoothing: number,
  startTime: number | null,
  firstColor = 0
): Record<string, any>[] {
  if (singleValues(series)) {
    return series.map(({ key, reply }, i) => ({
      type: 'bar',
      x: [plotlyText(key)],
      y: [toNumber(reply.points[0].value)],
      name: plotlyText(key),
      marker: { color: seriesColor(i + firstColor) },
      hovertemplate: `${plotlyText(key)}: %{y}<extra></extra>`
    }));
  }
  const traces: Record<string, any>[] = [];
  series.forEach(({ key, reply }, i) => {
    const x = xValues(reply.points, axis, startTime);
    const y = reply.points.map(p => toNumber(p.value));
    const color = seriesColor(i + firstColor);
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

/**
 * Plotly (several MB), loaded with a dynamic import the first time a chart
 * is shown, so JupyterLab's start-up does not pay for it.
 */
export type PlotlyModule = typeof import('plotly.js-dist-min');

let loading: Promise<PlotlyModule> | null = null;

/** Plotly, loaded once on first use. */
export function loadPlotly(): Promise<PlotlyModule> {
  if (!loading) {
    loading = import('plotly.js-dist-min').then(
      m => ((m as any).default ?? m) as PlotlyModule
    );
  }
  return loading;
}

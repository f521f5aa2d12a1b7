/**
 * Plotly layouts: the defaults that follow the JupyterLab theme, and the
 * pieces every chart repeats (an axis with a title, a layout at a height).
 */

/** A Plotly layout or one of its parts (Plotly ships no types we use). */
export type Layout = Record<string, any>;

/** A chart: Plotly traces and the layout to draw them with. */
export interface IPlot {
  data: Record<string, any>[];
  layout: Layout;
}

/** An axis titled `text`, with any other settings. */
export function titledAxis(text: string, rest: Layout = {}): Layout {
  return { title: { text }, ...rest };
}

/** `layout` (or none yet) drawn `height` pixels high. */
export function withHeight(
  layout: Layout | null | undefined,
  height: number
): Layout {
  return { ...(layout ?? {}), height };
}

/** Layout defaults that follow the JupyterLab theme (light or dark). */
export function themedLayout(layout: Layout): Layout {
  const css = getComputedStyle(document.body);
  const color = css.getPropertyValue('--jp-ui-font-color1').trim() || '#444444';
  const grid = css.getPropertyValue('--jp-border-color2').trim() || '#dddddd';
  const axis = (a: Layout | undefined): Layout => ({
    gridcolor: grid,
    zerolinecolor: grid,
    ...(a ?? {})
  });
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color, size: 11 },
    margin: { l: 60, r: 20, t: 30, b: 50 },
    autosize: true,
    ...layout,
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis)
  };
}

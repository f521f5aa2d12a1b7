/**
 * A Plotly chart as a React component. Plotly (several MB) is loaded with a
 * dynamic import the first time a chart is shown, so JupyterLab's start-up
 * does not pay for it.
 */
import * as React from 'react';

type PlotlyModule = typeof import('plotly.js-dist-min');

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

/** Layout defaults that follow the JupyterLab theme (light or dark). */
export function themedLayout(layout: Record<string, any>): Record<string, any> {
  const css = getComputedStyle(document.body);
  const color = css.getPropertyValue('--jp-ui-font-color1').trim() || '#444444';
  const grid = css.getPropertyValue('--jp-border-color2').trim() || '#dddddd';
  const axis = (a: Record<string, any> | undefined): Record<string, any> => ({
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

export interface IPlotProps {
  data: Record<string, any>[];
  layout: Record<string, any>;
  className?: string;
  /** Called with the chart's root after every draw (to listen to its events). */
  onReady?: (root: HTMLElement) => void;
}

export function Plot(props: IPlotProps): JSX.Element {
  const root = React.useRef<HTMLDivElement>(null);
  const [error, setError] = React.useState<string | null>(null);
  const { data, layout, onReady } = props;

  React.useEffect(() => {
    let cancelled = false;
    loadPlotly()
      .then(Plotly => {
        if (cancelled || !root.current) {
          return;
        }
        return Plotly.react(root.current, data, themedLayout(layout), {
          responsive: true,
          displaylogo: false
        }).then(el => onReady?.(el));
      })
      .catch(reason => setError(String(reason)));
    return () => {
      cancelled = true;
    };
  }, [data, layout]);

  React.useEffect(() => {
    const el = root.current;
    if (!el || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (el.offsetWidth > 0 && (el as any)._fullLayout) {
        loadPlotly().then(P => P.Plots.resize(el));
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      loadPlotly().then(P => P.purge(el));
    };
  }, []);

  return (
    <div className={`lt-Plot ${props.className ?? ''}`}>
      {error && <div className="lt-Plot-error">{error}</div>}
      <div ref={root} className="lt-Plot-root" />
    </div>
  );
}

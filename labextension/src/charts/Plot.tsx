/**
 * A Plotly chart as a React component; Plotly is loaded on first use
 * (`loader.ts`). Drawing and resizing are DOM work, so they live in effects;
 * a theme change redraws with the new theme's colours.
 */
import * as React from 'react';

import { Layout, themedLayout } from './layout';
import { loadPlotly, traceTypes } from './loader';
import { useThemeVersion } from './theme';

export interface IPlotProps {
  data: Record<string, any>[];
  layout: Layout;
  className?: string;
  /** Called with the chart's root after every draw (to listen to its events). */
  onReady?: (root: HTMLElement) => void;
}

export function Plot(props: IPlotProps): JSX.Element {
  const root = React.useRef<HTMLDivElement>(null);
  const [error, setError] = React.useState<string | null>(null);
  const { data, layout, onReady } = props;
  // The layout's colours are read from the theme when drawn: redraw on a change.
  const theme = useThemeVersion();
  const drawnTheme = React.useRef(theme);

  React.useEffect(() => {
    let cancelled = false;
    loadPlotly(traceTypes(data))
      .then(Plotly => {
        if (cancelled || !root.current) {
          return;
        }
        if (drawnTheme.current !== theme) {
          // Some traces (parallel coordinates) keep their old text colours
          // through an update: a new theme draws from scratch.
          drawnTheme.current = theme;
          Plotly.purge(root.current);
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
  }, [data, layout, theme]);

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

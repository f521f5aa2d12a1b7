/**
 * Theme changes, for charts that bake colours into what they draw (Plotly
 * writes the font and grid colours into its SVG). JupyterLab sets
 * `data-jp-theme-name` on the body once a theme's CSS is in place, so
 * watching that attribute is enough, and needs no plugin token.
 */
import * as React from 'react';

type Listener = () => void;

const listeners = new Set<Listener>();
let observer: MutationObserver | null = null;

/** Call `listener` after every theme change; returns the unsubscribe. */
export function onThemeChange(listener: Listener): () => void {
  listeners.add(listener);
  if (!observer && typeof MutationObserver !== 'undefined') {
    observer = new MutationObserver(() => listeners.forEach(l => l()));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && observer) {
      observer.disconnect();
      observer = null;
    }
  };
}

/** A number that changes with the theme: a dependency that redraws a chart. */
export function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => onThemeChange(() => setVersion(v => v + 1)), []);
  return version;
}

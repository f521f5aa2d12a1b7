/**
 * Plotly, loaded in parts: the core (which draws `scatter`) the first time a
 * chart is shown, and each other trace type's module the first time a chart
 * of that type is, each its own webpack chunk. JupyterLab's start-up loads
 * none of it, and a run page's line charts never load parallel coordinates.
 */
export type PlotlyModule = typeof import('plotly.js/lib/core');

/** The trace types labtrack draws; `scatter` comes with the core. */
export type TraceType =
  'scatter' | 'scattergl' | 'bar' | 'box' | 'contour' | 'parcoords';

/** The chunk of each trace type that is not in the core. */
const TRACE_MODULES: Record<
  Exclude<TraceType, 'scatter'>,
  () => Promise<any>
> = {
  scattergl: () => import('plotly.js/lib/scattergl'),
  bar: () => import('plotly.js/lib/bar'),
  box: () => import('plotly.js/lib/box'),
  contour: () => import('plotly.js/lib/contour'),
  parcoords: () => import('plotly.js/lib/parcoords')
};

let core: Promise<PlotlyModule> | null = null;
const registered = new Map<string, Promise<void>>();

function loadCore(): Promise<PlotlyModule> {
  if (!core) {
    core = import('plotly.js/lib/core').then(
      m => ((m as any).default ?? m) as PlotlyModule
    );
  }
  return core;
}

/** The trace types of a chart's data, `scatter` for a trace without one. */
export function traceTypes(data: { type?: unknown }[]): TraceType[] {
  const types = new Set<TraceType>();
  for (const trace of data) {
    const type = typeof trace.type === 'string' ? trace.type : 'scatter';
    if (type === 'scatter' || type in TRACE_MODULES) {
      types.add(type as TraceType);
    }
  }
  return [...types];
}

/** Plotly with the modules of `types` registered, each loaded once. */
export async function loadPlotly(
  types: TraceType[] = []
): Promise<PlotlyModule> {
  const Plotly = await loadCore();
  await Promise.all(
    types
      .filter((t): t is Exclude<TraceType, 'scatter'> => t !== 'scatter')
      .map(type => {
        let done = registered.get(type);
        if (!done) {
          done = TRACE_MODULES[type]().then(m => {
            Plotly.register((m as any).default ?? m);
          });
          registered.set(type, done);
        }
        return done;
      })
  );
  return Plotly;
}

/**
 * The few parts of Plotly.js that labtrack uses. The package's own types
 * describe its full bundle; these describe the partial one built from
 * `plotly.js/lib/core` and the trace modules registered on it.
 */
declare module 'plotly.js/lib/core' {
  export type Data = Record<string, any>;
  export type Layout = Record<string, any>;
  export type Config = Record<string, any>;
  export function react(
    root: HTMLElement,
    data: Data[],
    layout?: Layout,
    config?: Config
  ): Promise<HTMLElement>;
  export function purge(root: HTMLElement): void;
  export function register(modules: unknown[] | unknown): void;
  export const Plots: { resize(root: HTMLElement): void };
}

/** A trace module (`plotly.js/lib/bar`, ...): registered on the core. */
declare module 'plotly.js/lib/*' {
  const traceModule: unknown;
  export default traceModule;
}

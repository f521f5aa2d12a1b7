/**
 * The few parts of Plotly.js that labtrack uses. The package ships no types;
 * `@types/plotly.js` would pull in a large tree for three functions.
 */
declare module 'plotly.js-dist-min' {
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
  export const Plots: { resize(root: HTMLElement): void };
}

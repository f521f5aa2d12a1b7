// SVG files are bundled as their source text (JupyterLab's webpack config).
declare module '*.svg' {
  const value: string;
  export default value;
}

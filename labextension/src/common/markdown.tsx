/**
 * Markdown (descriptions of runs and registered models), rendered by
 * JupyterLab's rendermime, untrusted (so sanitized); plain text without it.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

/**
 * Render Markdown into `host`; returns a function that frees the renderer.
 * The plugin makes one from JupyterLab's rendermime (untrusted: sanitized).
 */
export type MarkdownRenderer = (
  host: HTMLElement,
  text: string
) => Promise<() => void>;

/**
 * Descriptions are Markdown, rendered untrusted (JupyterLab sanitizes the
 * HTML); null without a rendermime registry (then shown as text).
 */
export function markdownRenderer(
  rendermime: IRenderMimeRegistry | null
): MarkdownRenderer | null {
  return rendermime
    ? async (host, text) => {
        const renderer = rendermime.createRenderer('text/markdown');
        const model = rendermime.createModel({
          data: { 'text/markdown': text },
          trusted: false
        });
        await renderer.renderModel(model);
        host.replaceChildren(renderer.node);
        return () => renderer.dispose();
      }
    : null;
}

/** Markdown rendered by JupyterLab (sanitized), or plain text without a renderer. */
export function Markdown(props: {
  text: string;
  render: MarkdownRenderer | null | undefined;
  className: string;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const { text, render } = props;
  React.useEffect(() => {
    let free: (() => void) | null = null;
    let cancelled = false;
    if (render && host.current) {
      void render(host.current, text).then(f => {
        if (cancelled) {
          f();
        } else {
          free = f;
        }
      });
    }
    return () => {
      cancelled = true;
      free?.();
    };
  }, [text, render]);
  return render ? (
    <div ref={host} className={props.className} />
  ) : (
    <span className={props.className}>{text}</span>
  );
}

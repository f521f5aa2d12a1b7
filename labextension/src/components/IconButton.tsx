import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

export interface IIconButtonProps {
  icon: LabIcon;
  /** Tooltip and accessible name. */
  title: string;
  onClick: () => void;
  /** Text shown beside the icon, if any. */
  label?: string;
  disabled?: boolean;
  className?: string;
  pressed?: boolean;
}

/** A small toolbar-style button with an icon and an optional label. */
export function IconButton(props: IIconButtonProps): JSX.Element {
  return (
    <button
      type="button"
      className={`lt-IconButton ${props.label ? 'lt-mod-labelled' : ''} ${props.className ?? ''}`}
      title={props.title}
      aria-label={props.label ? undefined : props.title}
      aria-pressed={props.pressed}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <props.icon.react tag="span" className="lt-IconButton-icon" />
      {props.label && (
        <span className="lt-IconButton-label">{props.label}</span>
      )}
    </button>
  );
}

/**
 * Close a popover on Escape or on a click outside `ref` (a click on a
 * `.lt-mod-toggle` button is left to that button).
 */
export function useDismiss(
  ref: React.RefObject<HTMLElement>,
  onClose: () => void
): void {
  const close = React.useRef(onClose);
  close.current = onClose;
  React.useEffect(() => {
    const onDown = (event: MouseEvent): void => {
      const target = event.target as Element;
      // The button that opened the popover toggles it itself.
      if (target.closest?.('.lt-mod-toggle')) {
        return;
      }
      if (ref.current && !ref.current.contains(target)) {
        close.current();
      }
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        close.current();
      }
    };
    document.addEventListener('mousedown', onDown, true);
    const node = ref.current;
    node?.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown, true);
      node?.removeEventListener('keydown', onKey);
    };
  }, [ref]);
}

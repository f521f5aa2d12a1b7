import * as React from 'react';

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

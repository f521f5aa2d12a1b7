import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Re-render whenever one of these signals fires.
 *
 * Effects run after the render they follow, so a signal may fire in between
 * (an answer that arrives while the page is busy) and nobody would hear it:
 * the component stayed on what it rendered first ("Loading..." for good).
 * So the effect renders once more right after connecting, which picks up
 * whatever changed in that gap.
 */
export function useSignals(
  signals: ReadonlyArray<ISignal<unknown, unknown>>
): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = (): void => setTick(t => t + 1);
    signals.forEach(s => s.connect(bump));
    bump();
    return () => signals.forEach(s => s.disconnect(bump));
  }, signals);
}

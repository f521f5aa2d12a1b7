import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render whenever one of these signals fires. */
export function useSignals(
  signals: ReadonlyArray<ISignal<unknown, unknown>>
): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = (): void => setTick(t => t + 1);
    signals.forEach(s => s.connect(bump));
    return () => signals.forEach(s => s.disconnect(bump));
  }, signals);
}

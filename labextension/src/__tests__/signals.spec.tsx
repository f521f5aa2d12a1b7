/**
 * useSignals: a component re-renders when its state's signals fire, also when
 * one fires between its first render and the effect that connects to it.
 */
import { describe, expect, it } from '@jest/globals';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import TestRenderer, { act } from 'react-test-renderer';

import { useSignals } from '../common/useSignals';

class Counter {
  value = 0;
  readonly changed = new Signal<this, void>(this);
  set(value: number): void {
    this.value = value;
    this.changed.emit();
  }
}

function View(props: { counter: Counter }): JSX.Element {
  useSignals([props.counter.changed]);
  return <span>{props.counter.value}</span>;
}

/** Changes the counter while React renders it, before any effect has run. */
function Poke(props: { counter: Counter }): null {
  const done = React.useRef(false);
  if (!done.current) {
    done.current = true;
    props.counter.set(7);
  }
  return null;
}

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('useSignals', () => {
  it('re-renders when the signal fires', () => {
    const counter = new Counter();
    let renderer!: TestRenderer.ReactTestRenderer;
    act(() => {
      renderer = TestRenderer.create(<View counter={counter} />);
    });
    act(() => counter.set(3));
    expect(renderer.root.findByType('span').children).toEqual(['3']);
  });

  it('catches a change made between the first render and the effect', () => {
    const counter = new Counter();
    let renderer!: TestRenderer.ReactTestRenderer;
    // The answer arrives after the view rendered, before its effect connects.
    act(() => {
      renderer = TestRenderer.create(
        <>
          <View counter={counter} />
          <Poke counter={counter} />
        </>
      );
    });
    expect(renderer.root.findByType('span').children).toEqual(['7']);
  });
});

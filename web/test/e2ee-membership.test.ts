import { describe, expect, it } from 'vitest';
import { type MembershipChange, MembershipDebouncer, rekeyFor } from '../src/sdk/e2ee/membership';
import { ManualTimers } from './manual-timers';


function debouncer() {
  const timers = new ManualTimers();
  const settled: MembershipChange[] = [];
  const d = new MembershipDebouncer({ onSettled: (c) => settled.push(c), quietMs: 300, timers });
  return { timers, settled, d };
}

describe('membership debouncing', () => {
  it('settles a burst of joins once, quietMs after the last one, as a ratchet for the newcomers', () => {
    const { timers, settled, d } = debouncer();
    d.join('a');
    timers.advance(200);
    d.join('b');
    timers.advance(299);
    expect(settled).toEqual([]);
    timers.advance(1);
    expect(settled).toEqual([{ joined: ['a', 'b'], left: [] }]);
    expect(rekeyFor(settled[0]!)).toEqual({ action: 'ratchet', newcomers: ['a', 'b'] });
  });

  it('turns any leave in the burst into one rotation', () => {
    const { timers, settled, d } = debouncer();
    d.join('a');
    d.leave('x');
    d.leave('y');
    timers.advance(300);
    expect(settled).toEqual([{ joined: ['a'], left: ['x', 'y'] }]);
    expect(rekeyFor(settled[0]!)).toEqual({ action: 'rotate' });
  });

  it('rotates for someone who (re)joined and left inside one burst: a re-announcing member holds the keys', () => {
    const { timers, settled, d } = debouncer();
    d.join('a');
    d.leave('a');
    timers.advance(300);
    expect(settled).toEqual([{ joined: [], left: ['a'] }]);
    expect(rekeyFor(settled[0]!)).toEqual({ action: 'rotate' });
  });

  it('keeps a leave when the one who left comes back inside the burst', () => {
    const { timers, settled, d } = debouncer();
    d.leave('a');
    d.join('a');
    timers.advance(300);
    expect(rekeyFor(settled[0]!)).toEqual({ action: 'rotate' });
  });

  it('flush(false) drops the burst and the timer', () => {
    const { timers, settled, d } = debouncer();
    d.join('a');
    d.flush(false);
    expect(timers.due.size).toBe(0);
    timers.advance(1000);
    expect(settled).toEqual([]);
  });
});

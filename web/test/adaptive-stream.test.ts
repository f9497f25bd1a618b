import { describe, expect, it } from 'vitest';
import { AdaptiveStream, type TileReport } from '../src/sdk/adaptive-stream';
import { ManualTimers } from './manual-timers';

// Observers the test drives by hand, as the browser would call them.
class FakeResizeObserver {
  static last: FakeResizeObserver;
  readonly watched = new Set<Element>();
  constructor(readonly callback: ResizeObserverCallback) { FakeResizeObserver.last = this; }
  observe(e: Element): void { this.watched.add(e); }
  unobserve(e: Element): void { this.watched.delete(e); }
  disconnect(): void { this.watched.clear(); }
  resize(e: Element, width: number, height: number): void {
    this.callback([{ target: e, contentRect: { width, height } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
}
class FakeIntersectionObserver {
  static last: FakeIntersectionObserver;
  readonly watched = new Set<Element>();
  constructor(readonly callback: IntersectionObserverCallback) { FakeIntersectionObserver.last = this; }
  observe(e: Element): void { this.watched.add(e); }
  unobserve(e: Element): void { this.watched.delete(e); }
  disconnect(): void { this.watched.clear(); }
  intersect(e: Element, isIntersecting: boolean): void {
    this.callback([{ target: e, isIntersecting } as unknown as IntersectionObserverEntry], this as unknown as IntersectionObserver);
  }
}

function setup(ratio = 1) {
  const timers = new ManualTimers();
  const reports: TileReport[] = [];
  const listeners = new Map<string, () => void>();
  const doc = {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (type: string, f: () => void) => listeners.set(type, f),
    removeEventListener: (type: string) => listeners.delete(type),
  };
  const stream = new AdaptiveStream((r) => reports.push(r), 250, {
    ResizeObserver: FakeResizeObserver as unknown as typeof ResizeObserver,
    IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
    document: doc as unknown as Document,
    devicePixelRatio: () => ratio,
    setTimeout: (f, ms) => timers.setTimeout(f, ms),
    clearTimeout: (t) => timers.clearTimeout(t),
  });
  const element = { getBoundingClientRect: () => ({ width: 320, height: 180 }) } as unknown as HTMLElement;
  return { timers, reports, doc, listeners, stream, element, resize: FakeResizeObserver.last, intersection: FakeIntersectionObserver.last };
}

describe('adaptive stream', () => {
  it('reports a tile at once when it is first observed, in device pixels', () => {
    const t = setup(2);
    t.stream.observe('TR_a', t.element);
    t.timers.advance(0);
    expect(t.reports).toEqual([{ sid: 'TR_a', width: 640, height: 360, visible: true }]);
  });

  it('debounces a resize in progress into one report of the final size', () => {
    const t = setup();
    t.stream.observe('TR_a', t.element);
    t.timers.advance(0);
    for (let w = 400; w <= 1280; w += 40) {
      t.resize.resize(t.element, w, w * 9 / 16);
      t.timers.advance(50);
    }
    expect(t.reports).toHaveLength(1);
    t.timers.advance(250);
    expect(t.reports).toHaveLength(2);
    expect(t.reports[1]).toEqual({ sid: 'TR_a', width: 1280, height: 720, visible: true });
  });

  it('a tile scrolled away, a background tab or a tile with no area is not visible', () => {
    const t = setup();
    t.stream.observe('TR_a', t.element);
    t.timers.advance(0);
    t.intersection.intersect(t.element, false);
    t.timers.advance(250);
    expect(t.reports.at(-1)!.visible).toBe(false);
    t.intersection.intersect(t.element, true);
    t.timers.advance(250);
    expect(t.reports.at(-1)!.visible).toBe(true);
    t.doc.visibilityState = 'hidden';
    t.listeners.get('visibilitychange')!();
    t.timers.advance(0);
    expect(t.reports.at(-1)!.visible).toBe(false);
    t.doc.visibilityState = 'visible';
    t.listeners.get('visibilitychange')!();
    t.timers.advance(0);
    expect(t.reports.at(-1)!.visible).toBe(true);
    t.resize.resize(t.element, 0, 0);
    t.timers.advance(250);
    expect(t.reports.at(-1)).toEqual({ sid: 'TR_a', width: 0, height: 0, visible: false });
  });

  it('sends only changes, resends everything on request, and stops when unobserved', () => {
    const t = setup();
    const stop = t.stream.observe('TR_a', t.element);
    t.timers.advance(0);
    t.resize.resize(t.element, 320, 180);
    t.timers.advance(250);
    expect(t.reports).toHaveLength(1);
    t.stream.resend();
    t.timers.advance(0);
    expect(t.reports).toHaveLength(2);
    stop();
    expect(t.resize.watched.size).toBe(0);
    expect(t.intersection.watched.size).toBe(0);
    t.resize.resize(t.element, 640, 360);
    t.timers.advance(250);
    expect(t.reports).toHaveLength(2);
  });
});

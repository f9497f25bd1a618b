// Test support: timers a test advances by hand. Callbacks run in the order
// they fall due, as a real clock would run them.
import type { Timers } from '../src/sdk/e2ee/key-manager';

export class ManualTimers implements Timers {
  now = 0;
  #next = 1;
  readonly due = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.due.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > this.now) continue;
      this.due.delete(id);
      t.callback();
    }
  }
}

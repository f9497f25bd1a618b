// Debounces membership changes so a burst of joins and leaves costs one
// rekey: a leave anywhere in the burst means rotate() for everyone, joins
// alone mean ratchet() for the newcomers.

import { type Timers, systemTimers } from './key-manager';

export interface MembershipChange {
  readonly joined: readonly string[];
  readonly left: readonly string[];
}

export type RekeyAction = { readonly action: 'rotate' } | { readonly action: 'ratchet'; readonly newcomers: readonly string[] } | { readonly action: 'none' };

/** What a settled burst asks of the sender's EpochKeyManager. */
export function rekeyFor(change: MembershipChange): RekeyAction {
  if (change.left.length > 0) return { action: 'rotate' };
  if (change.joined.length > 0) return { action: 'ratchet', newcomers: change.joined };
  return { action: 'none' };
}

export interface MembershipDebouncerOptions {
  onSettled: (change: MembershipChange) => void;
  /** Quiet time after the last change before the burst settles. */
  quietMs?: number;
  timers?: Timers;
}

export class MembershipDebouncer {
  readonly #onSettled: (change: MembershipChange) => void;
  readonly #quietMs: number;
  readonly #timers: Timers;
  readonly #joined = new Set<string>();
  readonly #left = new Set<string>();
  #handle: unknown = null;

  constructor({ onSettled, quietMs = 300, timers = systemTimers }: MembershipDebouncerOptions) {
    this.#onSettled = onSettled;
    this.#quietMs = quietMs;
    this.#timers = timers;
  }

  join(participant: string): void {
    this.#joined.add(participant);
    this.#restart();
  }

  leave(participant: string): void {
    // Gone, even if it (re)joined inside this burst: a member that re-announced
    // (a resume, a new ephemeral key) holds every current key, so a leave
    // always rotates; a true newcomer costs one needless rotation at most.
    this.#joined.delete(participant);
    this.#left.add(participant);
    this.#restart();
  }

  /** Settles now (also used on dispose to drop the timer without reporting: pass report=false). */
  flush(report = true): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    const change = { joined: [...this.#joined], left: [...this.#left] };
    this.#joined.clear();
    this.#left.clear();
    if (report && (change.joined.length > 0 || change.left.length > 0)) this.#onSettled(change);
  }

  #restart(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = this.#timers.setTimeout(() => this.flush(), this.#quietMs);
  }
}

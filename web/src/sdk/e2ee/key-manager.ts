// The sender's side of key management (RFC 9605 §5.1 "Sender Keys"): one
// random base key per epoch, ratcheted when someone joins and replaced when
// someone leaves.
//
// - ratchet(), on a join: the key becomes HKDF(key) under the next KID at
//   once. Only the newcomers are sent it: everyone else computes it (see
//   ReceiverKeyRing), and the newcomers cannot compute the key before it, so
//   they cannot read what was sent before they came.
// - rotate(), on a leave: a new random key under a new epoch, for everyone
//   who remains. Encryption switches to it only after switchDelayMs, so the
//   wrapped key reaches them before the first frame that needs it. The one
//   who left never gets it, so cannot read anything sent after the switch.

import { type Bytes, randomBytes } from './bytes';
import { MAX_EPOCH, keyId, nextRatchetKeyId, ratchetBaseKey } from './ratchet';
import { SFRAME_KEY_LENGTH } from './sframe-crypto';

export interface SenderKey {
  readonly kid: bigint;
  /** The base key: send only wrapped (key-wrap.ts). */
  readonly key: Bytes;
}

/** Keys to wrap and send, and to whom. */
export interface Rekey {
  readonly keys: readonly SenderKey[];
  /** 'joined': only the newcomers; 'everyone': every participant now in the room. */
  readonly sendTo: 'joined' | 'everyone';
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export interface EpochKeyManagerOptions {
  /** Called whenever encryption moves to another key: hand it to the worker (setSendKey). */
  onSwitch: (key: SenderKey) => void;
  /** Between rotate() and the switch to the new key. */
  switchDelayMs?: number;
  timers?: Timers;
}

export class EpochKeyManager {
  readonly #onSwitch: (key: SenderKey) => void;
  readonly #switchDelayMs: number;
  readonly #timers: Timers;
  #current: SenderKey | null = null;
  #pending: { key: SenderKey; handle: unknown } | null = null;
  #epoch = -1n;
  #ratchets = Promise.resolve();

  constructor({ onSwitch, switchDelayMs = 1000, timers = systemTimers }: EpochKeyManagerOptions) {
    this.#onSwitch = onSwitch;
    this.#switchDelayMs = switchDelayMs;
    this.#timers = timers;
  }

  /** The key frames are encrypted with now; null before start(). */
  get current(): SenderKey | null {
    return this.#current;
  }

  /** A rotation's key not yet switched to. */
  get pending(): SenderKey | null {
    return this.#pending?.key ?? null;
  }

  /** Draws the first key and switches to it: send it to everyone. */
  start(): Rekey {
    const key = this.#draw();
    this.#switch(key);
    return { keys: [key], sendTo: 'everyone' };
  }

  /** Someone joined (after debouncing): ratchet now and send the newcomers the keys they need. */
  ratchet(): Promise<Rekey> {
    const run = this.#ratchets.then(() => this.#ratchetNow());
    this.#ratchets = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Someone left (after debouncing): a new epoch's key for everyone who remains, switched to after the delay. */
  rotate(): Rekey {
    this.#cancelPending();
    const key = this.#draw();
    const handle = this.#timers.setTimeout(() => this.switchNow(), this.#switchDelayMs);
    this.#pending = { key, handle };
    return { keys: [key], sendTo: 'everyone' };
  }

  /** Switches to the pending rotation key at once (when everyone has it, or the call ends its wait). */
  switchNow(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#cancelPending();
    this.#switch(pending.key);
  }

  dispose(): void {
    this.#cancelPending();
    this.#current = null;
  }

  async #ratchetNow(): Promise<Rekey> {
    const current = this.#current;
    if (current === null) throw new Error('EpochKeyManager: ratchet() before start()');
    const kid = nextRatchetKeyId(current.kid);
    if (kid === null) {
      // The step field is spent: a fresh epoch, switched to now, for everyone.
      const key = this.#draw();
      this.#cancelPending();
      this.#switch(key);
      return { keys: [key], sendTo: 'everyone' };
    }
    const next = { kid, key: await ratchetBaseKey(current.key) };
    if (this.#current !== current) return this.#ratchetNow();
    this.#switch(next);
    // A pending rotation key has encrypted nothing yet; the newcomers need it for after the switch.
    return { keys: this.#pending ? [next, this.#pending.key] : [next], sendTo: 'joined' };
  }

  #draw(): SenderKey {
    if (this.#epoch >= MAX_EPOCH) throw new Error('EpochKeyManager: epochs exhausted');
    this.#epoch++;
    return { kid: keyId(this.#epoch, 0), key: randomBytes(SFRAME_KEY_LENGTH) };
  }

  #switch(key: SenderKey): void {
    this.#current = key;
    this.#onSwitch(key);
  }

  #cancelPending(): void {
    if (this.#pending === null) return;
    this.#timers.clearTimeout(this.#pending.handle);
    this.#pending = null;
  }
}

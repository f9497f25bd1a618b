// A receiver's keys for one sender: the few most recent, each until a short
// while after a newer one is in use, so frames still in flight at a switch
// decrypt (RFC 9605 §4.4.1 leaves "decryption-only" overlap to the
// application).

import type { Bytes } from './bytes';
import { epochOf, nextRatchetKeyId, ratchetBaseKey, stepOf } from './ratchet';
import { type SFrameKey, importSFrameKey } from './sframe-crypto';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ReceiverKeyRingOptions {
  /** Keys kept at most; the oldest goes first. */
  maxKeys?: number;
  /** How long a key stays usable after a frame under a newer key decrypted. */
  retainMs?: number;
  /** How far ahead of a held key a receiver ratchets on its own to follow a sender's join ratchet. */
  maxRatchetSteps?: number;
  clock?: Clock;
}

interface HeldKey {
  readonly key: SFrameKey;
  readonly baseKey: Bytes;
  expiresAt: number;
}

/** A key derived by ratcheting a held one, not yet trusted until a frame decrypts with it. */
export interface RatchetCandidate {
  readonly key: SFrameKey;
  readonly baseKey: Bytes;
}

export class ReceiverKeyRing {
  readonly #maxKeys: number;
  readonly #retainMs: number;
  readonly #maxRatchetSteps: number;
  readonly #clock: Clock;
  readonly #keys = new Map<bigint, HeldKey>();
  // Derivations already tried, so a stream of frames under one unknown KID costs one derivation.
  readonly #candidates = new Map<bigint, Promise<RatchetCandidate | null>>();
  // The newest KID a frame decrypted under. Once an epoch is in use, nobody
  // may ratchet inside an older one: whoever left still holds its keys.
  #newestUsed: bigint | null = null;

  constructor({ maxKeys = 4, retainMs = 3000, maxRatchetSteps = 8, clock = systemClock }: ReceiverKeyRingOptions = {}) {
    this.#maxKeys = maxKeys;
    this.#retainMs = retainMs;
    this.#maxRatchetSteps = maxRatchetSteps;
    this.#clock = clock;
  }

  /** Adds the base key for `kid` (from a key message), replacing one under the same KID. */
  async setKey(kid: bigint, baseKey: Bytes): Promise<void> {
    const key = await importSFrameKey(kid, baseKey);
    this.#hold({ key, baseKey: new Uint8Array(baseKey) });
  }

  /** KIDs held and not expired, oldest first. */
  kids(): bigint[] {
    this.#expire();
    return [...this.#keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The key for `kid`, if held and not expired. */
  lookup(kid: bigint): SFrameKey | null {
    this.#expire();
    return this.#keys.get(kid)?.key ?? null;
  }

  /**
   * The key for `kid` derived by ratcheting the newest held key of the same
   * epoch, when `kid` is at most maxRatchetSteps ahead of it and no frame of
   * a newer epoch has decrypted yet; null otherwise.
   */
  ratchetCandidate(kid: bigint): Promise<RatchetCandidate | null> {
    let pending = this.#candidates.get(kid);
    if (pending === undefined) {
      pending = this.#derive(kid);
      if (this.#candidates.size >= 16) this.#candidates.clear();
      this.#candidates.set(kid, pending);
    }
    return pending;
  }

  /** Holds a candidate once a frame decrypted with it. */
  adopt(candidate: RatchetCandidate): void {
    this.#hold({ key: candidate.key, baseKey: candidate.baseKey });
  }

  /** A frame under `kid` decrypted: keys older than it expire retainMs from now. */
  markUsed(kid: bigint): void {
    if (this.#newestUsed === null || kid > this.#newestUsed) {
      // Candidates derived in an epoch that is now old must not be handed out any more.
      if (this.#newestUsed !== null && epochOf(kid) > epochOf(this.#newestUsed)) this.#candidates.clear();
      this.#newestUsed = kid;
    }
    const deadline = this.#clock.now() + this.#retainMs;
    for (const [k, held] of this.#keys) {
      if (k < kid && held.expiresAt > deadline) held.expiresAt = deadline;
    }
  }

  clear(): void {
    this.#keys.clear();
    this.#candidates.clear();
    this.#newestUsed = null;
  }

  #hold(held: { key: SFrameKey; baseKey: Bytes }): void {
    this.#keys.set(held.key.kid, { ...held, expiresAt: Infinity });
    this.#candidates.clear();
    while (this.#keys.size > this.#maxKeys) {
      let oldest: bigint | null = null;
      for (const k of this.#keys.keys()) if (oldest === null || k < oldest) oldest = k;
      this.#keys.delete(oldest!);
    }
  }

  #expire(): void {
    const now = this.#clock.now();
    for (const [k, held] of this.#keys) {
      if (held.expiresAt > now) continue;
      this.#keys.delete(k);
      // A candidate may have been derived from it.
      this.#candidates.clear();
    }
  }

  async #derive(kid: bigint): Promise<RatchetCandidate | null> {
    this.#expire();
    if (this.#newestUsed !== null && epochOf(kid) < epochOf(this.#newestUsed)) return null;
    let from: bigint | null = null;
    for (const k of this.#keys.keys()) {
      if (epochOf(k) === epochOf(kid) && k < kid && (from === null || k > from)) from = k;
    }
    if (from === null || stepOf(kid) - stepOf(from) > this.#maxRatchetSteps) return null;
    let baseKey = this.#keys.get(from)!.baseKey;
    for (let k: bigint | null = from; k !== kid; ) {
      baseKey = await ratchetBaseKey(baseKey);
      k = nextRatchetKeyId(k!);
    }
    return { key: await importSFrameKey(kid, baseKey), baseKey };
  }
}

// Trust on first use: the first identity key seen for an identity is pinned
// in this browser; a different key later is reported as changed, loudly,
// until the person verifies the safety number and accepts it. The server
// cannot vouch for keys, so nothing it says changes a pin.

import { type Bytes, bytesEqual } from './bytes';

/** Pinned identity keys by identity. */
export interface PinStore {
  get(identity: string): Promise<Bytes | null>;
  set(identity: string, identityKey: Bytes): Promise<void>;
}

export class MemoryPinStore implements PinStore {
  readonly #pins = new Map<string, Bytes>();
  async get(identity: string): Promise<Bytes | null> {
    return this.#pins.get(identity) ?? null;
  }
  async set(identity: string, identityKey: Bytes): Promise<void> {
    this.#pins.set(identity, new Uint8Array(identityKey));
  }
}

/** 'new': first seen, now pinned; 'known': the pinned key; 'changed': another key than the pinned one (warn). */
export type TrustState = 'new' | 'known' | 'changed';

export class TrustOnFirstUse {
  constructor(private readonly store: PinStore) {}

  async check(identity: string, identityKey: Bytes): Promise<TrustState> {
    const pinned = await this.store.get(identity);
    if (pinned === null) {
      await this.store.set(identity, identityKey);
      return 'new';
    }
    return bytesEqual(pinned, identityKey) ? 'known' : 'changed';
  }

  /** Pins `identityKey` for `identity` after the person accepted it (verified the safety number). */
  accept(identity: string, identityKey: Bytes): Promise<void> {
    return this.store.set(identity, identityKey);
  }
}

// The sender's key state: the SFrame key it encrypts with now and the one
// counter (CTR) that every frame of every track, and every data message,
// takes its nonce from. One object per sender per page, shared by all its
// tracks, so no (key, nonce) pair is ever used twice (RFC 9605 §4.3: "each
// (KID, CTR) combination is used for exactly one SFrame encryption").

import type { Bytes } from './bytes';
import { MAX_SFRAME_VALUE } from './sframe';
import { type SFrameKey, importSFrameKey } from './sframe-crypto';

export interface EncryptionSlot {
  readonly key: SFrameKey;
  readonly ctr: bigint;
}

export class SenderKeyState {
  #key: SFrameKey | null = null;
  // The counter runs on across key changes: a value is never reused, even
  // if a base key were ever installed twice.
  #counter = 0n;
  #installs = 0;

  /** The KID frames are encrypted under now; null before the first key. */
  get kid(): bigint | null {
    return this.#key?.kid ?? null;
  }

  /** The next CTR to be used. */
  get counter(): bigint {
    return this.#counter;
  }

  /**
   * Switches to `baseKey` under `kid` once its SFrame key is derived. When
   * calls overlap, the last one wins.
   */
  async setKey(kid: bigint, baseKey: Bytes): Promise<void> {
    const install = ++this.#installs;
    const key = await importSFrameKey(kid, baseKey);
    if (install === this.#installs) this.#key = key;
  }

  /** Forgets the key; encryption stops until the next setKey. */
  clear(): void {
    this.#installs++;
    this.#key = null;
  }

  /** The key and a CTR never handed out before; null without a key. */
  take(): EncryptionSlot | null {
    if (this.#key === null) return null;
    if (this.#counter > MAX_SFRAME_VALUE) throw new Error('SFrame counter exhausted');
    return { key: this.#key, ctr: this.#counter++ };
  }
}

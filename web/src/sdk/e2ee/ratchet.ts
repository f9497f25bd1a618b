// Key ids and the key ratchet.
//
// A sender's KID is (epoch << 16) | step. The epoch grows by one with every
// new random key (rotation, when someone leaves); the step grows by one with
// every ratchet (when someone joins). A ratchet replaces the base key with an
// HKDF of it, so a newcomer handed the new key cannot compute the old one and
// cannot read what was said before it joined, while everyone who holds the
// old key can compute the new one without a message.

import { type Bytes, utf8 } from './bytes';
import { SFRAME_KEY_LENGTH, hkdfSha256 } from './sframe-crypto';

export const RATCHET_STEP_BITS = 16n;
export const MAX_RATCHET_STEP = (1 << Number(RATCHET_STEP_BITS)) - 1;
/** The epoch takes the KID's remaining 48 bits. */
export const MAX_EPOCH = (1n << (64n - RATCHET_STEP_BITS)) - 1n;

const RATCHET_INFO = utf8('CipherTalk E2EE ratchet v1');

export function keyId(epoch: bigint, step: number): bigint {
  if (epoch < 0n || epoch > MAX_EPOCH) throw new RangeError(`epoch ${epoch} out of range`);
  if (!Number.isInteger(step) || step < 0 || step > MAX_RATCHET_STEP) throw new RangeError(`ratchet step ${step} out of range`);
  return (epoch << RATCHET_STEP_BITS) | BigInt(step);
}

export function epochOf(kid: bigint): bigint {
  return kid >> RATCHET_STEP_BITS;
}

export function stepOf(kid: bigint): number {
  return Number(kid & BigInt(MAX_RATCHET_STEP));
}

/** The KID of the key one ratchet step after `kid`'s; null when the step field is exhausted (rotate instead). */
export function nextRatchetKeyId(kid: bigint): bigint | null {
  const step = stepOf(kid);
  return step === MAX_RATCHET_STEP ? null : keyId(epochOf(kid), step + 1);
}

/** One ratchet step: HKDF-SHA256 of the base key with an empty salt and a fixed label. */
export async function ratchetBaseKey(baseKey: Bytes): Promise<Bytes> {
  return hkdfSha256(baseKey, new Uint8Array(0), RATCHET_INFO, SFRAME_KEY_LENGTH);
}

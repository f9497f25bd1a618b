// Verification codes a person compares by eye or by QR code.
//
// Safety number, per pair: for each side, SHA-512 iterated 5200 times over
// version | identity key | identity (each round hashing the previous digest
// and the key again), the first 30 bytes read as six 5-byte numbers mod
// 100000: 30 digits. Both halves, smaller first, give 60 digits that both
// people see alike. The iterations make finding an identity key whose
// number matches another's costly.
//
// Group code, per room: the same stretching over everyone's current identity
// keys, sorted, read as 12 digits. Equal codes mean everyone sees the same
// set of keys; the pairwise safety number is the full check.

import { type Bytes, concatBytes, lengthPrefixed, uintToBytes, utf8 } from './bytes';

export const SAFETY_NUMBER_ITERATIONS = 5200;
const VERSION = uintToBytes(0n, 2);
const GROUP_LABEL = utf8('CipherTalk group code v1');

export interface VerifiableIdentity {
  readonly identity: string;
  /** The raw identity public key. */
  readonly identityKey: Bytes;
}

async function stretch(initial: Bytes, key: Bytes): Promise<Bytes> {
  let hash = initial;
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) {
    hash = new Uint8Array(await crypto.subtle.digest('SHA-512', concatBytes(hash, key)));
  }
  return hash;
}

/** `groups` numbers of 5 digits from consecutive 5-byte big-endian chunks. */
function digits(hash: Bytes, groups: number): string {
  let out = '';
  for (let g = 0; g < groups; g++) {
    let chunk = 0;
    // 5 bytes fit exactly in a double: below 2^53.
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + hash[5 * g + i]!;
    out += String(chunk % 100000).padStart(5, '0');
  }
  return out;
}

/** The 30-digit half of one side. */
export async function identityFingerprint(id: VerifiableIdentity): Promise<string> {
  return digits(await stretch(concatBytes(VERSION, id.identityKey, utf8(id.identity)), id.identityKey), 6);
}

/** The 60-digit safety number of a pair; the same whichever side computes it. */
export async function safetyNumber(a: VerifiableIdentity, b: VerifiableIdentity): Promise<string> {
  const [fa, fb] = await Promise.all([identityFingerprint(a), identityFingerprint(b)]);
  return fa < fb ? fa + fb : fb + fa;
}

/** Twelve groups of five digits, as people read them out. */
export function formatSafetyNumber(number: string): string {
  return number.match(/.{1,5}/g)?.join(' ') ?? '';
}

/** The 12-digit code over everyone's identity keys, in groups of four; order of `members` does not matter. */
export async function groupCode(members: readonly VerifiableIdentity[]): Promise<string> {
  const encoded = members.map((m) => lengthPrefixed(utf8(m.identity), m.identityKey));
  encoded.sort((x, y) => {
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  const all = concatBytes(GROUP_LABEL, ...encoded);
  const hash = await stretch(new Uint8Array(await crypto.subtle.digest('SHA-512', all)), new Uint8Array(0));
  const code = digits(hash, 3).slice(0, 12);
  return code.match(/.{4}/g)!.join(' ');
}

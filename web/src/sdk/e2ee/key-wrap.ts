// Sender keys wrapped for one recipient: AES-128-GCM under a key that HKDF
// derives from the pairwise ECDH of the two ephemeral keys, bound to the
// room and both identities, so the server relays an opaque blob it cannot
// open, and a blob cannot be replayed to another pair or room.
//
// Blob: version (1) | KID (8, big-endian) | IV (12) | AES-GCM(base key) with
// a 16-byte tag; the AAD is the version and the KID.

import { type Bytes, concatBytes, lengthPrefixed, randomBytes, uintToBytes, utf8 } from './bytes';
import type { SenderKey } from './key-manager';
import { SFRAME_KEY_LENGTH, hkdfSha256 } from './sframe-crypto';

const VERSION = 1;
const IV_LENGTH = 12;
const BLOB_LENGTH = 1 + 8 + IV_LENGTH + SFRAME_KEY_LENGTH + 16;
const WRAP_INFO_LABEL = utf8('CipherTalk sender key wrap v1');

/** Who wraps for whom: the sender of the key and its recipient, each with the ephemeral key it announced. */
export interface WrapParties {
  readonly room: string;
  readonly sender: { readonly identity: string; readonly ephemeralKey: Bytes };
  readonly recipient: { readonly identity: string; readonly ephemeralKey: Bytes };
}

export type KeyWrapErrorCode = 'malformed' | 'auth-failed';

export class KeyWrapError extends Error {
  constructor(
    readonly code: KeyWrapErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyWrapError';
  }
}

/**
 * The AES-GCM key for blobs from `parties.sender` to `parties.recipient`.
 * The sender calls it with its own ephemeral private key and the
 * recipient's public one; the recipient the other way round; both get the
 * same key.
 */
export async function deriveWrapKey(ownPrivateKey: CryptoKey, peerPublicKey: CryptoKey, parties: WrapParties): Promise<CryptoKey> {
  const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: peerPublicKey }, ownPrivateKey, 256));
  const info = concatBytes(
    WRAP_INFO_LABEL,
    lengthPrefixed(utf8(parties.room), utf8(parties.sender.identity), utf8(parties.recipient.identity), parties.sender.ephemeralKey, parties.recipient.ephemeralKey),
  );
  const raw = await hkdfSha256(shared, new Uint8Array(0), info, 16);
  shared.fill(0);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  raw.fill(0);
  return key;
}

function aad(kid: bigint): Bytes {
  return concatBytes(new Uint8Array([VERSION]), uintToBytes(kid, 8));
}

export async function wrapSenderKey(wrapKey: CryptoKey, senderKey: SenderKey): Promise<Bytes> {
  if (senderKey.key.length !== SFRAME_KEY_LENGTH) throw new RangeError('sender key must be 16 bytes');
  const iv = randomBytes(IV_LENGTH);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(senderKey.kid) }, wrapKey, senderKey.key);
  return concatBytes(new Uint8Array([VERSION]), uintToBytes(senderKey.kid, 8), iv, new Uint8Array(sealed));
}

/** Opens a blob; throws KeyWrapError when it is not one or was not made for this pair. */
export async function unwrapSenderKey(wrapKey: CryptoKey, blob: Uint8Array): Promise<SenderKey> {
  if (blob.length !== BLOB_LENGTH || blob[0] !== VERSION) throw new KeyWrapError('malformed', `not a version ${VERSION} key blob of ${BLOB_LENGTH} bytes`);
  let kid = 0n;
  for (let i = 1; i < 9; i++) kid = (kid << 8n) | BigInt(blob[i]!);
  const iv = blob.slice(9, 9 + IV_LENGTH);
  try {
    const key = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(kid) }, wrapKey, blob.slice(9 + IV_LENGTH));
    return { kid, key: new Uint8Array(key) };
  } catch {
    throw new KeyWrapError('auth-failed', 'key blob does not open with this pair key');
  }
}

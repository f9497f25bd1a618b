// Identity keys and signed key announcements.
//
// Each browser keeps one ECDSA P-256 identity key (private half
// non-extractable). For each call a participant makes an ephemeral ECDH
// P-256 key and announces its public half signed by the identity key over
// the room, its identity, both public keys and a fresh nonce. Receivers
// verify it and then wrap their sender keys to that ephemeral key.

import { type Bytes, concatBytes, fromBase64Url, lengthPrefixed, randomBytes, toBase64Url, utf8 } from './bytes';

const ECDSA: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const ECDSA_SHA256: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const ECDH: EcKeyImportParams = { name: 'ECDH', namedCurve: 'P-256' };
const ANNOUNCEMENT_LABEL = utf8('CipherTalk key announcement v1');
const NONCE_LENGTH = 16;
/** An uncompressed P-256 point (SEC 1 §2.3.3): 0x04, X, Y. */
const PUBLIC_KEY_LENGTH = 65;

/** Where a browser keeps its identity key pair. */
export interface IdentityKeyStore {
  load(): Promise<CryptoKeyPair | null>;
  save(pair: CryptoKeyPair): Promise<void>;
}

export class MemoryIdentityKeyStore implements IdentityKeyStore {
  #pair: CryptoKeyPair | null = null;
  async load(): Promise<CryptoKeyPair | null> {
    return this.#pair;
  }
  async save(pair: CryptoKeyPair): Promise<void> {
    this.#pair = pair;
  }
}

/** The stored identity key, or a new one (private half non-extractable) saved first. */
export async function loadOrCreateIdentityKey(store: IdentityKeyStore): Promise<CryptoKeyPair> {
  const stored = await store.load();
  if (stored !== null) return stored;
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  await store.save(pair);
  return pair;
}

/** A fresh ECDH P-256 key for one call; the private half cannot be exported. */
export function createEphemeralKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDH, false, ['deriveBits']);
}

/** The raw (uncompressed point) form of a P-256 public key. */
export async function exportPublicKey(key: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', key));
}

export function importEcdhPublicKey(raw: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, ECDH, true, []);
}

/** What a participant publishes through signaling; binary fields in base64url. */
export interface KeyAnnouncement {
  readonly room: string;
  readonly identity: string;
  readonly identityKey: string;
  readonly ephemeralKey: string;
  readonly nonce: string;
  readonly signature: string;
}

/** A verified announcement, its keys decoded. */
export interface VerifiedAnnouncement {
  readonly room: string;
  readonly identity: string;
  readonly identityKey: Bytes;
  readonly ephemeralKeyRaw: Bytes;
  readonly ephemeralKey: CryptoKey;
  readonly nonce: Bytes;
}

export type AnnouncementErrorCode = 'malformed' | 'wrong-room' | 'bad-signature' | 'replayed';

export class AnnouncementError extends Error {
  constructor(
    readonly code: AnnouncementErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnnouncementError';
  }
}

function signedBytes(room: string, identity: string, identityKey: Bytes, ephemeralKey: Bytes, nonce: Bytes): Bytes {
  return concatBytes(ANNOUNCEMENT_LABEL, lengthPrefixed(utf8(room), utf8(identity), identityKey, ephemeralKey, nonce));
}

export async function createKeyAnnouncement(args: {
  room: string;
  identity: string;
  identityKeyPair: CryptoKeyPair;
  ephemeralPublicKey: CryptoKey;
}): Promise<KeyAnnouncement> {
  const identityKey = await exportPublicKey(args.identityKeyPair.publicKey);
  const ephemeralKey = await exportPublicKey(args.ephemeralPublicKey);
  const nonce = randomBytes(NONCE_LENGTH);
  const signature = await crypto.subtle.sign(
    ECDSA_SHA256,
    args.identityKeyPair.privateKey,
    signedBytes(args.room, args.identity, identityKey, ephemeralKey, nonce),
  );
  return {
    room: args.room,
    identity: args.identity,
    identityKey: toBase64Url(identityKey),
    ephemeralKey: toBase64Url(ephemeralKey),
    nonce: toBase64Url(nonce),
    signature: toBase64Url(new Uint8Array(signature)),
  };
}

function decodeField(name: string, value: unknown, length?: number): Bytes {
  if (typeof value !== 'string') throw new AnnouncementError('malformed', `announcement ${name} is not a string`);
  let bytes: Bytes;
  try {
    bytes = fromBase64Url(value);
  } catch {
    throw new AnnouncementError('malformed', `announcement ${name} is not base64url`);
  }
  if (length !== undefined && bytes.length !== length) throw new AnnouncementError('malformed', `announcement ${name} is ${bytes.length} bytes, not ${length}`);
  return bytes;
}

/**
 * Checks an announcement for `room`: its shape, its signature by the identity
 * key it carries, and (with `seenNonces`) that its nonce is new. Whether that
 * identity key is the one expected for the identity is TrustOnFirstUse's
 * question. Throws AnnouncementError.
 */
export async function verifyKeyAnnouncement(announcement: KeyAnnouncement, room: string, seenNonces?: Set<string>): Promise<VerifiedAnnouncement> {
  const a = announcement as Partial<Record<keyof KeyAnnouncement, unknown>>;
  if (typeof a.room !== 'string' || typeof a.identity !== 'string') throw new AnnouncementError('malformed', 'announcement room or identity missing');
  if (a.room !== room) throw new AnnouncementError('wrong-room', `announcement is for room ${JSON.stringify(a.room)}`);
  const identityKey = decodeField('identityKey', a.identityKey, PUBLIC_KEY_LENGTH);
  const ephemeralKeyRaw = decodeField('ephemeralKey', a.ephemeralKey, PUBLIC_KEY_LENGTH);
  const nonce = decodeField('nonce', a.nonce, NONCE_LENGTH);
  const signature = decodeField('signature', a.signature, 64);
  let verifyKey: CryptoKey;
  let ephemeralKey: CryptoKey;
  try {
    verifyKey = await crypto.subtle.importKey('raw', identityKey, ECDSA, true, ['verify']);
    ephemeralKey = await importEcdhPublicKey(ephemeralKeyRaw);
  } catch {
    throw new AnnouncementError('malformed', 'announcement key is not a P-256 point');
  }
  const ok = await crypto.subtle.verify(ECDSA_SHA256, verifyKey, signature, signedBytes(a.room, a.identity, identityKey, ephemeralKeyRaw, nonce));
  if (!ok) throw new AnnouncementError('bad-signature', `announcement of ${a.identity} has a bad signature`);
  if (seenNonces !== undefined) {
    if (seenNonces.has(a.nonce as string)) throw new AnnouncementError('replayed', `announcement of ${a.identity} was seen before`);
    seenNonces.add(a.nonce as string);
  }
  return { room: a.room, identity: a.identity, identityKey, ephemeralKeyRaw, ephemeralKey, nonce };
}

// SFrame key derivation and encryption (RFC 9605 §4.4) for the cipher suite
// AES_128_GCM_SHA256_128 (0x0004, §4.5 Table 1: Nh 32, Nk 16, Nn 12, Nt 16),
// on WebCrypto.

import { type Bytes, concatBytes, uintToBytes, utf8 } from './bytes';
import { type ParsedSFrameHeader, encodeSFrameHeader } from './sframe';

/** RFC 9605 §8.1: AES_128_GCM_SHA256_128. */
export const CIPHER_SUITE = 0x0004;
/** AEAD.Nk: key bytes. */
export const SFRAME_KEY_LENGTH = 16;
/** AEAD.Nn: nonce bytes. */
export const SFRAME_NONCE_LENGTH = 12;
/** AEAD.Nt: tag bytes. */
export const SFRAME_TAG_LENGTH = 16;

/** A base key made ready for one KID: the AES-GCM key and the nonce salt derived from it. */
export interface SFrameKey {
  readonly kid: bigint;
  readonly aesKey: CryptoKey;
  readonly salt: Bytes;
}

/** RFC 9605 §4.4.2: "SFrame 1.0 Secret key " + KID (8 bytes) + cipher_suite (2 bytes). */
export function sframeKeyLabel(kid: bigint): Bytes {
  return concatBytes(utf8('SFrame 1.0 Secret key '), uintToBytes(kid, 8), uintToBytes(BigInt(CIPHER_SUITE), 2));
}

/** RFC 9605 §4.4.2: "SFrame 1.0 Secret salt " + KID (8 bytes) + cipher_suite (2 bytes). */
export function sframeSaltLabel(kid: bigint): Bytes {
  return concatBytes(utf8('SFrame 1.0 Secret salt '), uintToBytes(kid, 8), uintToBytes(BigInt(CIPHER_SUITE), 2));
}

/**
 * HKDF-Extract (RFC 5869 §2.2) with SHA-256: HMAC(salt, ikm). An empty salt
 * means HashLen zero bytes, which is also what HMAC pads an empty key to.
 */
export async function hkdfExtractSha256(salt: Uint8Array, ikm: Bytes): Promise<Bytes> {
  const key = await crypto.subtle.importKey(
    'raw',
    salt.length === 0 ? new Uint8Array(32) : new Uint8Array(salt),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, ikm));
}

/** HKDF-SHA256 (extract with `salt`, expand with `info`) of `ikm` into `length` bytes. */
export async function hkdfSha256(ikm: Bytes, salt: Bytes, info: Bytes, length: number): Promise<Bytes> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, 8 * length);
  return new Uint8Array(bits);
}

/** RFC 9605 §4.4.2 derive_key_salt(KID, base_key), as raw bytes. */
export async function deriveKeySalt(kid: bigint, baseKey: Bytes): Promise<{ key: Bytes; salt: Bytes }> {
  const noSalt = new Uint8Array(0);
  const [key, salt] = await Promise.all([
    hkdfSha256(baseKey, noSalt, sframeKeyLabel(kid), SFRAME_KEY_LENGTH),
    hkdfSha256(baseKey, noSalt, sframeSaltLabel(kid), SFRAME_NONCE_LENGTH),
  ]);
  return { key, salt };
}

/** The base key for `kid` turned into a non-extractable AES-GCM key and its salt. */
export async function importSFrameKey(kid: bigint, baseKey: Bytes): Promise<SFrameKey> {
  const { key, salt } = await deriveKeySalt(kid, baseKey);
  const aesKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
  key.fill(0);
  return { kid, aesKey, salt };
}

/**
 * RFC 9605 §4.4.3: the nonce is sframe_salt XOR the CTR encoded as a
 * big-endian integer of AEAD.Nn bytes (the CTR left-padded with zeros).
 */
export function sframeNonce(salt: Bytes, ctr: bigint): Bytes {
  const nonce = new Uint8Array(salt);
  let v = ctr;
  for (let i = nonce.length - 1; i >= 0 && v > 0n; i--) {
    nonce[i]! ^= Number(v & 0xffn);
    v >>= 8n;
  }
  return nonce;
}

/**
 * AEAD.Encrypt of `plaintext` under (`key`, `ctr`) with aad = header +
 * metadata (RFC 9605 §4.4.3). Returns the ciphertext with its tag, without the header.
 */
export async function sealWithHeader(key: SFrameKey, ctr: bigint, header: Uint8Array, metadata: Uint8Array, plaintext: Uint8Array): Promise<ArrayBuffer> {
  return crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: sframeNonce(key.salt, ctr), additionalData: concatBytes(header, metadata), tagLength: 8 * SFRAME_TAG_LENGTH },
    key.aesKey,
    plaintext as Bytes,
  );
}

/** AEAD.Decrypt (RFC 9605 §4.4.4); rejects (OperationError) when the tag does not verify. */
export async function openWithHeader(key: SFrameKey, ctr: bigint, header: Uint8Array, metadata: Uint8Array, ciphertext: Uint8Array): Promise<ArrayBuffer> {
  return crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sframeNonce(key.salt, ctr), additionalData: concatBytes(header, metadata), tagLength: 8 * SFRAME_TAG_LENGTH },
    key.aesKey,
    ciphertext as Bytes,
  );
}

/** RFC 9605 §4.4.3 encrypt(CTR, KID, metadata, plaintext): header + ciphertext. */
export async function sframeEncrypt(key: SFrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Bytes> {
  const header = encodeSFrameHeader({ kid: key.kid, ctr });
  const sealed = await sealWithHeader(key, ctr, header, metadata, plaintext);
  return concatBytes(header, new Uint8Array(sealed));
}

/**
 * RFC 9605 §4.4.4 decrypt(metadata, sframe_ciphertext) once the header is
 * parsed and its key found; rejects when the tag does not verify.
 */
export async function sframeDecrypt(key: SFrameKey, header: ParsedSFrameHeader, metadata: Uint8Array, sframeCiphertext: Uint8Array): Promise<Bytes> {
  const plain = await openWithHeader(key, header.ctr, sframeCiphertext.subarray(0, header.length), metadata, sframeCiphertext.subarray(header.length));
  return new Uint8Array(plain);
}

import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../src/sdk/e2ee/bytes';
import { parseSFrameHeader } from '../src/sdk/e2ee/sframe';
import {
  CIPHER_SUITE,
  deriveKeySalt,
  hkdfExtractSha256,
  importSFrameKey,
  sframeDecrypt,
  sframeEncrypt,
  sframeKeyLabel,
  sframeNonce,
  sframeSaltLabel,
} from '../src/sdk/e2ee/sframe-crypto';
import { C3_AES_128_GCM_SHA256_128 as V } from './e2ee-rfc9605-vectors';

describe('SFrame key derivation and encryption, AES_128_GCM_SHA256_128 (RFC 9605 Appendix C.3)', () => {
  it('is cipher suite 0x0004', () => {
    expect(CIPHER_SUITE).toBe(V.cipherSuite);
  });

  it('builds the key and salt labels of the vector', () => {
    expect(bytesToHex(sframeKeyLabel(V.kid))).toBe(V.sframeKeyLabel);
    expect(bytesToHex(sframeSaltLabel(V.kid))).toBe(V.sframeSaltLabel);
  });

  it('extracts the vector sframe_secret with an empty salt', async () => {
    expect(bytesToHex(await hkdfExtractSha256(new Uint8Array(0), hexToBytes(V.baseKey)))).toBe(V.sframeSecret);
  });

  it('derives the vector sframe_key and sframe_salt (§4.4.2)', async () => {
    const { key, salt } = await deriveKeySalt(V.kid, hexToBytes(V.baseKey));
    expect(bytesToHex(key)).toBe(V.sframeKey);
    expect(bytesToHex(salt)).toBe(V.sframeSalt);
  });

  it('derives the same key as HKDF written out by hand from HMAC (RFC 5869 §2.3, one block)', async () => {
    const baseKey = hexToBytes('0f0e0d0c0b0a09080706050403020100');
    const ours = await deriveKeySalt(0x77n, baseKey);
    const prk = await hkdfExtractSha256(new Uint8Array(0), baseKey);
    const hmacKey = await crypto.subtle.importKey('raw', prk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const t1 = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, concatBytes(sframeKeyLabel(0x77n), new Uint8Array([1]))));
    expect(bytesToHex(ours.key)).toBe(bytesToHex(t1.subarray(0, 16)));
  });

  it('forms the vector nonce: salt XOR CTR left-padded to 12 bytes (§4.4.3)', () => {
    expect(bytesToHex(sframeNonce(hexToBytes(V.sframeSalt), V.ctr))).toBe(V.nonce);
    expect(bytesToHex(sframeNonce(hexToBytes('000000000000000000000000'), 0xffffffffffffffffn))).toBe('00000000ffffffffffffffff');
    expect(bytesToHex(sframeNonce(hexToBytes(V.sframeSalt), 0n))).toBe(V.sframeSalt);
  });

  it('encrypts the vector plaintext to the vector ciphertext, header first', async () => {
    const key = await importSFrameKey(V.kid, hexToBytes(V.baseKey));
    const ct = await sframeEncrypt(key, V.ctr, hexToBytes(V.metadata), hexToBytes(V.pt));
    expect(bytesToHex(ct)).toBe(V.ct);
    // The AAD is the header followed by the metadata.
    const header = parseSFrameHeader(ct);
    expect(bytesToHex(ct.subarray(0, header.length)) + V.metadata).toBe(V.aad);
  });

  it('decrypts the vector ciphertext, and refuses it with other metadata or a flipped bit', async () => {
    const key = await importSFrameKey(V.kid, hexToBytes(V.baseKey));
    const ct = hexToBytes(V.ct);
    const header = parseSFrameHeader(ct);
    expect(header).toEqual({ kid: V.kid, ctr: V.ctr, length: 5 });
    expect(bytesToHex(await sframeDecrypt(key, header, hexToBytes(V.metadata), ct))).toBe(V.pt);
    await expect(sframeDecrypt(key, header, hexToBytes('00'), ct)).rejects.toThrow();
    const flipped = new Uint8Array(ct);
    flipped[10]! ^= 1;
    await expect(sframeDecrypt(key, header, hexToBytes(V.metadata), flipped)).rejects.toThrow();
  });
});

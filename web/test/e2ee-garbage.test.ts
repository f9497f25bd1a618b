// Random and mangled input to every function that reads bytes from the
// network: each must answer with its typed outcome, never throw something else.
import { describe, expect, it } from 'vitest';
import { hexToBytes, toBase64Url } from '../src/sdk/e2ee/bytes';
import { DataCryptoError, decryptData } from '../src/sdk/e2ee/data-crypto';
import { FrameCryptor } from '../src/sdk/e2ee/frame-cryptor';
import type { FrameInfo } from '../src/sdk/e2ee/frame-layout';
import { removeEmulationPrevention } from '../src/sdk/e2ee/h264';
import { AnnouncementError, type KeyAnnouncement, verifyKeyAnnouncement } from '../src/sdk/e2ee/identity';
import { KeyWrapError, unwrapSenderKey } from '../src/sdk/e2ee/key-wrap';
import { keyId } from '../src/sdk/e2ee/ratchet';
import { ReceiverKeyRing } from '../src/sdk/e2ee/receiver-keys';
import { SenderKeyState } from '../src/sdk/e2ee/sender-key';

function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  return {
    next,
    bytes(max: number): Uint8Array<ArrayBuffer> {
      const out = new Uint8Array(next() % (max + 1));
      for (let i = 0; i < out.length; i++) out[i] = next() % 4 === 0 ? next() % 4 : next() & 0xff;
      return out;
    },
  };
}

const INFOS: FrameInfo[] = [
  { codec: 'vp8', keyframe: true },
  { codec: 'vp8', keyframe: false },
  { codec: 'opus', keyframe: false },
  { codec: 'h264', keyframe: true },
];

describe('garbage input', () => {
  it('FrameCryptor.decrypt answers malformed, noKey or authFailed for random frames and mangled real ones', async () => {
    const g = generator(99);
    const ring = new ReceiverKeyRing();
    const base = hexToBytes('000102030405060708090a0b0c0d0e0f');
    for (const epoch of [0n, 1n]) await ring.setKey(keyId(epoch, 0), base);
    const sender = new SenderKeyState();
    await sender.setKey(keyId(1n, 0), base);
    const tx = new FrameCryptor();
    const rx = new FrameCryptor();
    let total = 0;
    for (let i = 0; i < 1500; i++) {
      const info = INFOS[i % INFOS.length]!;
      let frame = g.bytes(80);
      if (i % 3 === 0) {
        // A real ciphertext with a few bytes changed or cut.
        const plain = info.codec === 'h264' ? hexToBytes('0000000165' + '88'.repeat(40)) : new Uint8Array(60).fill(i & 0xff);
        const sealed = await tx.encrypt(plain.buffer, info, sender);
        if (!sealed.ok) throw new Error(sealed.reason);
        frame = new Uint8Array(sealed.frame).slice(0, g.next() % 2 === 0 ? undefined : g.next() % sealed.frame.byteLength);
        if (frame.length > 0) frame[g.next() % frame.length]! ^= 1 << g.next() % 8;
      }
      const result = await rx.decrypt(frame.buffer, info, ring);
      expect(['malformed', 'noKey', 'authFailed', 'decrypted']).toContain(result.outcome);
      total++;
    }
    const s = rx.stats;
    expect(s.malformed + s.noKey + s.authFailed + s.decrypted).toBe(total);
    // Every mangled frame had a bit flipped somewhere, clear prefix included: none may open.
    expect(s.decrypted).toBe(0);
  });

  it('decryptData throws only DataCryptoError', async () => {
    const g = generator(5);
    const ring = new ReceiverKeyRing();
    await ring.setKey(0n, hexToBytes('000102030405060708090a0b0c0d0e0f'));
    for (let i = 0; i < 1000; i++) {
      await expect(decryptData(ring, g.bytes(60))).rejects.toBeInstanceOf(DataCryptoError);
    }
  });

  it('removeEmulationPrevention returns bytes or null for random input', () => {
    const g = generator(11);
    for (let i = 0; i < 5000; i++) {
      const out = removeEmulationPrevention(g.bytes(40));
      expect(out === null || out instanceof Uint8Array).toBe(true);
    }
  });

  it('unwrapSenderKey throws only KeyWrapError', async () => {
    const g = generator(23);
    const key = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
    for (let i = 0; i < 500; i++) {
      const blob = i % 2 === 0 ? g.bytes(60) : Uint8Array.from({ length: 53 }, () => g.next() & 0xff);
      if (i % 2 === 1) blob[0] = 1;
      await expect(unwrapSenderKey(key, blob)).rejects.toBeInstanceOf(KeyWrapError);
    }
  });

  it('verifyKeyAnnouncement throws only AnnouncementError for junk fields', async () => {
    const g = generator(31);
    const field = () => (g.next() % 3 === 0 ? g.next() : toBase64Url(g.bytes(70)));
    for (let i = 0; i < 300; i++) {
      const junk = { room: 'r', identity: 'x', identityKey: field(), ephemeralKey: field(), nonce: field(), signature: field() };
      await expect(verifyKeyAnnouncement(junk as unknown as KeyAnnouncement, 'r')).rejects.toBeInstanceOf(AnnouncementError);
    }
  });
});

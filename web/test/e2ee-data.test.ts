import { describe, expect, it } from 'vitest';
import { hexToBytes, utf8 } from '../src/sdk/e2ee/bytes';
import { DataCryptoError, decryptData, encryptData } from '../src/sdk/e2ee/data-crypto';
import { FrameCryptor } from '../src/sdk/e2ee/frame-cryptor';
import type { FrameInfo } from '../src/sdk/e2ee/frame-layout';
import { keyId, ratchetBaseKey } from '../src/sdk/e2ee/ratchet';
import { ReceiverKeyRing } from '../src/sdk/e2ee/receiver-keys';
import { SenderKeyState } from '../src/sdk/e2ee/sender-key';
import { parseSFrameHeader } from '../src/sdk/e2ee/sframe';

const BASE = hexToBytes('000102030405060708090a0b0c0d0e0f');
const KID = keyId(2n, 0);

async function setup() {
  const sender = new SenderKeyState();
  await sender.setKey(KID, BASE);
  const ring = new ReceiverKeyRing();
  await ring.setKey(KID, BASE);
  return { sender, ring };
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'opened';
  } catch (e) {
    if (e instanceof DataCryptoError) return e.code;
    throw e;
  }
}

describe('encrypted data messages', () => {
  it('round-trip a chat message', async () => {
    const { sender, ring } = await setup();
    const message = await encryptData(sender, utf8('hello, 🌍'));
    expect(new TextDecoder().decode(await decryptData(ring, message))).toBe('hello, 🌍');
  });

  it('take CTRs from the same counter as frames, so no nonce repeats', async () => {
    const { sender } = await setup();
    const opus: FrameInfo = { codec: 'opus', keyframe: false };
    const frame = await new FrameCryptor().encrypt(new Uint8Array([0x78, 1, 2]).buffer, opus, sender);
    const message = await encryptData(sender, utf8('x'));
    const frame2 = await new FrameCryptor().encrypt(new Uint8Array([0x78, 1, 2]).buffer, opus, sender);
    const ctrOf = (r: typeof frame) => (r.ok ? parseSFrameHeader(new Uint8Array(r.frame).subarray(1)).ctr : -1n);
    expect([ctrOf(frame), parseSFrameHeader(message).ctr, ctrOf(frame2)]).toEqual([0n, 1n, 2n]);
  });

  it('cannot be passed off as a frame, nor a frame as a message', async () => {
    const { sender, ring } = await setup();
    const message = await encryptData(sender, utf8('data'));
    const asFrame = new Uint8Array([0x78, ...message]);
    const r = await new FrameCryptor().decrypt(asFrame.buffer, { codec: 'opus', keyframe: false }, ring);
    expect(r.outcome).toBe('authFailed');
    const frame = await new FrameCryptor().encrypt(new Uint8Array([0x78, 9, 9, 9]).buffer, { codec: 'opus', keyframe: false }, sender);
    expect(frame.ok).toBe(true);
    if (frame.ok) expect(await failure(decryptData(ring, new Uint8Array(frame.frame).subarray(1)))).toBe('authFailed');
  });

  it('report no key, a wrong key and malformed input apart', async () => {
    const { sender } = await setup();
    const message = await encryptData(sender, utf8('secret'));
    expect(await failure(decryptData(new ReceiverKeyRing(), message))).toBe('noKey');
    const wrong = new ReceiverKeyRing();
    await wrong.setKey(KID, hexToBytes('ffffffffffffffffffffffffffffffff'));
    expect(await failure(decryptData(wrong, message))).toBe('authFailed');
    expect(await failure(decryptData(wrong, new Uint8Array(0)))).toBe('malformed');
    expect(await failure(decryptData(wrong, message.subarray(0, 10)))).toBe('malformed');
    expect(await failure(encryptData(new SenderKeyState(), utf8('x')))).toBe('noKey');
  });

  it('follow the sender across a join ratchet', async () => {
    const { ring } = await setup();
    const sender = new SenderKeyState();
    await sender.setKey(keyId(2n, 1), await ratchetBaseKey(BASE));
    expect(new TextDecoder().decode(await decryptData(ring, await encryptData(sender, utf8('after join'))))).toBe('after join');
  });
});

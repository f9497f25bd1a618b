import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/sdk/e2ee/bytes';
import { FrameCryptor } from '../src/sdk/e2ee/frame-cryptor';
import type { FrameInfo } from '../src/sdk/e2ee/frame-layout';
import { h264ClearPrefixLength } from '../src/sdk/e2ee/h264';
import { keyId } from '../src/sdk/e2ee/ratchet';
import { ReceiverKeyRing } from '../src/sdk/e2ee/receiver-keys';
import { SenderKeyState } from '../src/sdk/e2ee/sender-key';
import { parseSFrameHeader } from '../src/sdk/e2ee/sframe';
import { realIdrFrame, startCodes } from './e2ee-h264-idr-frame';

const BASE_KEY = hexToBytes('00112233445566778899aabbccddeeff');
const OTHER_KEY = hexToBytes('ffeeddccbbaa99887766554433221100');
const VP8_KEY: FrameInfo = { codec: 'vp8', keyframe: true };
const VP8_DELTA: FrameInfo = { codec: 'vp8', keyframe: false };
const OPUS: FrameInfo = { codec: 'opus', keyframe: false };
const H264_KEY: FrameInfo = { codec: 'h264', keyframe: true };

function frameOf(length: number, seed = 1): ArrayBuffer {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed) & 0xff;
  return data.buffer;
}

async function sender(kid = keyId(1n, 0), key = BASE_KEY): Promise<SenderKeyState> {
  const s = new SenderKeyState();
  await s.setKey(kid, key);
  return s;
}

async function receiver(kid = keyId(1n, 0), key = BASE_KEY): Promise<ReceiverKeyRing> {
  const r = new ReceiverKeyRing();
  await r.setKey(kid, key);
  return r;
}

async function encrypted(cryptor: FrameCryptor, frame: ArrayBuffer, info: FrameInfo, s: SenderKeyState): Promise<Uint8Array> {
  const result = await cryptor.encrypt(frame, info, s);
  if (!result.ok) throw new Error(result.reason);
  return new Uint8Array(result.frame);
}

describe('FrameCryptor', () => {
  it('keeps 10 clear bytes of a VP8 keyframe, then the header, then ciphertext and a 16-byte tag', async () => {
    const c = new FrameCryptor();
    const frame = frameOf(1000);
    const out = await encrypted(c, frame, VP8_KEY, await sender());
    expect(bytesToHex(out.subarray(0, 10))).toBe(bytesToHex(new Uint8Array(frame, 0, 10)));
    const header = parseSFrameHeader(out.subarray(10));
    expect(header).toEqual({ kid: keyId(1n, 0), ctr: 0n, length: 4 });
    expect(out.length).toBe(1000 + header.length + 16);
    expect(bytesToHex(out.subarray(14, 24))).not.toBe(bytesToHex(new Uint8Array(frame, 10, 10)));
  });

  it('keeps 3 clear bytes of a VP8 delta frame and 1 of an Opus frame', async () => {
    const c = new FrameCryptor();
    const s = await sender();
    const delta = await encrypted(c, frameOf(500, 9), VP8_DELTA, s);
    expect(bytesToHex(delta.subarray(0, 3))).toBe(bytesToHex(new Uint8Array(frameOf(500, 9), 0, 3)));
    expect(parseSFrameHeader(delta.subarray(3)).ctr).toBe(0n);
    const opus = await encrypted(c, frameOf(80, 3), OPUS, s);
    expect(opus[0]).toBe(new Uint8Array(frameOf(80, 3))[0]);
    expect(parseSFrameHeader(opus.subarray(1)).ctr).toBe(1n);
  });

  it('decrypts what it encrypted, for each codec', async () => {
    const s = await sender();
    const r = await receiver();
    const c = new FrameCryptor();
    const cases: [ArrayBuffer, FrameInfo][] = [
      [frameOf(30000), VP8_KEY],
      [frameOf(5000), VP8_DELTA],
      [frameOf(10), VP8_KEY],
      [frameOf(3), VP8_DELTA],
      [frameOf(120), OPUS],
      [frameOf(1), OPUS],
      [realIdrFrame().buffer, H264_KEY],
    ];
    for (const [frame, info] of cases) {
      const out = await encrypted(c, frame, info, s);
      const back = await c.decrypt(out.slice().buffer, info, r);
      expect(back.outcome, `${info.codec} ${frame.byteLength}`).toBe('decrypted');
      if (back.outcome === 'decrypted') expect(bytesToHex(new Uint8Array(back.frame))).toBe(bytesToHex(new Uint8Array(frame)));
    }
    expect(c.stats).toEqual({ encrypted: 7, decrypted: 7, noKey: 0, authFailed: 0, malformed: 0 });
  });

  it('leaves an H.264 keyframe with SPS, PPS and IDR visible and no start code in the ciphertext', async () => {
    const frame = realIdrFrame();
    const out = await encrypted(new FrameCryptor(), frame.buffer, H264_KEY, await sender());
    const prefix = h264ClearPrefixLength(frame)!;
    expect(h264ClearPrefixLength(out)).toBe(prefix);
    expect(startCodes(out).map((at) => out[at + 3]! & 0x1f)).toEqual([7, 8, 5]);
    expect(bytesToHex(out.subarray(0, prefix))).toBe(bytesToHex(frame.subarray(0, prefix)));
  });

  it('gives every frame of every track a new CTR from the one sender state', async () => {
    const s = await sender();
    const audio = new FrameCryptor();
    const video = new FrameCryptor();
    const ctrs: bigint[] = [];
    for (let i = 0; i < 20; i++) {
      const [a, v] = await Promise.all([encrypted(audio, frameOf(60, i), OPUS, s), encrypted(video, frameOf(900, i), VP8_DELTA, s)]);
      ctrs.push(parseSFrameHeader(a.subarray(1)).ctr, parseSFrameHeader(v.subarray(3)).ctr);
    }
    expect(new Set(ctrs).size).toBe(40);
    expect(s.counter).toBe(40n);
  });

  it('keeps counting across a key change instead of starting again at zero', async () => {
    const s = await sender();
    const c = new FrameCryptor();
    await encrypted(c, frameOf(50), OPUS, s);
    await s.setKey(keyId(2n, 0), OTHER_KEY);
    const out = await encrypted(c, frameOf(50), OPUS, s);
    expect(parseSFrameHeader(out.subarray(1))).toMatchObject({ kid: keyId(2n, 0), ctr: 1n });
  });

  it('drops frames while the sender has no key, counting them', async () => {
    const c = new FrameCryptor();
    expect(await c.encrypt(frameOf(100), OPUS, new SenderKeyState())).toEqual({ ok: false, reason: 'noKey' });
    expect(c.stats.noKey).toBe(1);
  });

  it('calls a frame shorter than its clear prefix or an H.264 frame without a slice malformed', async () => {
    const c = new FrameCryptor();
    const s = await sender();
    expect(await c.encrypt(frameOf(9), VP8_KEY, s)).toEqual({ ok: false, reason: 'malformed' });
    expect(await c.encrypt(new ArrayBuffer(0), OPUS, s)).toEqual({ ok: false, reason: 'malformed' });
    expect(await c.encrypt(hexToBytes('0000000167420000').buffer, H264_KEY, s)).toEqual({ ok: false, reason: 'malformed' });
    expect(c.stats.malformed).toBe(3);
    expect(s.counter).toBe(0n);
  });

  it('distinguishes no key for the KID, a wrong key (auth failed) and malformed input', async () => {
    const out = await encrypted(new FrameCryptor(), frameOf(400), VP8_DELTA, await sender(keyId(5n, 0)));
    const c = new FrameCryptor();
    expect(await c.decrypt(out.slice().buffer, VP8_DELTA, await receiver(keyId(4n, 0)))).toEqual({ outcome: 'noKey', kid: keyId(5n, 0) });
    expect(await c.decrypt(out.slice().buffer, VP8_DELTA, await receiver(keyId(5n, 0), OTHER_KEY))).toEqual({ outcome: 'authFailed', kid: keyId(5n, 0) });
    const r = await receiver(keyId(5n, 0));
    expect(await c.decrypt(out.slice(0, 3).buffer, VP8_DELTA, r)).toEqual({ outcome: 'malformed' });
    expect(await c.decrypt(out.slice(0, 3 + 4 + 15).buffer, VP8_DELTA, r)).toEqual({ outcome: 'malformed' });
    expect(await c.decrypt(hexToBytes('9d012a80').buffer, VP8_DELTA, r)).toEqual({ outcome: 'malformed' });
    expect(c.stats).toEqual({ encrypted: 0, decrypted: 0, noKey: 1, authFailed: 1, malformed: 3 });
  });

  it('fails authentication when the clear prefix, the header or the ciphertext is changed', async () => {
    const out = await encrypted(new FrameCryptor(), frameOf(300), VP8_KEY, await sender());
    const r = await receiver();
    const c = new FrameCryptor();
    for (const at of [0, 9, 11, 13, 100, out.length - 1]) {
      const changed = out.slice();
      changed[at]! ^= 0x01;
      const result = await c.decrypt(changed.buffer, VP8_KEY, r);
      expect(['authFailed', 'noKey', 'malformed'], `byte ${at}`).toContain(result.outcome);
    }
    expect(c.stats.decrypted).toBe(0);
    expect((await c.decrypt(out.slice().buffer, VP8_KEY, r)).outcome).toBe('decrypted');
  });

  it('does not accept a frame decrypted as another codec layout', async () => {
    const out = await encrypted(new FrameCryptor(), frameOf(300), VP8_KEY, await sender());
    const result = await new FrameCryptor().decrypt(out.slice().buffer, VP8_DELTA, await receiver());
    expect(result.outcome).not.toBe('decrypted');
  });
});

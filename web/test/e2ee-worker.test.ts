import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../src/sdk/e2ee/bytes';
import { keyId } from '../src/sdk/e2ee/ratchet';
import { E2eeWorkerCore, type EncodedFrame, FAILING_AFTER } from '../src/sdk/e2ee/worker-core';
import type { FromWorker, TransformOptions } from '../src/sdk/e2ee/worker-protocol';

const KEY = hexToBytes('000102030405060708090a0b0c0d0e0f').buffer;
const WRONG = hexToBytes('ffffffffffffffffffffffffffffffff').buffer;
const KID = keyId(1n, 0);

/** Stand-ins for RTCEncodedVideoFrame / RTCEncodedAudioFrame: a data buffer, a type and metadata. */
function videoFrame(length: number, type: 'key' | 'delta', seed: number): EncodedFrame {
  const data = new Uint8Array(length).map((_, i) => (i * 7 + seed) & 0xff);
  return { data: data.buffer, type, getMetadata: () => ({ mimeType: 'video/VP8' }) };
}

function audioFrame(seed: number): EncodedFrame {
  return { data: new Uint8Array([0x78, seed, seed, seed]).buffer, getMetadata: () => ({}) };
}

async function run(core: E2eeWorkerCore, options: TransformOptions, frames: EncodedFrame[]): Promise<EncodedFrame[]> {
  const out: EncodedFrame[] = [];
  const readable = new ReadableStream<EncodedFrame>({
    start(c) {
      for (const f of frames) c.enqueue(f);
      c.close();
    },
  });
  const writable = new WritableStream<EncodedFrame>({ write: (f) => void out.push(f) });
  await core.attach(readable, writable, options);
  return out;
}

function copy(frames: EncodedFrame[]): EncodedFrame[] {
  return frames.map((f) => ({ ...f, data: f.data.slice(0) }));
}

describe('E2EE worker core', () => {
  it('encrypts a track and another worker decrypts it to the same frames, reporting counts', async () => {
    const sent: FromWorker[] = [];
    const received: FromWorker[] = [];
    const sender = new E2eeWorkerCore((m) => sent.push(m));
    const receiver = new E2eeWorkerCore((m) => received.push(m));
    await sender.handle({ type: 'setSendKey', kid: KID, key: KEY });
    await receiver.handle({ type: 'setReceiveKey', participant: 'alice', kid: KID, key: KEY });
    const frames = [videoFrame(3000, 'key', 1), videoFrame(800, 'delta', 2), videoFrame(700, 'delta', 3)];
    const originals = frames.map((f) => bytesToHex(new Uint8Array(f.data)));
    const encrypted = await run(sender, { direction: 'encrypt', track: 'v0' }, copy(frames));
    expect(encrypted.map((f) => bytesToHex(new Uint8Array(f.data)))).not.toEqual(originals);
    const decrypted = await run(receiver, { direction: 'decrypt', track: 'alice-v0', participant: 'alice' }, encrypted);
    expect(decrypted.map((f) => bytesToHex(new Uint8Array(f.data)))).toEqual(originals);
    expect(decrypted.map((f) => f.type)).toEqual(['key', 'delta', 'delta']);

    await receiver.handle({ type: 'getStats', requestId: 7 });
    expect(received).toContainEqual({ type: 'decryptState', track: 'alice-v0', participant: 'alice', state: 'decrypting' });
    expect(received.at(-1)).toEqual({
      type: 'stats',
      requestId: 7,
      tracks: { 'alice-v0': { direction: 'decrypt', participant: 'alice', stats: { encrypted: 0, decrypted: 3, noKey: 0, authFailed: 0, malformed: 0 } } },
    });
    expect(sender.stats()['v0']!.stats.encrypted).toBe(3);
  });

  it('uses the codec from the options when the metadata names none, and one counter for all tracks', async () => {
    const core = new E2eeWorkerCore(() => {});
    await core.handle({ type: 'setSendKey', kid: KID, key: KEY });
    const [audio, video] = await Promise.all([
      run(core, { direction: 'encrypt', track: 'a0', codec: 'opus' }, [audioFrame(1), audioFrame(2)]),
      run(core, { direction: 'encrypt', track: 'v0' }, [videoFrame(500, 'delta', 1), videoFrame(500, 'delta', 2)]),
    ]);
    const receiver = new E2eeWorkerCore(() => {});
    await receiver.handle({ type: 'setReceiveKey', participant: 'p', kid: KID, key: KEY });
    const back = await run(receiver, { direction: 'decrypt', track: 'pa', participant: 'p', codec: 'opus' }, copy(audio));
    expect(back).toHaveLength(2);
    // Four frames, four different CTRs: 0..3 sit in the config byte after the clear prefix.
    const ctrs = [...audio.map((f) => new Uint8Array(f.data)[1]! & 7), ...video.map((f) => new Uint8Array(f.data)[3]! & 7)];
    expect(new Set(ctrs).size).toBe(4);
  });

  it('drops every frame it cannot encrypt or decrypt, and reports the track failing', async () => {
    const events: FromWorker[] = [];
    const sender = new E2eeWorkerCore(() => {});
    expect(await run(sender, { direction: 'encrypt', track: 'v0' }, [videoFrame(500, 'delta', 1)])).toEqual([]);
    await sender.handle({ type: 'setSendKey', kid: KID, key: KEY });
    const frames = await run(sender, { direction: 'encrypt', track: 'v0' }, Array.from({ length: FAILING_AFTER }, (_, i) => videoFrame(500, 'delta', i)));
    const wrongKey = new E2eeWorkerCore((m) => events.push(m));
    await wrongKey.handle({ type: 'setReceiveKey', participant: 'alice', kid: KID, key: WRONG });
    expect(await run(wrongKey, { direction: 'decrypt', track: 't', participant: 'alice' }, frames)).toEqual([]);
    expect(wrongKey.stats()['t']!.stats.authFailed).toBe(FAILING_AFTER);
    expect(events).toEqual([{ type: 'decryptState', track: 't', participant: 'alice', state: 'failing' }]);
    const unknownCodec = new E2eeWorkerCore(() => {});
    await unknownCodec.handle({ type: 'setSendKey', kid: KID, key: KEY });
    expect(await run(unknownCodec, { direction: 'encrypt', track: 'x' }, [audioFrame(1)])).toEqual([]);
    expect(unknownCodec.stats()['x']!.stats.malformed).toBe(1);
  });

  it('takes streams posted in an attach message (the createEncodedStreams fallback)', async () => {
    const core = new E2eeWorkerCore(() => {});
    await core.handle({ type: 'setSendKey', kid: KID, key: KEY });
    const out: EncodedFrame[] = [];
    let done!: () => void;
    const closed = new Promise<void>((r) => (done = r));
    const readable = new ReadableStream<EncodedFrame>({
      start(c) {
        c.enqueue(videoFrame(400, 'key', 1));
        c.enqueue(videoFrame(300, 'delta', 2));
        c.close();
      },
    });
    const writable = new WritableStream<EncodedFrame>({ write: (f) => void out.push(f), close: () => done() });
    await core.handle({ type: 'attach', readable, writable, options: { direction: 'encrypt', track: 'v0' } });
    await closed;
    expect(out).toHaveLength(2);
    expect(core.stats()['v0']!.stats.encrypted).toBe(2);
  });

  it('forgets a participant that left', async () => {
    const sender = new E2eeWorkerCore(() => {});
    await sender.handle({ type: 'setSendKey', kid: KID, key: KEY });
    const frames = await run(sender, { direction: 'encrypt', track: 'v0' }, [videoFrame(500, 'delta', 1)]);
    const receiver = new E2eeWorkerCore(() => {});
    await receiver.handle({ type: 'setReceiveKey', participant: 'alice', kid: KID, key: KEY });
    await receiver.handle({ type: 'removeParticipant', participant: 'alice' });
    expect(await run(receiver, { direction: 'decrypt', track: 't', participant: 'alice' }, frames)).toEqual([]);
    expect(receiver.stats()['t']!.stats.noKey).toBe(1);
  });

  it('encrypts and decrypts data messages by request id', async () => {
    const sentEvents: FromWorker[] = [];
    const receivedEvents: FromWorker[] = [];
    const sender = new E2eeWorkerCore((m) => sentEvents.push(m));
    const receiver = new E2eeWorkerCore((m) => receivedEvents.push(m));
    await sender.handle({ type: 'setSendKey', kid: KID, key: KEY });
    await receiver.handle({ type: 'setReceiveKey', participant: 'alice', kid: KID, key: KEY });
    await sender.handle({ type: 'encryptData', requestId: 1, data: utf8('hi').buffer });
    const sealed = sentEvents[0]!;
    if (sealed.type !== 'dataResult' || !sealed.ok) throw new Error('no ciphertext');
    await receiver.handle({ type: 'decryptData', requestId: 2, participant: 'alice', data: sealed.data });
    await receiver.handle({ type: 'decryptData', requestId: 3, participant: 'bob', data: sealed.data });
    const [opened, refused] = receivedEvents;
    expect(opened).toMatchObject({ type: 'dataResult', requestId: 2, ok: true });
    if (opened?.type === 'dataResult' && opened.ok) expect(new TextDecoder().decode(opened.data)).toBe('hi');
    expect(refused).toEqual({ type: 'dataResult', requestId: 3, ok: false, error: 'noKey' });
  });
});

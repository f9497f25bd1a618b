// e2ee-media.ts: which frame API a browser offers, and how transforms are
// put on senders and receivers through one worker (fakes of the browser
// objects; the real ones run in tests/e2e/e2ee.test.mjs).
import { afterEach, describe, expect, it } from 'vitest';
import { FrameTransforms, frameEncryptionApi, receiverTrackName } from '../src/sdk/e2ee-media';

class FakeScriptTransform {
  constructor(
    readonly worker: unknown,
    readonly options: unknown,
  ) {}
}

class FakeWorker {
  readonly posted: { message: unknown; transfer?: unknown[] }[] = [];
  postMessage(message: unknown, transfer?: unknown[]): void {
    this.posted.push({ message, transfer });
  }
}

const scope = globalThis as unknown as Record<string, unknown>;

afterEach(() => {
  delete scope.RTCRtpScriptTransform;
});

describe('frameEncryptionApi', () => {
  it('prefers RTCRtpScriptTransform, falls back to createEncodedStreams, and is null without either', () => {
    expect(frameEncryptionApi({ RTCRtpScriptTransform: FakeScriptTransform } as unknown as typeof globalThis)).toBe('script-transform');
    const sender = { prototype: { createEncodedStreams() {} } };
    expect(frameEncryptionApi({ RTCRtpSender: sender } as unknown as typeof globalThis)).toBe('encoded-streams');
    expect(frameEncryptionApi({ RTCRtpSender: { prototype: {} } } as unknown as typeof globalThis)).toBeNull();
    expect(frameEncryptionApi({} as typeof globalThis)).toBeNull();
  });
});

describe('FrameTransforms', () => {
  it('refuses a browser that cannot encrypt', () => {
    expect(() => new FrameTransforms(new FakeWorker() as unknown as Worker, null)).toThrow(/cannot encrypt/);
  });

  it('puts a script transform on each sender and receiver, each track under its own name in the one worker', () => {
    scope.RTCRtpScriptTransform = FakeScriptTransform;
    const worker = new FakeWorker();
    const transforms = new FrameTransforms(worker as unknown as Worker, 'script-transform');
    expect(transforms.peerConnectionConfig).toEqual({});
    const audio = { transform: null } as unknown as RTCRtpSender;
    const video = { transform: null } as unknown as RTCRtpSender;
    const a = transforms.attachSender(audio, 'audio', 'opus');
    const v = transforms.attachSender(video, 'video', 'h264');
    expect([a.name, v.name]).toEqual(['send-audio-1', 'send-video-2']);
    expect(transforms.senderName(video)).toBe('send-video-2');
    const t = video.transform as unknown as FakeScriptTransform;
    expect(t.worker).toBe(worker);
    expect(t.options).toEqual({ direction: 'encrypt', track: 'send-video-2', codec: 'h264' });
    const receiver = { transform: null } as unknown as RTCRtpReceiver;
    expect(transforms.attachReceiver(receiver, 'bob', '7', 'video')).toBe(receiverTrackName('7'));
    expect((receiver.transform as unknown as FakeScriptTransform).options).toEqual({ direction: 'decrypt', track: 'receive-7', participant: 'bob', codec: 'vp8' });
    expect(worker.posted).toEqual([]);
  });

  it('with createEncodedStreams hands the streams to the worker, transferred, and asks connections for insertable streams', () => {
    const worker = new FakeWorker();
    const transforms = new FrameTransforms(worker as unknown as Worker, 'encoded-streams');
    expect(transforms.peerConnectionConfig).toEqual({ encodedInsertableStreams: true });
    const readable = new ReadableStream();
    const writable = new WritableStream();
    const receiver = { createEncodedStreams: () => ({ readable, writable }) } as unknown as RTCRtpReceiver;
    transforms.attachReceiver(receiver, 'alice', '3', 'audio');
    expect(worker.posted).toEqual([
      {
        message: { type: 'attach', readable, writable, options: { direction: 'decrypt', track: 'receive-3', participant: 'alice', codec: 'opus' } },
        transfer: [readable, writable],
      },
    ]);
  });

  it('counts what a sender encoded from its stats: video frames encoded, audio packets sent', async () => {
    const transforms = new FrameTransforms(new FakeWorker() as unknown as Worker, 'encoded-streams');
    const stats = (entries: object[]) => ({ forEach: (f: (s: object) => void) => entries.forEach(f) });
    const sender = (entries: object[]) =>
      ({ createEncodedStreams: () => ({ readable: new ReadableStream(), writable: new WritableStream() }), getStats: async () => stats(entries) }) as unknown as RTCRtpSender;
    const video = transforms.attachSender(sender([{ type: 'outbound-rtp', framesEncoded: 42, packetsSent: 99 }, { type: 'media-source', framesEncoded: 1 }]), 'video', 'vp8');
    const audio = transforms.attachSender(sender([{ type: 'outbound-rtp', packetsSent: 17 }]), 'audio', 'opus');
    expect(await video.sent()).toBe(42);
    expect(await audio.sent()).toBe(17);
  });
});

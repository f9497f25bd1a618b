// Where the browser meets the E2EE worker: whether this browser can encrypt
// frames at all, the one worker per page, and the frame transforms put on
// RTCRtpSenders and RTCRtpReceivers (RTCRtpScriptTransform, or
// createEncodedStreams where only that exists).
//
// A transform must be set right after addTransceiver, before any await: in
// Chromium a transform set after an awaited setParameters was not applied
// and frames went out in clear (e2ee/README.md).

import { IndexedDbIdentityKeyStore, IndexedDbPinStore, openE2eeDatabase, type MediaCodec, type TransformOptions } from './e2ee';
import { E2eeSession, type E2eeSessionOptions, type SentCounter } from './e2ee-session';

type FrameApi = 'script-transform' | 'encoded-streams';

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
type WithEncodedStreams<T> = T & { createEncodedStreams?: () => EncodedStreams };

/** How this browser lets a page touch encoded frames; null when it cannot (it cannot join an encrypted room). */
export function frameEncryptionApi(scope: typeof globalThis = globalThis): FrameApi | null {
  if (typeof (scope as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function') return 'script-transform';
  const sender = (scope as { RTCRtpSender?: { prototype: object } }).RTCRtpSender;
  if (sender && 'createEncodedStreams' in sender.prototype) return 'encoded-streams';
  return null;
}

/** The E2EE worker of this page; one for every track, so one send counter (e2ee/worker-protocol.ts). */
export function createE2eeWorker(): Worker {
  return new Worker(new URL('./e2ee/worker.ts', import.meta.url), { type: 'module', name: 'ciphertalk-e2ee' });
}

/** The frame transforms of one page, all through `worker`. */
export class FrameTransforms {
  readonly api: FrameApi;
  readonly #senderNames = new WeakMap<RTCRtpSender, string>();
  #sent = 0;

  constructor(
    readonly worker: Worker,
    api: FrameApi | null = frameEncryptionApi(),
  ) {
    if (api === null) throw new Error('this browser cannot encrypt frames');
    this.api = api;
  }

  /** RTCPeerConnection configuration the API needs (createEncodedStreams works only on connections made with it). */
  get peerConnectionConfig(): Record<string, unknown> {
    return this.api === 'encoded-streams' ? { encodedInsertableStreams: true } : {};
  }

  /**
   * Encrypts what `sender` sends. Call synchronously right after
   * addTransceiver. Returns the track's name in the worker and a counter of
   * the frames its encoder made, to check they all pass through the worker.
   */
  attachSender(sender: RTCRtpSender, kind: string, codec: MediaCodec): { name: string; sent: SentCounter } {
    const name = `send-${kind}-${++this.#sent}`;
    this.#attach(sender, { direction: 'encrypt', track: name, codec });
    this.#senderNames.set(sender, name);
    return { name, sent: () => sentCount(sender, kind) };
  }

  /** The worker's name for what `sender` sends, if it was attached. */
  senderName(sender: RTCRtpSender): string | undefined {
    return this.#senderNames.get(sender);
  }

  /** Decrypts what `receiver` gets from `participant`; call in the track event. Returns the track's name in the worker. */
  attachReceiver(receiver: RTCRtpReceiver, participant: string, mid: string, kind: string): string {
    const name = receiverTrackName(mid);
    this.#attach(receiver, { direction: 'decrypt', track: name, participant, codec: kind === 'audio' ? 'opus' : 'vp8' });
    return name;
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    if (this.api === 'script-transform') {
      target.transform = new RTCRtpScriptTransform(this.worker, options);
      return;
    }
    const streams = (target as WithEncodedStreams<typeof target>).createEncodedStreams!();
    this.worker.postMessage({ type: 'attach', readable: streams.readable, writable: streams.writable, options }, [streams.readable, streams.writable]);
  }
}

/** The worker's name for the track received on the subscriber transceiver `mid`. */
export function receiverTrackName(mid: string): string {
  return `receive-${mid}`;
}

/** Video frames encoded, or audio packets sent, by one sender so far. */
export async function sentCount(sender: RTCRtpSender, kind: string): Promise<number> {
  const report = await sender.getStats();
  let n = 0;
  report.forEach((s: { type: string; framesEncoded?: number; packetsSent?: number }) => {
    if (s.type === 'outbound-rtp') n += kind === 'video' ? (s.framesEncoded ?? 0) : (s.packetsSent ?? 0);
  });
  return n;
}

export interface E2eeClientOptions {
  /** Ask for the room to be created end-to-end encrypted (honoured by `ciphertalk serve --dev` only). */
  require?: boolean;
  /** Test hook: every key received is replaced by a wrong one, so nothing decrypts. */
  testWrongKey?: boolean;
  /** Test hook: keep the worker and the keys it holds after leaving. */
  testKeepKeysAfterLeave?: boolean;
}

/** The session and transforms of an encrypted room: one worker, identity and pins in IndexedDB. */
export function openE2ee(
  args: Pick<E2eeSessionOptions, 'room' | 'identity' | 'send' | 'emit' | 'roster'>,
  options: E2eeClientOptions,
): { session: E2eeSession; transforms: FrameTransforms } {
  const transforms = new FrameTransforms(createE2eeWorker());
  const session = new E2eeSession({
    ...args,
    worker: transforms.worker,
    stores: async () => {
      const db = await openE2eeDatabase();
      return { identity: new IndexedDbIdentityKeyStore(db), pins: new IndexedDbPinStore(db) };
    },
    testWrongKey: !!options.testWrongKey,
    keepWorker: !!options.testKeepKeysAfterLeave,
  });
  return { session, transforms };
}

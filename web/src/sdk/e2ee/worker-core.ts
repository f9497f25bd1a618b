// What the E2EE worker does, apart from the worker global: keeps the keys,
// runs FrameCryptor over each track's encoded frames, answers messages.

import { DataCryptoError, decryptData, encryptData } from './data-crypto';
import { FrameCryptor } from './frame-cryptor';
import { type MediaCodec, codecFromMimeType } from './frame-layout';
import { ReceiverKeyRing, type ReceiverKeyRingOptions } from './receiver-keys';
import { SenderKeyState } from './sender-key';
import type { FromWorker, ToWorker, TrackStats, TransformOptions } from './worker-protocol';

/** The part of RTCEncodedVideoFrame / RTCEncodedAudioFrame the transform uses. */
export interface EncodedFrame {
  data: ArrayBuffer;
  readonly type?: string;
  getMetadata?(): { mimeType?: string };
}

/** Consecutive failed frames before a track is reported failing. */
export const FAILING_AFTER = 5;

interface Track {
  readonly options: TransformOptions;
  readonly cryptor: FrameCryptor;
  state: 'decrypting' | 'failing' | 'unknown';
  failures: number;
}

export class E2eeWorkerCore {
  readonly #post: (message: FromWorker) => void;
  readonly #ringOptions: ReceiverKeyRingOptions;
  readonly #sender = new SenderKeyState();
  readonly #rings = new Map<string, ReceiverKeyRing>();
  readonly #tracks = new Map<string, Track>();

  constructor(post: (message: FromWorker) => void, ringOptions: ReceiverKeyRingOptions = {}) {
    this.#post = post;
    this.#ringOptions = ringOptions;
  }

  async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'setSendKey':
        return this.#sender.setKey(message.kid, new Uint8Array(message.key));
      case 'setReceiveKey':
        return this.#ring(message.participant).setKey(message.kid, new Uint8Array(message.key));
      case 'removeParticipant':
        this.#rings.get(message.participant)?.clear();
        this.#rings.delete(message.participant);
        return;
      case 'attach':
        void this.attach(message.readable, message.writable, message.options);
        return;
      case 'getStats':
        this.#post({ type: 'stats', requestId: message.requestId, tracks: this.stats() });
        return;
      case 'encryptData':
      case 'decryptData':
        return this.#data(message);
    }
  }

  stats(): Record<string, TrackStats> {
    const out: Record<string, TrackStats> = {};
    for (const [name, t] of this.#tracks) {
      out[name] = { direction: t.options.direction, ...(t.options.participant ? { participant: t.options.participant } : {}), stats: { ...t.cryptor.stats } };
    }
    return out;
  }

  /** Pipes `readable` through the track's transform into `writable`; resolves when the stream ends. */
  attach(readable: ReadableStream, writable: WritableStream, options: TransformOptions): Promise<void> {
    return readable
      .pipeThrough(this.transform(options))
      .pipeTo(writable)
      .catch(() => undefined);
  }

  /** The transform for one track: frames that cannot be encrypted or decrypted are dropped, never passed on in clear. */
  transform(options: TransformOptions): TransformStream<EncodedFrame, EncodedFrame> {
    const track: Track = { options, cryptor: new FrameCryptor(), state: 'unknown', failures: 0 };
    this.#tracks.set(options.track, track);
    return new TransformStream<EncodedFrame, EncodedFrame>({
      transform: async (frame, controller) => {
        const codec = codecFromMimeType(frame.getMetadata?.().mimeType) ?? options.codec ?? null;
        if (codec === null) {
          track.cryptor.stats.malformed++;
          return;
        }
        const out = await this.#process(track, frame, codec);
        if (out === null) return;
        frame.data = out;
        controller.enqueue(frame);
      },
    });
  }

  async #process(track: Track, frame: EncodedFrame, codec: MediaCodec): Promise<ArrayBuffer | null> {
    const info = { codec, keyframe: frame.type === 'key' };
    if (track.options.direction === 'encrypt') {
      const r = await track.cryptor.encrypt(frame.data, info, this.#sender);
      return r.ok ? r.frame : null;
    }
    const participant = track.options.participant ?? '';
    const r = await track.cryptor.decrypt(frame.data, info, this.#ring(participant));
    if (r.outcome === 'decrypted') {
      track.failures = 0;
      this.#setState(track, participant, 'decrypting');
      return r.frame;
    }
    if (++track.failures >= FAILING_AFTER) this.#setState(track, participant, 'failing');
    return null;
  }

  #setState(track: Track, participant: string, state: 'decrypting' | 'failing'): void {
    if (track.state === state) return;
    track.state = state;
    this.#post({ type: 'decryptState', track: track.options.track, participant, state });
  }

  #ring(participant: string): ReceiverKeyRing {
    let ring = this.#rings.get(participant);
    if (ring === undefined) {
      ring = new ReceiverKeyRing(this.#ringOptions);
      this.#rings.set(participant, ring);
    }
    return ring;
  }

  async #data(message: Extract<ToWorker, { type: 'encryptData' | 'decryptData' }>): Promise<void> {
    try {
      const data =
        message.type === 'encryptData'
          ? await encryptData(this.#sender, new Uint8Array(message.data))
          : await decryptData(this.#ring(message.participant), new Uint8Array(message.data));
      this.#post({ type: 'dataResult', requestId: message.requestId, ok: true, data: data.buffer });
    } catch (e) {
      if (!(e instanceof DataCryptoError)) throw e;
      this.#post({ type: 'dataResult', requestId: message.requestId, ok: false, error: e.code });
    }
  }
}

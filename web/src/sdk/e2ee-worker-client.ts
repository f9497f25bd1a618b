// The page's side of the E2EE worker (e2ee/worker-protocol.ts): keys in,
// data messages through, counts and decrypt states out.

import { emptyStats, type DataDecryptErrorCode, type FrameCryptorStats, type FromWorker, type MediaCodec, type ToWorker, type TrackStats } from './e2ee';

/** The part of a Worker used here. */
export interface E2eeWorkerPort {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null;
  terminate(): void;
}

export class DataDecryptError extends Error {
  constructor(readonly code: DataDecryptErrorCode | 'closed') {
    super(`data message does not decrypt: ${code}`);
    this.name = 'DataDecryptError';
  }
}

export type DecryptStateMessage = Extract<FromWorker, { type: 'decryptState' }>;

/** Worker track names of decryptFrames: no participant's lock depends on them. */
const PROBE_PREFIX = 'probe-';

type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

export class E2eeWorkerClient {
  readonly #port: E2eeWorkerPort;
  readonly #requests = new Map<number, Pending>();
  #nextRequest = 1;
  #closed = false;

  constructor(port: E2eeWorkerPort, onDecryptState: (message: DecryptStateMessage) => void) {
    this.#port = port;
    port.onmessage = (event) => {
      const message = event.data;
      if (message.type === 'decryptState') {
        if (!message.track.startsWith(PROBE_PREFIX)) onDecryptState(message);
        return;
      }
      const pending = this.#requests.get(message.requestId);
      if (!pending) return;
      this.#requests.delete(message.requestId);
      pending.resolve(message);
    };
  }

  /** Key messages; dropped once closed. */
  post(message: ToWorker): void {
    if (!this.#closed) this.#port.postMessage(message);
  }

  /** Encrypts a data message with the sender key and counter. */
  async encryptData(plaintext: Uint8Array): Promise<Uint8Array> {
    const r = await this.#request((requestId) => ({ type: 'encryptData', requestId, data: plaintext.slice().buffer }));
    if (r.type !== 'dataResult' || !r.ok) throw new Error(`cannot encrypt: ${r.type === 'dataResult' && !r.ok ? r.error : 'no result'}`);
    return new Uint8Array(r.data);
  }

  /** Decrypts `from`'s data message; throws DataDecryptError. */
  async decryptData(from: string, message: Uint8Array): Promise<Uint8Array> {
    const r = await this.#request((requestId) => ({ type: 'decryptData', requestId, participant: from, data: message.slice().buffer }));
    if (r.type !== 'dataResult') throw new DataDecryptError('malformed');
    if (!r.ok) throw new DataDecryptError(r.error);
    return new Uint8Array(r.data);
  }

  /** The worker's per-track counts. */
  async stats(): Promise<Record<string, TrackStats>> {
    const r = await this.#request((requestId) => ({ type: 'getStats', requestId }));
    return r.type === 'stats' ? { ...r.tracks } : {};
  }

  /** Decrypts `frames` of `participant` outside any track with the keys held now; the worker's counts for them. */
  async decryptFrames(participant: string, frames: readonly { data: ArrayBuffer; keyframe: boolean }[], codec: MediaCodec): Promise<FrameCryptorStats> {
    if (this.#closed) throw new DataDecryptError('closed');
    const track = `${PROBE_PREFIX}${this.#nextRequest++}`;
    const readable = new ReadableStream({
      start(c) {
        for (const f of frames) c.enqueue({ data: f.data.slice(0), type: f.keyframe ? 'key' : 'delta' });
        c.close();
      },
    });
    let writable!: WritableStream;
    const done = new Promise<void>((resolve) => {
      writable = new WritableStream({ close: () => resolve(), abort: () => resolve() });
    });
    const transfer = [readable, writable] as unknown as Transferable[];
    this.#port.postMessage({ type: 'attach', readable, writable, options: { direction: 'decrypt', track, participant, codec } }, transfer);
    await done;
    return (await this.stats())[track]?.stats ?? emptyStats();
  }

  /** Ends the worker (and the keys it holds); pending requests fail with 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.terminate();
    for (const p of this.#requests.values()) p.reject(new DataDecryptError('closed'));
    this.#requests.clear();
  }

  #request(make: (requestId: number) => ToWorker): Promise<FromWorker> {
    if (this.#closed) return Promise.reject(new DataDecryptError('closed'));
    const requestId = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      this.#requests.set(requestId, { resolve, reject });
      this.#port.postMessage(make(requestId));
    });
  }
}

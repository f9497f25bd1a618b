// Messages between the page and the E2EE worker. The page owns key
// management (EpochKeyManager, key wrapping); the worker owns the frame keys,
// the one send counter and the frame transforms. Use ONE worker per page
// for all tracks: the counter lives in it, and data messages are encrypted
// there too (encryptData) so they share it.

import type { DataDecryptErrorCode } from './data-crypto';
import type { FrameCryptorStats } from './frame-cryptor';
import type { MediaCodec } from './frame-layout';

/** Passed as RTCRtpScriptTransform options, or with an 'attach' message. */
export interface TransformOptions {
  readonly direction: 'encrypt' | 'decrypt';
  /** A name for this track in stats and state messages (e.g. the transceiver mid). */
  readonly track: string;
  /** Whose frames (decrypt only): the key ring they open with. */
  readonly participant?: string;
  /** The codec, for when the frame metadata does not carry a mimeType. */
  readonly codec?: MediaCodec;
}

export type ToWorker =
  /** Encrypt from now on with this base key (after the EpochKeyManager switched). */
  | { readonly type: 'setSendKey'; readonly kid: bigint; readonly key: ArrayBuffer }
  /** A participant's base key, unwrapped from its key message. */
  | { readonly type: 'setReceiveKey'; readonly participant: string; readonly kid: bigint; readonly key: ArrayBuffer }
  /** Forget a participant's keys (it left). */
  | { readonly type: 'removeParticipant'; readonly participant: string }
  /** createEncodedStreams fallback: the streams, transferred. */
  | { readonly type: 'attach'; readonly readable: ReadableStream; readonly writable: WritableStream; readonly options: TransformOptions }
  | { readonly type: 'getStats'; readonly requestId: number }
  | { readonly type: 'encryptData'; readonly requestId: number; readonly data: ArrayBuffer }
  | { readonly type: 'decryptData'; readonly requestId: number; readonly participant: string; readonly data: ArrayBuffer };

export interface TrackStats {
  readonly direction: 'encrypt' | 'decrypt';
  readonly participant?: string;
  readonly stats: FrameCryptorStats;
}

export type FromWorker =
  | { readonly type: 'stats'; readonly requestId: number; readonly tracks: Readonly<Record<string, TrackStats>> }
  /** Sent when a decrypting track starts or stops decrypting (drives the lock on its tile). */
  | { readonly type: 'decryptState'; readonly track: string; readonly participant: string; readonly state: 'decrypting' | 'failing' }
  | { readonly type: 'dataResult'; readonly requestId: number; readonly ok: true; readonly data: ArrayBuffer }
  | { readonly type: 'dataResult'; readonly requestId: number; readonly ok: false; readonly error: DataDecryptErrorCode };

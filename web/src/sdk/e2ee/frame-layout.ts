// How many leading bytes of an encoded frame stay in clear, per codec, so
// the SFU can still read what it forwards by: the VP8 payload header (and on
// keyframes the start code and dimensions), the Opus TOC byte, the H.264 NAL
// types.

import { h264ClearPrefixLength } from './h264';

export type MediaCodec = 'vp8' | 'h264' | 'opus';

export interface FrameInfo {
  readonly codec: MediaCodec;
  /** The encoded frame is a keyframe (RTCEncodedVideoFrame.type === 'key'); false for audio. */
  readonly keyframe: boolean;
}

/** VP8 (RFC 6386 §9.1): the 3-byte frame tag, plus on keyframes the start code and the 4 bytes of width and height. */
export const VP8_KEYFRAME_CLEAR_BYTES = 10;
export const VP8_DELTA_CLEAR_BYTES = 3;
/** Opus (RFC 6716 §3.1): the TOC byte. */
export const OPUS_CLEAR_BYTES = 1;

/**
 * The clear prefix length of `frame`, or null when the frame is too short or
 * (H.264) has no slice, which makes it malformed for encryption.
 */
export function clearPrefixLength(frame: Uint8Array, info: FrameInfo): number | null {
  let n: number | null;
  switch (info.codec) {
    case 'vp8':
      n = info.keyframe ? VP8_KEYFRAME_CLEAR_BYTES : VP8_DELTA_CLEAR_BYTES;
      break;
    case 'opus':
      n = OPUS_CLEAR_BYTES;
      break;
    case 'h264':
      n = h264ClearPrefixLength(frame);
      break;
  }
  return n !== null && n <= frame.length ? n : null;
}

/** The codec named by an RTP mime type ("video/VP8", "audio/opus", "video/H264"), or null. */
export function codecFromMimeType(mimeType: string | undefined): MediaCodec | null {
  switch (mimeType?.toLowerCase()) {
    case 'video/vp8':
      return 'vp8';
    case 'video/h264':
      return 'h264';
    case 'audio/opus':
      return 'opus';
    default:
      return null;
  }
}

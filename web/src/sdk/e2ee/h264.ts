// H.264 (Annex B byte stream) handling for frame encryption: where the clear
// prefix ends, and the emulation prevention that keeps start codes out of the
// ciphertext (ITU-T H.264 §7.4.1).

import type { Bytes } from './bytes';

const NAL_TYPE_SLICE = 1;
const NAL_TYPE_IDR_SLICE = 5;

/**
 * rbsp_stop_one_bit and its alignment zeros as one byte (H.264 §7.3.2.11):
 * appended after the ciphertext so the protected NAL never ends in 0x00, a
 * byte that parsers may take for trailing_zero_8bits and drop.
 */
const STOP_BYTE = 0x80;

/**
 * The length of the part that stays in clear: every NAL unit before the first
 * coded slice (SPS, PPS, SEI, AUD), then that slice's start code and one-byte
 * NAL header (type 1 or 5), so the SFU still sees the NAL types and finds
 * keyframes. Null when the frame holds no start code followed by a slice.
 */
export function h264ClearPrefixLength(frame: Uint8Array): number | null {
  for (let i = 0; i + 3 < frame.length; i++) {
    if (frame[i] !== 0 || frame[i + 1] !== 0) continue;
    if (frame[i + 2] !== 1) continue;
    const type = frame[i + 3]! & 0x1f;
    if (type === NAL_TYPE_SLICE || type === NAL_TYPE_IDR_SLICE) return i + 4;
    i += 2;
  }
  return null;
}

/**
 * Inserts an emulation_prevention_three_byte after every two zero bytes that
 * a byte 0x00-0x03 follows (H.264 §7.4.1), so that no 0x000000, 0x000001 or
 * 0x000002 occurs, then appends STOP_BYTE.
 */
export function addEmulationPrevention(data: Uint8Array): Bytes {
  // Worst case one inserted byte per two input bytes.
  const out = new Uint8Array(data.length + (data.length >> 1) + 2);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (zeros >= 2 && b <= 3) {
      out[n++] = 3;
      zeros = 0;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  out[n++] = STOP_BYTE;
  return out.slice(0, n);
}

/**
 * The inverse of addEmulationPrevention: drops each 0x03 that follows two
 * zero bytes and the final STOP_BYTE. Null when the input is not something
 * addEmulationPrevention produces (a start-code prefix inside, an escape not
 * followed by 0x00-0x03, or no stop byte), since that is corrupt or forged.
 */
export function removeEmulationPrevention(data: Uint8Array): Bytes | null {
  if (data.length === 0 || data[data.length - 1] !== STOP_BYTE) return null;
  const end = data.length - 1;
  const out = new Uint8Array(end);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < end; i++) {
    const b = data[i]!;
    if (zeros >= 2 && b <= 3) {
      // 0x000000-0x000002 never survive escaping, and an escape always precedes a byte 0x00-0x03.
      if (b !== 3 || i + 1 === end || data[i + 1]! > 3) return null;
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.slice(0, n);
}

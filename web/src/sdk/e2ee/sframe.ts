// The SFrame header (RFC 9605 §4.3): a config byte, then the KID, then the CTR.
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+------------+------------+
//   |X|  K  |Y|  C  |   KID...   |   CTR...   |
//   +-+-+-+-+-+-+-+-+------------+------------+
//
// A value 0-7 sits in its 3-bit field with the flag (X or Y) clear. A larger
// value follows the config byte as a big-endian integer in the fewest bytes
// that hold it (1-8), the flag set and the field holding that length minus one.

/** The longest header: the config byte, an 8-byte KID and an 8-byte CTR. */
export const MAX_SFRAME_HEADER_LENGTH = 17;

/** KID and CTR are 64-bit unsigned integers. */
export const MAX_SFRAME_VALUE = (1n << 64n) - 1n;

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
}

export interface ParsedSFrameHeader extends SFrameHeader {
  /** Bytes the header takes at the start of the buffer; the AEAD ciphertext follows. */
  readonly length: number;
}

export type SFrameHeaderErrorCode =
  /** The buffer ends inside the header. */
  | 'truncated'
  /** A value is not in its shortest form, which RFC 9605 §4.3 requires ("MUST be encoded with the minimum number of bytes"). */
  | 'non-minimal'
  /** A value to encode is negative or above 2^64-1. */
  | 'out-of-range';

/** The only error the header functions throw. */
export class SFrameHeaderError extends Error {
  constructor(
    readonly code: SFrameHeaderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SFrameHeaderError';
  }
}

const EXTENDED_KID = 0x80;
const EXTENDED_CTR = 0x08;

/** Bytes after the config byte that `value` needs: none for 0-7, else its shortest big-endian form. */
function extensionLength(value: bigint): number {
  if (value < 8n) return 0;
  let n = 0;
  for (let v = value; v > 0n; v >>= 8n) n++;
  return n;
}

function checkRange(name: string, value: bigint): void {
  if (value < 0n || value > MAX_SFRAME_VALUE) {
    throw new SFrameHeaderError('out-of-range', `SFrame ${name} ${value} is outside 0..2^64-1`);
  }
}

export function sframeHeaderLength(header: SFrameHeader): number {
  checkRange('KID', header.kid);
  checkRange('CTR', header.ctr);
  return 1 + extensionLength(header.kid) + extensionLength(header.ctr);
}

function writeBigEndian(value: bigint, length: number, out: Uint8Array, offset: number): void {
  for (let i = offset + length - 1; i >= offset; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

/** Writes the header at `out[offset]` and returns its length; `out` must have room for it. */
export function writeSFrameHeader(header: SFrameHeader, out: Uint8Array, offset = 0): number {
  const length = sframeHeaderLength(header);
  if (out.length < offset + length) throw new RangeError('no room for the SFrame header');
  const kidLength = extensionLength(header.kid);
  const ctrLength = extensionLength(header.ctr);
  const k = kidLength === 0 ? Number(header.kid) << 4 : EXTENDED_KID | ((kidLength - 1) << 4);
  const c = ctrLength === 0 ? Number(header.ctr) : EXTENDED_CTR | (ctrLength - 1);
  out[offset] = k | c;
  writeBigEndian(header.kid, kidLength, out, offset + 1);
  writeBigEndian(header.ctr, ctrLength, out, offset + 1 + kidLength);
  return length;
}

export function encodeSFrameHeader(header: SFrameHeader): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(sframeHeaderLength(header));
  writeSFrameHeader(header, out);
  return out;
}

/** Reads one extended value of `length` bytes at `offset`, refusing a non-minimal form. */
function readExtended(name: string, data: Uint8Array, offset: number, length: number): bigint {
  if (data.length < offset + length) {
    throw new SFrameHeaderError('truncated', `SFrame header truncated: ${name} needs ${length} bytes at offset ${offset}, ${data.length - offset} left`);
  }
  if (length > 1 && data[offset] === 0) {
    throw new SFrameHeaderError('non-minimal', `SFrame ${name} has a leading zero byte`);
  }
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(data[offset + i]!);
  if (value < 8n) throw new SFrameHeaderError('non-minimal', `SFrame ${name} ${value} belongs in the config byte`);
  return value;
}

/** Parses the header at the start of `data` (RFC 9605 §4.3). Throws SFrameHeaderError only. */
export function parseSFrameHeader(data: Uint8Array): ParsedSFrameHeader {
  if (data.length < 1) throw new SFrameHeaderError('truncated', 'SFrame header truncated: no config byte');
  const config = data[0]!;
  const k = (config >> 4) & 0x07;
  const c = config & 0x07;
  let offset = 1;
  let kid = BigInt(k);
  if (config & EXTENDED_KID) {
    kid = readExtended('KID', data, offset, k + 1);
    offset += k + 1;
  }
  let ctr = BigInt(c);
  if (config & EXTENDED_CTR) {
    ctr = readExtended('CTR', data, offset, c + 1);
    offset += c + 1;
  }
  return { kid, ctr, length: offset };
}

import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/sdk/e2ee/bytes';
import { addEmulationPrevention, h264ClearPrefixLength, removeEmulationPrevention } from '../src/sdk/e2ee/h264';
import { realIdrFrame, startCodes } from './e2ee-h264-idr-frame';

describe('H.264 clear prefix', () => {
  it('ends after the IDR NAL header in a real Chromium keyframe (SPS, PPS, IDR)', () => {
    const frame = realIdrFrame();
    const n = h264ClearPrefixLength(frame)!;
    expect(n).toBe(35);
    expect(frame[n - 1]! & 0x1f).toBe(5);
    // Three NAL units start in the prefix: SPS (7), PPS (8), IDR (5).
    expect(startCodes(frame.subarray(0, n)).map((at) => frame[at + 3]! & 0x1f)).toEqual([7, 8, 5]);
  });

  it('ends after the first slice header with 3-byte start codes and skips SEI and AUD', () => {
    // AUD (type 9), SEI (type 6), then a non-IDR slice (type 1) and a second slice.
    const frame = hexToBytes('000001 09f0 000001 0605aa 000001 41 9a0011 000001 41 9b');
    expect(h264ClearPrefixLength(frame)).toBe(15);
  });

  it('finds nothing without a slice or a start code', () => {
    expect(h264ClearPrefixLength(hexToBytes('0000000167420000000168ce'))).toBeNull();
    expect(h264ClearPrefixLength(hexToBytes('65b80004'))).toBeNull();
    expect(h264ClearPrefixLength(hexToBytes('000001'))).toBeNull();
    expect(h264ClearPrefixLength(new Uint8Array(0))).toBeNull();
  });
});

describe('H.264 emulation prevention (§7.4.1)', () => {
  it('escapes the patterns the standard names and ends with the stop byte', () => {
    expect(bytesToHex(addEmulationPrevention(hexToBytes('000000')))).toBe('00000300' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('000001')))).toBe('00000301' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('000002')))).toBe('00000302' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('000003')))).toBe('00000303' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('000004')))).toBe('000004' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('00000000')))).toBe('0000030000' + '80');
    expect(bytesToHex(addEmulationPrevention(hexToBytes('0000')))).toBe('0000' + '80');
  });

  it('round-trips random data, and its output holds no start code and never ends in zero', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const data = new Uint8Array(next() % 64);
      // Mostly zeros and small values, where escapes happen.
      for (let j = 0; j < data.length; j++) data[j] = next() % 3 === 0 ? next() & 0xff : next() % 4;
      const escaped = addEmulationPrevention(data);
      expect(startCodes(escaped)).toEqual([]);
      expect(escaped[escaped.length - 1]).not.toBe(0);
      expect(bytesToHex(removeEmulationPrevention(escaped)!)).toBe(bytesToHex(data));
    }
  });

  it('refuses input that escaping cannot have produced', () => {
    expect(removeEmulationPrevention(hexToBytes(''))).toBeNull();
    expect(removeEmulationPrevention(hexToBytes('0102'))).toBeNull(); // no stop byte
    expect(removeEmulationPrevention(hexToBytes('00000180'))).toBeNull(); // a start code inside
    expect(removeEmulationPrevention(hexToBytes('0000030480'))).toBeNull(); // an escape before 0x04
    expect(removeEmulationPrevention(hexToBytes('00000380'))).toBeNull(); // an escape before the end
    expect(bytesToHex(removeEmulationPrevention(hexToBytes('0000030180'))!)).toBe('000001');
    expect(bytesToHex(removeEmulationPrevention(hexToBytes('00000480'))!)).toBe('000004');
  });
});

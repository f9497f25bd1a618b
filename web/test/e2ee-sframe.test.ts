import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/sdk/e2ee/bytes';
import {
  MAX_SFRAME_HEADER_LENGTH,
  SFrameHeaderError,
  encodeSFrameHeader,
  parseSFrameHeader,
  sframeHeaderLength,
  writeSFrameHeader,
} from '../src/sdk/e2ee/sframe';
import { C1_HEADERS, C1_VALUES } from './e2ee-rfc9605-vectors';

const cases = C1_VALUES.flatMap((kid, i) => C1_VALUES.map((ctr, j) => ({ kid, ctr, header: C1_HEADERS[i]![j]! })));

/** A small deterministic generator, so a failing buffer can be reproduced. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('SFrame header (RFC 9605 §4.3)', () => {
  it('has all 289 header vectors of RFC 9605 Appendix C.1', () => {
    expect(cases).toHaveLength(289);
  });

  it('encodes every Appendix C.1 (KID, CTR) to the given header', () => {
    for (const { kid, ctr, header } of cases) {
      expect(bytesToHex(encodeSFrameHeader({ kid, ctr })), `kid ${kid.toString(16)} ctr ${ctr.toString(16)}`).toBe(header);
      expect(sframeHeaderLength({ kid, ctr })).toBe(header.length / 2);
    }
  });

  it('parses every Appendix C.1 header to the given KID and CTR and its length', () => {
    for (const { kid, ctr, header } of cases) {
      expect(parseSFrameHeader(hexToBytes(header))).toEqual({ kid, ctr, length: header.length / 2 });
    }
  });

  it('stops at the end of the header when ciphertext follows', () => {
    for (const { kid, ctr, header } of cases) {
      const withBody = hexToBytes(header + '00ff00ff');
      expect(parseSFrameHeader(withBody)).toEqual({ kid, ctr, length: header.length / 2 });
    }
  });

  it('writes at an offset without touching the bytes around it', () => {
    const out = new Uint8Array(20).fill(0xaa);
    const n = writeSFrameHeader({ kid: 0x123n, ctr: 0x4567n }, out, 2);
    expect(n).toBe(5);
    expect(bytesToHex(out.subarray(0, 9))).toBe('aaaa9901234567aaaa');
  });

  it('refuses values outside 0..2^64-1 with a typed error', () => {
    expect(() => encodeSFrameHeader({ kid: -1n, ctr: 0n })).toThrow(SFrameHeaderError);
    expect(() => encodeSFrameHeader({ kid: 0n, ctr: 1n << 64n })).toThrow(/outside/);
  });

  it('says "truncated" for every strict prefix of a header', () => {
    for (const { header } of cases) {
      const bytes = hexToBytes(header);
      for (let n = 0; n < bytes.length; n++) {
        let error: unknown;
        try {
          parseSFrameHeader(bytes.subarray(0, n));
        } catch (e) {
          error = e;
        }
        expect(error, `${header} cut to ${n}`).toBeInstanceOf(SFrameHeaderError);
        expect((error as SFrameHeaderError).code).toBe('truncated');
      }
    }
  });

  it('says "non-minimal" for a value that has a shorter form', () => {
    const nonMinimal = ['8005', '0807', '900001', '090001', '8807', 'a0000100'];
    for (const h of nonMinimal) {
      expect(() => parseSFrameHeader(hexToBytes(h)), h).toThrow(expect.objectContaining({ code: 'non-minimal' }));
    }
  });

  it('on random garbage throws nothing but SFrameHeaderError, and what parses re-encodes to the same bytes', () => {
    const next = xorshift(0x5f3759df);
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const buf = new Uint8Array(next() % (MAX_SFRAME_HEADER_LENGTH + 4));
      for (let j = 0; j < buf.length; j++) buf[j] = next() & 0xff;
      // Bias half the buffers toward the extended forms and the minimal lengths, where the edge cases are.
      if (buf.length > 0 && i % 2 === 0) buf[0] = buf[0]! | 0x88;
      try {
        const h = parseSFrameHeader(buf);
        parsed++;
        expect(h.length).toBeLessThanOrEqual(buf.length);
        expect(bytesToHex(encodeSFrameHeader(h))).toBe(bytesToHex(buf.subarray(0, h.length)));
      } catch (e) {
        expect(e).toBeInstanceOf(SFrameHeaderError);
      }
    }
    expect(parsed).toBeGreaterThan(5000);
  });

  it('round-trips random 64-bit KID and CTR values exactly', () => {
    const next = xorshift(12345);
    for (let i = 0; i < 5000; i++) {
      const kid = (BigInt(next()) << 32n | BigInt(next())) >> BigInt(next() % 64);
      const ctr = (BigInt(next()) << 32n | BigInt(next())) >> BigInt(next() % 64);
      const bytes = encodeSFrameHeader({ kid, ctr });
      expect(parseSFrameHeader(bytes)).toEqual({ kid, ctr, length: bytes.length });
    }
  });
});

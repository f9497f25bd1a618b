import { describe, expect, it } from 'vitest';
import { tileStreamStats, type StreamSample } from '../src/app/tile-stats';

const report = (bytes: number, packets: number, lost: number) => [
  { type: 'codec', id: 'C1', mimeType: 'video/VP8' },
  { type: 'inbound-rtp', id: 'V', kind: 'video', trackIdentifier: 'cam', codecId: 'C1', bytesReceived: bytes,
    packetsReceived: packets, packetsLost: lost, jitter: 0.0123, frameWidth: 640, frameHeight: 480, framesPerSecond: 29.6 },
  { type: 'inbound-rtp', id: 'O', kind: 'video', trackIdentifier: 'someone-else', bytesReceived: 99 },
];

describe('tileStreamStats', () => {
  it('reads codec, size, rate and jitter of the tile’s own streams only', () => {
    const [first, ...rest] = tileStreamStats(report(1000, 10, 0), new Set(['cam']), new Map(), 1000);
    const s = first!;
    expect(rest).toHaveLength(0);
    expect(s).toMatchObject({ kind: 'video', codec: 'VP8', width: 640, height: 480, fps: 29.6, jitterMs: 12.3 });
    // No earlier sample: no rates yet.
    expect(s.bitrateBps).toBeNull();
    expect(s.loss).toBeNull();
  });

  it('gives bitrate and loss over the interval since the previous sample', () => {
    const previous = new Map<string, StreamSample>([['video', { at: 1000, bytes: 1000, packets: 10, lost: 0 }]]);
    const s = tileStreamStats(report(126_000, 108, 2), new Set(['cam']), previous, 2000)[0]!;
    expect(s.bitrateBps).toBe(1_000_000);
    expect(s.loss).toBeCloseTo(2 / 100);
  });

  it('shows no rate across a counter that went back (a replaced connection)', () => {
    const previous = new Map<string, StreamSample>([['video', { at: 1000, bytes: 50_000, packets: 500, lost: 5 }]]);
    const s = tileStreamStats(report(1000, 10, 0), new Set(['cam']), previous, 2000)[0]!;
    expect(s.bitrateBps).toBeNull();
    expect(s.loss).toBeNull();
  });
});

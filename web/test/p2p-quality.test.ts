import { describe, expect, it } from 'vitest';
import { directSample, gradeDirectWindow, QualityTrend, type DirectSample } from '../src/sdk/p2p-quality';

const sample = (at: number, over: Partial<DirectSample> = {}): DirectSample => ({
  at, packetsReceived: 0, packetsLost: 0, framesDecoded: 0, freezeCount: 0, video: true, jitter: 0.005,
  packetsSent: 0, remoteLost: 0, roundTripTime: 0.01, ...over,
});
// Two seconds of a clean call: 200 packets each way, 60 frames decoded.
const clean = (prev: DirectSample, over: Partial<DirectSample> = {}): DirectSample => sample(prev.at + 2000, {
  packetsReceived: prev.packetsReceived + 200, packetsSent: prev.packetsSent + 200,
  framesDecoded: prev.framesDecoded + 60, freezeCount: prev.freezeCount, packetsLost: prev.packetsLost, remoteLost: prev.remoteLost, ...over,
});

describe('direct connection quality, graded as the server grades', () => {
  const start = sample(0, { packetsReceived: 1000, packetsSent: 1000, framesDecoded: 300 });

  it('needs two samples', () => {
    expect(gradeDirectWindow(undefined, start, true)).toBeNull();
    expect(gradeDirectWindow(start, start, true)).toBeNull();
  });

  it('is excellent on a clean link', () => {
    expect(gradeDirectWindow(start, clean(start), true)).toBe('excellent');
  });

  it('uses the server thresholds: loss ≤ 2% / ≤ 8%, rtt < 250 ms / < 600 ms, in either direction', () => {
    // 4 lost of 204 received is 1.96%: excellent; 10 of 210 is 4.8%: good; 20 of 220 is 9%: poor.
    expect(gradeDirectWindow(start, clean(start, { packetsLost: 4, packetsReceived: 1204 }), true)).toBe('excellent');
    expect(gradeDirectWindow(start, clean(start, { packetsLost: 10, packetsReceived: 1210 }), true)).toBe('good');
    expect(gradeDirectWindow(start, clean(start, { packetsLost: 20, packetsReceived: 1220 }), true)).toBe('poor');
    // What the peer reports lost of ours counts the same.
    expect(gradeDirectWindow(start, clean(start, { remoteLost: 10 }), true)).toBe('good');
    expect(gradeDirectWindow(start, clean(start, { remoteLost: 30 }), true)).toBe('poor');
    expect(gradeDirectWindow(start, clean(start, { roundTripTime: 0.249 }), true)).toBe('excellent');
    expect(gradeDirectWindow(start, clean(start, { roundTripTime: 0.25 }), true)).toBe('good');
    expect(gradeDirectWindow(start, clean(start, { roundTripTime: 0.6 }), true)).toBe('poor');
  });

  it('grades loss in the window, not since the start', () => {
    const lossy = sample(0, { packetsReceived: 1000, packetsLost: 400, packetsSent: 1000, framesDecoded: 300 });
    expect(gradeDirectWindow(lossy, clean(lossy), true)).toBe('excellent');
  });

  it('adds jitter, freezes and video that stops decoding', () => {
    expect(gradeDirectWindow(start, clean(start, { jitter: 0.05 }), true)).toBe('good');
    expect(gradeDirectWindow(start, clean(start, { jitter: 0.2 }), true)).toBe('poor');
    expect(gradeDirectWindow(start, clean(start, { freezeCount: 1 }), true)).toBe('good');
    expect(gradeDirectWindow(start, clean(start, { framesDecoded: 300 }), true)).toBe('poor');
    // Audio only: no frames to decode.
    expect(gradeDirectWindow(start, clean(start, { framesDecoded: 300, video: false }), true)).toBe('excellent');
  });

  it('calls silence lost when media is expected, after a full window', () => {
    expect(gradeDirectWindow(start, sample(2000, { packetsReceived: 1000, packetsSent: 1200 }), true)).toBe('lost');
    expect(gradeDirectWindow(start, sample(1000, { packetsReceived: 1000, packetsSent: 1200 }), true)).toBeNull();
    expect(gradeDirectWindow(start, sample(2000, { packetsReceived: 1000, packetsSent: 1200, framesDecoded: 300 }), false)).toBe('excellent');
  });

  it('counts a replaced connection from zero', () => {
    expect(gradeDirectWindow(start, sample(2000, { packetsReceived: 100, packetsSent: 100, framesDecoded: 30 }), true)).toBe('excellent');
  });
});

describe('quality trend', () => {
  it('shows worse at once and better after two windows that agree', () => {
    const t = new QualityTrend();
    expect(t.update('excellent')).toBe('excellent');
    expect(t.update('poor')).toBe('poor');
    expect(t.update('excellent')).toBe('poor');
    expect(t.update('good')).toBe('good'); // the worst of the two better windows
    expect(t.update('lost')).toBe('lost');
    expect(t.update('excellent')).toBe('lost');
    expect(t.update('excellent')).toBe('excellent');
  });
});

describe('a direct connection sample from its stats report', () => {
  it('sums inbound streams, counts video frames and freezes, and reads both directions', () => {
    const s = directSample([
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 2, jitter: 0.01 },
      { type: 'inbound-rtp', kind: 'video', packetsReceived: 300, packetsLost: -1, jitter: 0.02, framesDecoded: 90, freezeCount: 1 },
      { type: 'outbound-rtp', kind: 'video', packetsSent: 310 },
      { type: 'outbound-rtp', kind: 'audio', packetsSent: 100 },
      { type: 'remote-inbound-rtp', kind: 'video', packetsLost: 5, roundTripTime: 0.02 },
      { type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.004 },
      { type: 'candidate-pair', state: 'waiting', nominated: false, currentRoundTripTime: 0.9 },
    ], 7);
    expect(s).toEqual({
      at: 7, packetsReceived: 400, packetsLost: 2, framesDecoded: 90, freezeCount: 1, video: true, jitter: 0.02,
      packetsSent: 410, remoteLost: 5, roundTripTime: 0.004,
    });
  });

  it('falls back to the peer-reported round trip without a selected pair', () => {
    expect(directSample([{ type: 'remote-inbound-rtp', packetsLost: 0, roundTripTime: 0.3 }], 0).roundTripTime).toBe(0.3);
    expect(directSample([], 0)).toMatchObject({ video: false, roundTripTime: undefined });
  });
});

import { describe, expect, it } from 'vitest';
import { inboundSamples, outboundSample, qualityFromStats, type StatsSample } from '../src/sdk/quality';

const sample = (at: number, received: number, lost: number, jitter = 0.005, rtt?: number): StatsSample =>
  ({ at, packetsReceived: received, packetsLost: lost, jitter, roundTripTime: rtt });

describe('quality from stats', () => {
  it('needs two samples', () => {
    expect(qualityFromStats(undefined, sample(1000, 100, 0))).toBeNull();
    expect(qualityFromStats(sample(1000, 100, 0), sample(1000, 100, 0))).toBeNull();
  });

  it('grades by loss in the interval, not since the start', () => {
    const prev = sample(0, 1000, 200); // heavy loss long ago
    expect(qualityFromStats(prev, sample(2000, 1200, 201))).toBe('excellent');
    expect(qualityFromStats(prev, sample(2000, 1200, 210))).toBe('good');
    expect(qualityFromStats(prev, sample(2000, 1200, 240))).toBe('poor');
  });

  it('grades by round-trip time and jitter', () => {
    const prev = sample(0, 0, 0);
    expect(qualityFromStats(prev, sample(2000, 200, 0, 0.005, 0.05))).toBe('excellent');
    expect(qualityFromStats(prev, sample(2000, 200, 0, 0.005, 0.3))).toBe('good');
    expect(qualityFromStats(prev, sample(2000, 200, 0, 0.005, 0.8))).toBe('poor');
    expect(qualityFromStats(prev, sample(2000, 200, 0, 0.06))).toBe('good');
    expect(qualityFromStats(prev, sample(2000, 200, 0, 0.2))).toBe('poor');
  });

  it('calls silence lost only when media is expected and after 2 s', () => {
    const prev = sample(0, 500, 0);
    expect(qualityFromStats(prev, sample(2000, 500, 0))).toBe('lost');
    expect(qualityFromStats(prev, sample(1000, 500, 0))).toBeNull();
    expect(qualityFromStats(prev, sample(2000, 500, 0), { expectingMedia: false })).toBeNull();
    expect(qualityFromStats(prev, sample(2000, 500, 0, 0, 0.05), { expectingMedia: false })).toBe('excellent');
  });

  it('treats counters that go backwards (a replaced stream) as a fresh interval', () => {
    expect(qualityFromStats(sample(0, 5000, 50), sample(2000, 100, 0))).toBe('excellent');
  });
});

describe('samples from a stats report', () => {
  const report = [
    { type: 'inbound-rtp', id: 'a1', mid: '0', kind: 'audio', packetsReceived: 100, packetsLost: 2, jitter: 0.01 },
    { type: 'inbound-rtp', id: 'v1', mid: '1', kind: 'video', packetsReceived: 300, packetsLost: 3, jitter: 0.02 },
    { type: 'inbound-rtp', id: 'v2', mid: '2', kind: 'video', packetsReceived: 50, packetsLost: -1, jitter: 0 },
    { type: 'inbound-rtp', id: 'x', mid: '9', kind: 'video', packetsReceived: 7 },
    { type: 'candidate-pair', id: 'cp', state: 'succeeded', nominated: true, currentRoundTripTime: 0.004 },
  ];
  const owner = (mid: string): string | undefined => ({ 0: 'alice', 1: 'alice', 2: 'bob' } as Record<string, string>)[mid];

  it('sums streams per participant, takes the worst jitter and the path rtt', () => {
    const s = inboundSamples(report, owner, 42);
    expect(s.get('alice')).toEqual({ at: 42, packetsReceived: 400, packetsLost: 5, jitter: 0.02, roundTripTime: 0.004 });
    expect(s.get('bob')).toEqual({ at: 42, packetsReceived: 50, packetsLost: 0, jitter: 0, roundTripTime: 0.004 });
    expect(s.size).toBe(2);
  });

  it('reads our uplink from remote-inbound reports', () => {
    const s = outboundSample([
      { type: 'outbound-rtp', id: 'o1', packetsSent: 1000 },
      { type: 'outbound-rtp', id: 'o2', packetsSent: 500 },
      { type: 'remote-inbound-rtp', id: 'r1', packetsLost: 15, jitter: 0.003, roundTripTime: 0.02 },
    ], 7);
    expect(s).toEqual({ at: 7, packetsReceived: 1485, packetsLost: 15, jitter: 0.003, roundTripTime: 0.02 });
    expect(outboundSample([], 7)).toBeNull();
  });
});

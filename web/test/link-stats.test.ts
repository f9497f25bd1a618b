import { describe, expect, it } from 'vitest';
import { formatBitrate, ownLinkQuality, trafficRates, trafficSample, type TrafficSample } from '../src/sdk/link-stats';

describe('formatBitrate', () => {
  it('picks the unit a person reads', () => {
    expect(formatBitrate(0)).toBe('0 bit/s');
    expect(formatBitrate(800)).toBe('800 bit/s');
    expect(formatBitrate(1500)).toBe('1.5 kbit/s');
    expect(formatBitrate(750_000)).toBe('750 kbit/s');
    expect(formatBitrate(1_800_000)).toBe('1.8 Mbit/s');
    expect(formatBitrate(2_000_000)).toBe('2 Mbit/s');
    expect(formatBitrate(12_345_678)).toBe('12 Mbit/s');
    expect(formatBitrate(2_500_000_000)).toBe('2.5 Gbit/s');
  });

  it('carries a rounded value into the next unit', () => {
    expect(formatBitrate(999_960)).toBe('1 Mbit/s');
    expect(formatBitrate(9_960_000)).toBe('10 Mbit/s');
    expect(formatBitrate(9_940_000)).toBe('9.9 Mbit/s');
  });

  it('says unknown for what is not a bitrate', () => {
    expect(formatBitrate(-1)).toBe('unknown');
    expect(formatBitrate(Number.NaN)).toBe('unknown');
    expect(formatBitrate(Number.POSITIVE_INFINITY)).toBe('unknown');
  });
});

describe('ownLinkQuality', () => {
  it('adds the estimate to the quality', () => {
    expect(ownLinkQuality('good', { estimateBps: 1_800_000, pausedForBandwidth: 0 }))
      .toEqual({ quality: 'good', label: 'Connection quality good · receiving up to 1.8 Mbit/s' });
  });

  it('says nothing of an estimate before the first', () => {
    expect(ownLinkQuality('excellent', { pausedForBandwidth: 0 }))
      .toEqual({ quality: 'excellent', label: 'Connection quality excellent' });
    expect(ownLinkQuality('unknown', { pausedForBandwidth: 0 }).quality).toBe('unknown');
  });

  it('is at most poor while a received video is paused for bandwidth, and says why', () => {
    for (const base of ['excellent', 'good', 'poor', 'unknown'] as const) {
      const r = ownLinkQuality(base, { estimateBps: 300_000, pausedForBandwidth: 1 });
      expect(r.quality).toBe('poor');
      expect(r.label).toBe('Connection quality poor · receiving up to 300 kbit/s · 1 video paused: not enough bandwidth');
    }
    expect(ownLinkQuality('good', { estimateBps: 200_000, pausedForBandwidth: 3 }).label).toContain('3 videos paused');
  });

  it('keeps lost: a lost connection is worse than a starved one', () => {
    expect(ownLinkQuality('lost', { estimateBps: 100_000, pausedForBandwidth: 2 }).quality).toBe('lost');
  });
});

const pair = (rtt: number) => ({ type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: rtt });

describe('trafficSample', () => {
  it('sums what we send and what we receive, with the subscriber round trip', () => {
    const publisher = [
      { type: 'outbound-rtp', bytesSent: 1000 }, { type: 'outbound-rtp', bytesSent: 500 },
      { type: 'inbound-rtp', bytesReceived: 99999 }, pair(0.04),
    ];
    const subscriber = [
      { type: 'inbound-rtp', bytesReceived: 2000, packetsReceived: 20, packetsLost: 1 },
      { type: 'inbound-rtp', bytesReceived: 3000, packetsReceived: 30, packetsLost: -2 },
      { type: 'candidate-pair', state: 'in-progress', nominated: false, currentRoundTripTime: 9 },
      { type: 'outbound-rtp', bytesSent: 77777 }, pair(0.025),
    ];
    expect(trafficSample(publisher, subscriber, 5)).toEqual(
      { at: 5, bytesSent: 1500, bytesReceived: 5000, packetsReceived: 50, packetsLost: 1, roundTripTime: 0.025 });
  });

  it('works with one connection or none', () => {
    expect(trafficSample([{ type: 'outbound-rtp', bytesSent: 10 }, pair(0.1)], null, 1).roundTripTime).toBe(0.1);
    expect(trafficSample(null, null, 1)).toEqual({ at: 1, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 });
  });
});

describe('trafficRates', () => {
  const s = (at: number, sent: number, recv: number, pr: number, pl: number, rtt?: number): TrafficSample =>
    ({ at, bytesSent: sent, bytesReceived: recv, packetsReceived: pr, packetsLost: pl, roundTripTime: rtt });

  it('needs an earlier sample', () => {
    expect(trafficRates(undefined, s(1000, 0, 0, 0, 0))).toBeNull();
    expect(trafficRates(s(1000, 0, 0, 0, 0), s(1000, 10, 10, 1, 0))).toBeNull();
  });

  it('gives bit rates, loss in the interval and the round trip in ms', () => {
    const r = trafficRates(s(0, 1000, 2000, 100, 50), s(2000, 251_000, 502_000, 290, 60, 0.0304));
    expect(r).toEqual({ sendBps: 1_000_000, receiveBps: 2_000_000, loss: 0.05, rttMs: 30 });
  });

  it('has no loss figure when nothing was due, and no round trip when unknown', () => {
    expect(trafficRates(s(0, 0, 0, 10, 1), s(1000, 0, 0, 10, 1))).toEqual({ sendBps: 0, receiveBps: 0, loss: null, rttMs: null });
  });

  it('counts a replaced connection from zero', () => {
    const r = trafficRates(s(0, 90_000, 90_000, 900, 9), s(1000, 1000, 2000, 10, 0));
    expect(r).toEqual({ sendBps: 8000, receiveBps: 16000, loss: 0, rttMs: null });
  });
});

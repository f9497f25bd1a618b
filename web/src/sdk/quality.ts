// Connection quality from WebRTC statistics: how well one participant's media
// reaches us (their inbound streams on our subscriber connection), or how well
// ours reaches the server (remote-inbound reports on our publisher connection).

import type { ConnectionQuality } from './protocol';

/** Cumulative counters at one moment, summed over a participant's streams. */
export interface StatsSample {
  /** ms */
  at: number;
  packetsReceived: number;
  packetsLost: number;
  /** seconds; the worst stream's */
  jitter: number;
  /** seconds; undefined when unknown */
  roundTripTime?: number;
}

export interface QualityThresholds {
  excellent: { loss: number; rtt: number; jitter: number };
  good: { loss: number; rtt: number; jitter: number };
}

export const DEFAULT_THRESHOLDS: QualityThresholds = {
  excellent: { loss: 0.02, rtt: 0.15, jitter: 0.03 },
  good: { loss: 0.08, rtt: 0.4, jitter: 0.1 },
};

/**
 * Quality between two samples of the same participant. `expectingMedia` is
 * false when all their tracks are muted: silence then is not a lost connection.
 * Returns null when there is nothing to judge yet.
 */
export function qualityFromStats(prev: StatsSample | undefined, cur: StatsSample,
  { expectingMedia = true, thresholds = DEFAULT_THRESHOLDS }: { expectingMedia?: boolean; thresholds?: QualityThresholds } = {},
): ConnectionQuality | null {
  if (!prev || cur.at <= prev.at) return null;
  // Counters go back when a stream is replaced: count the new one from zero.
  const reset = cur.packetsReceived < prev.packetsReceived || cur.packetsLost < prev.packetsLost;
  const received = reset ? cur.packetsReceived : cur.packetsReceived - prev.packetsReceived;
  const lost = reset ? cur.packetsLost : cur.packetsLost - prev.packetsLost;
  if (received === 0) {
    if (!expectingMedia) return cur.roundTripTime === undefined ? null : byDelay(cur, thresholds);
    return cur.at - prev.at >= 2000 ? 'lost' : null;
  }
  const loss = lost / (lost + received);
  const rtt = cur.roundTripTime ?? 0;
  const { excellent, good } = thresholds;
  if (loss <= excellent.loss && rtt <= excellent.rtt && cur.jitter <= excellent.jitter) return 'excellent';
  if (loss <= good.loss && rtt <= good.rtt && cur.jitter <= good.jitter) return 'good';
  return 'poor';
}

function byDelay(cur: StatsSample, { excellent, good }: QualityThresholds): ConnectionQuality {
  const rtt = cur.roundTripTime ?? 0;
  if (rtt <= excellent.rtt) return 'excellent';
  if (rtt <= good.rtt) return 'good';
  return 'poor';
}

/** The subset of RTCStats fields read here. */
interface StatsEntry {
  type: string;
  id: string;
  mid?: string;
  kind?: string;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  jitter?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  state?: string;
  nominated?: boolean;
}

/**
 * Sums a subscriber connection's inbound-rtp streams per participant.
 * `participantOfMid` maps a transceiver mid to its publisher.
 */
export function inboundSamples(report: Iterable<StatsEntry>, participantOfMid: (mid: string) => string | undefined,
  at: number): Map<string, StatsSample> {
  const out = new Map<string, StatsSample>();
  let rtt: number | undefined;
  for (const s of report) {
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated && s.currentRoundTripTime !== undefined) {
      rtt = s.currentRoundTripTime;
    }
    if (s.type !== 'inbound-rtp' || s.mid === undefined) continue;
    const who = participantOfMid(s.mid);
    if (!who) continue;
    const sample = out.get(who) ?? { at, packetsReceived: 0, packetsLost: 0, jitter: 0 };
    sample.packetsReceived += s.packetsReceived ?? 0;
    sample.packetsLost += Math.max(0, s.packetsLost ?? 0);
    sample.jitter = Math.max(sample.jitter, s.jitter ?? 0);
    out.set(who, sample);
  }
  if (rtt !== undefined) for (const s of out.values()) s.roundTripTime = rtt;
  return out;
}

/**
 * Our own uplink from a publisher connection: what the server reports back
 * (remote-inbound-rtp: packets lost, jitter, round-trip time) against what we sent.
 */
export function outboundSample(report: Iterable<StatsEntry>, at: number): StatsSample | null {
  let sent = 0;
  let lost = 0;
  let jitter = 0;
  let rtt: number | undefined;
  let any = false;
  for (const s of report) {
    if (s.type === 'outbound-rtp') { sent += s.packetsSent ?? 0; any = true; }
    if (s.type === 'remote-inbound-rtp') {
      lost += Math.max(0, s.packetsLost ?? 0);
      jitter = Math.max(jitter, s.jitter ?? 0);
      if (s.roundTripTime !== undefined) rtt = Math.max(rtt ?? 0, s.roundTripTime);
    }
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated && s.currentRoundTripTime !== undefined) {
      rtt = Math.max(rtt ?? 0, s.currentRoundTripTime);
    }
  }
  if (!any) return null;
  return { at, packetsReceived: Math.max(0, sent - lost), packetsLost: lost, jitter, roundTripTime: rtt };
}

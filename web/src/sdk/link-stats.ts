// Our own link as the call shows it: the server's estimate of what it can send
// us (the `bandwidth` message, docs/protocol.md), what that means for our
// connection quality, and the traffic figures of the stats panel from getStats.

import type { ConnectionQuality } from './protocol';

/** Bits per second as a person reads them: "750 kbit/s", "1.8 Mbit/s", "12 Mbit/s". */
export function formatBitrate(bps: number): string {
  if (!Number.isFinite(bps) || bps < 0) return 'unknown';
  for (const [scale, unit] of [[1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']] as const) {
    // The largest unit the rounded value fills: 999.96 kbit/s reads 1 Mbit/s.
    const v = bps / scale;
    const rounded = v < 9.95 ? Math.round(v * 10) / 10 : Math.round(v);
    if (rounded >= 1) return `${rounded} ${unit}`;
  }
  return `${Math.round(bps)} bit/s`;
}

export interface OwnLink {
  /** The server's latest estimate of our downlink, bits per second; undefined before the first. */
  estimateBps?: number;
  /** How many of the videos we receive the server paused for bandwidth (`track_paused`). */
  pausedForBandwidth: number;
}

export interface OwnLinkQuality {
  quality: ConnectionQuality | 'unknown';
  /** The indicator's accessible name and tooltip. */
  label: string;
}

/**
 * Our own quality indicator: the quality judged from stats (or the server's),
 * at most "poor" while our downlink cannot carry a video we receive — the
 * server pauses what does not fit its estimate — with the estimate and the reason.
 */
export function ownLinkQuality(base: ConnectionQuality | 'unknown', link: OwnLink): OwnLinkQuality {
  const starved = link.pausedForBandwidth > 0;
  const quality = starved && base !== 'lost' ? 'poor' : base;
  let label = `Connection quality ${quality}`;
  if (link.estimateBps !== undefined) label += ` · receiving up to ${formatBitrate(link.estimateBps)}`;
  if (starved) {
    const n = link.pausedForBandwidth;
    label += ` · ${n === 1 ? '1 video' : `${n} videos`} paused: not enough bandwidth`;
  }
  return { quality, label };
}

/** The subset of RTCStats fields read here. */
interface TrafficEntry {
  type: string;
  bytesSent?: number;
  bytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
  currentRoundTripTime?: number;
  state?: string;
  nominated?: boolean;
}

/** Cumulative counters of both our connections at one moment. */
export interface TrafficSample {
  /** ms */
  at: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** seconds, the nominated candidate pair's; undefined when unknown */
  roundTripTime?: number;
}

/** Sums the publisher connection's outbound and the subscriber connection's inbound streams. */
export function trafficSample(publisher: Iterable<TrafficEntry> | null, subscriber: Iterable<TrafficEntry> | null,
  at: number): TrafficSample {
  const out: TrafficSample = { at, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
  const pairRtt = (s: TrafficEntry): number | undefined =>
    s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated ? s.currentRoundTripTime : undefined;
  for (const s of publisher ?? []) {
    if (s.type === 'outbound-rtp') out.bytesSent += s.bytesSent ?? 0;
    out.roundTripTime = pairRtt(s) ?? out.roundTripTime;
  }
  // The subscriber connection's round trip is the one the downlink figures belong to.
  let subscriberRtt: number | undefined;
  for (const s of subscriber ?? []) {
    if (s.type === 'inbound-rtp') {
      out.bytesReceived += s.bytesReceived ?? 0;
      out.packetsReceived += s.packetsReceived ?? 0;
      out.packetsLost += Math.max(0, s.packetsLost ?? 0);
    }
    subscriberRtt = pairRtt(s) ?? subscriberRtt;
  }
  if (subscriberRtt !== undefined) out.roundTripTime = subscriberRtt;
  return out;
}

export interface TrafficRates {
  sendBps: number;
  receiveBps: number;
  /** Fraction of the packets meant for us that were lost in the interval; null when none were due. */
  loss: number | null;
  /** ms; null when unknown */
  rttMs: number | null;
}

/** Rates between two samples; null when there is no earlier sample to compare with. */
export function trafficRates(prev: TrafficSample | undefined, cur: TrafficSample): TrafficRates | null {
  if (!prev || cur.at <= prev.at) return null;
  // A counter that goes back belongs to a replaced connection: count it from zero.
  const delta = (a: number, b: number): number => (b >= a ? b - a : b);
  const seconds = (cur.at - prev.at) / 1000;
  const received = delta(prev.packetsReceived, cur.packetsReceived);
  const lost = delta(prev.packetsLost, cur.packetsLost);
  return {
    sendBps: Math.round((delta(prev.bytesSent, cur.bytesSent) * 8) / seconds),
    receiveBps: Math.round((delta(prev.bytesReceived, cur.bytesReceived) * 8) / seconds),
    loss: received + lost > 0 ? lost / (received + lost) : null,
    rttMs: cur.roundTripTime === undefined ? null : Math.round(cur.roundTripTime * 1000),
  };
}

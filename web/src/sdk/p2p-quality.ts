// Connection quality of a direct (P2P) connection, from its own getStats():
// the server sees none of that media and says "unknown" for such a
// participant (docs/protocol.md, connection_quality). Graded the way the
// server grades what it sees (src/sfu/ConnectionQualityEstimator): per
// window, the worst loss of either direction and the round-trip time against
// the same thresholds, silence where media should arrive is lost, and a
// worse verdict shows at once while a better one needs two windows that
// agree. What only the receiving end sees adds to it: jitter, and video
// that freezes (at most good) or stops decoding while packets arrive (poor).

import type { ConnectionQuality } from './protocol';

/** Cumulative counters of one direct connection at one moment. */
export interface DirectSample {
  /** ms */
  at: number;
  /** What the peer sent us (inbound-rtp, all streams). */
  packetsReceived: number;
  packetsLost: number;
  /** Video frames decoded, and freezes (Chromium's freezeCount), on all inbound video. */
  framesDecoded: number;
  freezeCount: number;
  /** Whether any inbound video stream exists. */
  video: boolean;
  /** seconds; the worst inbound stream's */
  jitter: number;
  /** What we sent the peer, and what its receiver reports lost of it (remote-inbound-rtp). */
  packetsSent: number;
  remoteLost: number;
  /** seconds: the selected candidate pair's, or the worst the peer reported; undefined when unknown */
  roundTripTime?: number;
}

/** The server's thresholds (ConnectionQualityEstimator): loss fraction at or under, RTT under; jitter as quality.ts. */
export const DIRECT_THRESHOLDS = {
  excellent: { loss: 0.02, rtt: 0.25, jitter: 0.03 },
  good: { loss: 0.08, rtt: 0.6, jitter: 0.1 },
} as const;

const ORDER: ConnectionQuality[] = ['excellent', 'good', 'poor', 'lost'];
const worse = (a: ConnectionQuality, b: ConnectionQuality): ConnectionQuality => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/**
 * The verdict of one window between two samples of the same connection, or
 * null when there is nothing to judge yet. `expectingMedia`: the peer
 * publishes something unmuted, so silence from it is a lost connection.
 */
export function gradeDirectWindow(prev: DirectSample | undefined, cur: DirectSample, expectingMedia: boolean): ConnectionQuality | null {
  if (!prev || cur.at <= prev.at) return null;
  // Counters go back when a connection is replaced: count the new one from zero.
  const base = cur.packetsReceived < prev.packetsReceived || cur.packetsSent < prev.packetsSent ? undefined : prev;
  const delta = (k: 'packetsReceived' | 'packetsLost' | 'framesDecoded' | 'freezeCount' | 'packetsSent' | 'remoteLost'): number =>
    Math.max(0, cur[k] - (base?.[k] ?? 0));
  const received = delta('packetsReceived');
  if (received === 0 && expectingMedia) return cur.at - prev.at >= 2000 ? 'lost' : null;
  const lossIn = received ? delta('packetsLost') / (delta('packetsLost') + received) : 0;
  const sent = delta('packetsSent');
  const lossOut = sent ? Math.min(1, delta('remoteLost') / sent) : 0;
  const loss = Math.max(lossIn, lossOut);
  const rtt = cur.roundTripTime ?? 0;
  const { excellent, good } = DIRECT_THRESHOLDS;
  let verdict: ConnectionQuality = 'poor';
  if (loss <= excellent.loss && rtt < excellent.rtt && cur.jitter <= excellent.jitter) verdict = 'excellent';
  else if (loss <= good.loss && rtt < good.rtt && cur.jitter <= good.jitter) verdict = 'good';
  if (cur.video && expectingMedia && received > 0) {
    if (delta('framesDecoded') === 0) verdict = worse(verdict, 'poor');
    else if (delta('freezeCount') > 0) verdict = worse(verdict, 'good');
  }
  return verdict;
}

/** Worse shows at once, better only after two windows that agree (the worst of them), as on the server. */
export class QualityTrend {
  static readonly WINDOWS_TO_IMPROVE = 2;
  current: ConnectionQuality | null = null;
  private improvingTo: ConnectionQuality = 'excellent';
  private betterWindows = 0;

  update(verdict: ConnectionQuality): ConnectionQuality {
    if (this.current === null || ORDER.indexOf(verdict) >= ORDER.indexOf(this.current)) {
      this.current = verdict;
      this.betterWindows = 0;
      return verdict;
    }
    this.improvingTo = this.betterWindows === 0 ? verdict : worse(this.improvingTo, verdict);
    if (++this.betterWindows >= QualityTrend.WINDOWS_TO_IMPROVE) {
      this.current = this.improvingTo;
      this.betterWindows = 0;
    }
    return this.current;
  }
}

/** The subset of RTCStats fields read here. */
interface StatsEntry {
  type: string;
  kind?: string;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  framesDecoded?: number;
  freezeCount?: number;
  jitter?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  state?: string;
  nominated?: boolean;
}

/** One direct connection's counters from its stats report. */
export function directSample(report: Iterable<StatsEntry>, at: number): DirectSample {
  const s: DirectSample = { at, packetsReceived: 0, packetsLost: 0, framesDecoded: 0, freezeCount: 0, video: false, jitter: 0, packetsSent: 0, remoteLost: 0 };
  let pairRtt: number | undefined;
  let reportedRtt: number | undefined;
  for (const e of report) {
    if (e.type === 'inbound-rtp') {
      s.packetsReceived += e.packetsReceived ?? 0;
      s.packetsLost += Math.max(0, e.packetsLost ?? 0);
      s.jitter = Math.max(s.jitter, e.jitter ?? 0);
      if (e.kind === 'video') {
        s.video = true;
        s.framesDecoded += e.framesDecoded ?? 0;
        s.freezeCount += e.freezeCount ?? 0;
      }
    } else if (e.type === 'outbound-rtp') {
      s.packetsSent += e.packetsSent ?? 0;
    } else if (e.type === 'remote-inbound-rtp') {
      s.remoteLost += Math.max(0, e.packetsLost ?? 0);
      if (e.roundTripTime !== undefined) reportedRtt = Math.max(reportedRtt ?? 0, e.roundTripTime);
    } else if (e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated && e.currentRoundTripTime !== undefined) {
      pairRtt = e.currentRoundTripTime;
    }
  }
  s.roundTripTime = pairRtt ?? reportedRtt;
  return s;
}

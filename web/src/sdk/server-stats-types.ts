// The `stats` reply to `get_stats` (docs/protocol.md): what the server sees of
// your own connections and tracks, or of what it sends you of one publisher
// together with that publisher's public quality. Field names as on the wire.

/** The ICE candidate type of your end of a path, as the server sees it. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** A track the server sends you. Loss and jitter come from your browser's receiver reports (null before the first). */
export interface ServerSubscribedTrackStats {
  sid: string;
  publisher: string;
  kind: 'audio' | 'video';
  codec: string;
  /** The forwarded layer's rate over the last second; 0 while paused. */
  bitrate_bps: number;
  packets: number;
  retransmitted: number;
  loss: number | null;
  packets_lost: number | null;
  jitter_ms: number | null;
  nacks: number;
  plis: number;
  firs: number;
  /** The simulcast layer forwarded now (0 without simulcast), and the one it is switching to; null: none. */
  layer: number | null;
  target_layer: number | null;
  /** Paused by the server for your bandwidth. */
  paused: boolean;
}

/** A track as it reaches the server from its publisher. */
export interface ServerPublishedTrackStats {
  sid: string;
  kind: 'audio' | 'video';
  codec: string;
  muted: boolean;
  bitrate_bps: number;
  packets: number;
  packets_lost: number;
  loss: number;
  jitter_ms: number;
  nacks_received: number;
  plis_received: number;
  firs_received: number;
  nacks_sent: number;
  keyframe_requests_sent: number;
  layers: { rid: string; bitrate_bps: number; packets: number; width: number; height: number; active: boolean }[];
}

export interface ServerConnectionStats { connected: boolean; candidate_type: CandidateType | null }

export interface StatsMessage {
  type: 'stats';
  request_id: string;
  /** Whom you asked about; null: yourself. */
  participant: string | null;
  /** Your own connection, as the server sees it. */
  connection_quality: string;
  rtt_ms: number | null;
  bandwidth_estimate_bps: number | null;
  publisher_connection: ServerConnectionStats;
  subscriber_connection: ServerConnectionStats;
  /** What the server sends you: everything, or of `participant` only. */
  subscribed: ServerSubscribedTrackStats[];
  /** Asking about yourself: your own tracks as they reach the server. */
  published?: ServerPublishedTrackStats[];
  /** Asking about a publisher: its public side (no addresses, paths or round trips). */
  publisher?: { identity: string; connection_quality: string; published: ServerPublishedTrackStats[] };
}

// The /rtc signaling protocol, version 1 (docs/protocol.md): every message is
// a JSON object with a `type`.
import type { StatsMessage } from './server-stats-types';

export const PROTOCOL_VERSION = 1;

export type TrackSource = 'camera' | 'microphone' | 'screen_share' | 'screen_share_audio';
export type ConnectionQuality = 'excellent' | 'good' | 'poor' | 'lost';

export interface Permissions {
  canPublish: boolean;
  canSubscribe: boolean;
  canPublishData: boolean;
  /** May start and stop the room's recording (the roomRecord grant); absent from older servers. */
  canRecord?: boolean;
  /** Administers the room: opens breakout rooms and moves participants (the roomAdmin grant). */
  canAdmin?: boolean;
}

export interface ParticipantInfo {
  identity: string;
  name: string;
  metadata: string;
  /** "standard" (a signaling client) or "ingress" (a WHIP broadcaster: publishes only); absent from older servers. */
  kind?: 'standard' | 'ingress';
  permissions: Permissions;
  tracks?: TrackInfo[];
  /** In an encrypted room: the participant's latest key announcement (opaque to the server). */
  e2ee_announcement?: string;
}

export interface TrackInfo {
  sid: string;
  publisher: string;
  kind: 'audio' | 'video';
  source: TrackSource;
  name: string;
  mid: string;
  codec: string;
  muted: boolean;
  /** A simulcast track's layers (RIDs), lowest first; absent for one stream. */
  rids?: string[];
}

export interface IceServerInfo {
  urls: string[];
  username?: string;
  credential?: string;
}

/** What the client announces for each m-section of a publisher offer. */
export interface OfferedTrack {
  mid: string;
  source: TrackSource;
  name: string;
  muted: boolean;
}

/** The room's end-to-end encryption setting, fixed when the room was created. */
export type E2eeSetting = 'required' | 'off';

/** One wrapped sender key for one recipient. */
export interface E2eeKeyEntry {
  to: string;
  blob: string;
}

export type ClientMessage =
  | { type: 'join'; token: string; protocol: number; resume: boolean; resume_only?: boolean; e2ee?: { supported: boolean; require: boolean }; p2p?: boolean }
  | { type: 'e2ee_announce'; announcement: string }
  | { type: 'e2ee_keys'; keys: E2eeKeyEntry[] }
  | { type: 'offer'; sdp: string; tracks: OfferedTrack[] }
  | { type: 'answer'; sdp: string }
  | { type: 'trickle'; target: 'publisher' | 'subscriber'; candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null } }
  | { type: 'mute'; sid: string; muted: boolean }
  | { type: 'update'; name?: string; metadata?: string }
  | { type: 'leave' }
  | { type: 'update_track_settings'; sid: string; width?: number; height?: number; visible?: boolean; quality?: 'low' | 'medium' | 'high' }
  | { type: 'start_recording' }
  | { type: 'stop_recording' }
  | { type: 'ping'; timestamp: number }
  /** The most to receive, in bits per second; null lifts the limit. */
  | { type: 'set_receive_bandwidth'; max_bps: number | null }
  /** Breakout rooms (roomAdmin): open them by name, move one participant ('' : the main room), close them all. */
  | { type: 'breakout_open'; rooms: string[] }
  | { type: 'breakout_move'; identity: string; room: string }
  | { type: 'breakout_close' }
  /** Direct connections (P2P): signaling for one peer, relayed by the server; p2p_failed: ICE to it failed. */
  | { type: 'p2p_offer' | 'p2p_answer'; to: string; sdp: string }
  | { type: 'p2p_candidate'; to: string; candidate: RTCIceCandidateInit }
  | { type: 'p2p_failed'; peer: string }
  /** The server's view of your connections, or of what it sends you of `participant` (answered with `stats`). */
  | { type: 'get_stats'; request_id: string; participant?: string };

export interface JoinedMessage {
  type: 'joined';
  protocol: number;
  room: string;
  participant: ParticipantInfo;
  participants: ParticipantInfo[];
  iceServers?: IceServerInfo[];
  /** Absent from servers that predate end-to-end encryption: the room is plain. */
  e2ee?: E2eeSetting;
  /** Whether the room is being recorded now, and that recording's id. */
  recording?: boolean;
  recording_id?: string | null;
}

export type ServerMessage =
  | JoinedMessage
  | { type: 'participant_joined'; participant: ParticipantInfo }
  | { type: 'participant_left'; identity: string; reason: string }
  | { type: 'participant_updated'; participant: ParticipantInfo }
  | { type: 'track_published'; track: TrackInfo }
  | { type: 'track_unpublished'; publisher: string; sid: string }
  | { type: 'track_muted'; publisher: string; sid: string; muted: boolean }
  | { type: 'answer'; sdp: string; tracks: TrackInfo[] }
  | { type: 'offer'; sdp: string; tracks: TrackInfo[] }
  | { type: 'active_speakers'; speakers: { identity: string; level: number }[] }
  | { type: 'connection_quality'; updates: { identity: string; quality: ConnectionQuality | 'unknown' }[] } // unknown: media goes direct (P2P)
  | { type: 'error'; code: string; message: string; request?: string; request_id?: string }
  | { type: 'removed'; reason: string }
  | { type: 'pong'; timestamp: number }
  | { type: 'e2ee_announce'; from: string; announcement: string }
  | { type: 'e2ee_key'; from: string; blob: string }
  | { type: 'recording'; active: boolean; id: string }
  | { type: 'layers_wanted'; sid: string; layers: { rid: string; active: boolean }[] }
  /** Nothing of this track is sent to you for now (your bandwidth cannot carry it), or it resumed. */
  | { type: 'track_paused'; sid: string; paused: boolean; reason: 'bandwidth' }
  /** What the server estimates it can send you, in bits per second. */
  | { type: 'bandwidth'; estimate_bps: number }
  /** Go to another room with a fresh token (at `url` when it is on another server); the client follows (move.ts). */
  | { type: 'move'; room: string; token: string; url?: string; reason: 'breakout' | 'return' | 'redirect' | 'drain' }
  /** Take the signaling to `url` and resume there (the node it went through is draining); media stays (move.ts). */
  | { type: 'reconnect'; url: string; reason: 'drain' }
  /** The open breakout rooms of the main room `room` and who is in each (empty: closed). */
  | { type: 'breakout_state'; room: string; rooms: BreakoutRoomInfo[] }
  /** In a room with direct connections: whether you connect to `peers` directly ("p2p") or through the server. */
  | { type: 'connection_mode'; mode: 'p2p' | 'sfu'; peers: string[] }
  | { type: 'p2p_offer' | 'p2p_answer'; from: string; sdp: string }
  | { type: 'p2p_candidate'; from: string; candidate: RTCIceCandidateInit }
  | StatsMessage;

export interface BreakoutRoomInfo { name: string; room: string; participants: string[] }

export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** Parses one text frame; null when it is not a JSON object with a string `type`. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if (typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as ServerMessage;
}

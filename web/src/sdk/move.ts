// Following a `move` (docs/protocol.md): the server sends a participant to
// another room (a breakout room, back to the main room, or to the server
// that hosts the room: `url`) with a fresh token. The client joins there,
// publishes the same local tracks, and only then leaves the old room
// (make before break): the old room's video stays on the page until the same
// people's video in the new room decodes, 5 s at most (move-handover.ts),
// and the page stays as it is. In an end-to-end encrypted
// room the key exchange starts again in the new room with the same identity
// key (it lives in this browser's IndexedDB).
import type { CipherTalkClient } from './client';
import type { ServerMessageOf, TrackSource } from './protocol';
import { MoveHandover } from './move-handover';

export type MoveReason = MoveMessage['reason'];
export type MoveMessage = ServerMessageOf<'move'>;
/** Emitted once the client is in the new room and has left the old one. */
export interface MovedEvent { room: string; reason: MoveReason; url?: string }

/** What the client hands a move: the old room's connections, after it has forgotten them. */
export interface OldRoom { ws: WebSocket | null; peerConnections: (RTCPeerConnection | null)[] }

export async function followMove(client: CipherTalkClient, msg: MoveMessage, forgetRoom: (url: string, token: string) => OldRoom): Promise<MovedEvent> {
  const sending = [...client.localTracks.values()].filter((l) => l.track && l.track.readyState === 'live')
    .map((l) => ({ track: l.track!, source: l.info.source as TrackSource }));
  const hadDataChannels = client.sendChannels.size > 0;
  const handover = new MoveHandover(client, [...client.remoteTracks.values()], [...client.participants.keys()]);
  const sameRoom = msg.room === client.room; // drain or redirect: everyone follows to the other server
  const old = forgetRoom(msg.url ?? client.url, msg.token);
  client.handover = handover;
  try {
    await client.connect();
    handover.joined(sameRoom);
    // Camera and microphone in one offer, as a page publishes them; a screen share (with its audio) in another.
    const camera = sending.filter((s) => s.source === 'camera' || s.source === 'microphone').map((s) => s.track);
    const screen = sending.filter((s) => s.source === 'screen_share' || s.source === 'screen_share_audio').map((s) => s.track);
    if (camera.length) await client.publish(new MediaStream(camera));
    if (screen.length) await client.publish(new MediaStream(screen), { source: 'screen_share' });
    if (!sending.length && hadDataChannels) await client.openDataChannels();
    await handover.settled;
  } finally {
    handover.finish();
    if (client.handover === handover) client.handover = null;
    if (old.ws?.readyState === WebSocket.OPEN) old.ws.send(JSON.stringify({ type: 'leave' }));
    old.ws?.close();
    for (const pc of old.peerConnections) pc?.close();
  }
  return { room: msg.room, reason: msg.reason, ...(msg.url ? { url: msg.url } : {}) };
}

/**
 * `reconnect` (docs/protocol.md): the node this client's signaling was relayed
 * through is draining; the room runs on the node at `url`, where the media goes
 * already. The client closes its WebSocket and resumes at `url` at once with
 * `resume_only` (reconnect.ts: `relocate`), keeping both PeerConnections.
 */
export function followReconnect(client: CipherTalkClient, msg: ServerMessageOf<'reconnect'>): void {
  if (!msg.url) return;
  client.connection.handle({ type: 'relocate' });
  if (!client.connection.relocating) return; // not in a call (joining, left): nothing to take along
  client.url = msg.url;
  client.ws?.close(1000, 'reconnect');
}

/** A relocation's resume refused (`resume_failed`: we are no longer in the room there): join it afresh, as a move does. */
export function joinAfresh(client: CipherTalkClient): MoveMessage {
  return { type: 'move', room: client.room ?? '', token: client.token, url: client.url, reason: 'drain' };
}

// The minimal call page the end-to-end tests drive (/call.html?room=R&identity=I):
// joins with the camera and microphone, one tile per participant, and the
// window hooks the tests read (ct, ctReady, ctStats, ctFirstFrames, ctCandidateType).
import { CipherTalkClient, fetchDevToken, signalingUrl } from '../sdk';

declare global {
  interface Window {
    ct?: CipherTalkClient;
    ctReady?: boolean;
    ctFirstFrames: () => { subscriberConnectedAt: number | null; firstFrameAt: Record<string, number> };
    ctCandidateType: () => Promise<string | null | undefined>;
    ctStats: () => Promise<Record<string, ParticipantStats>>;
  }
}

interface ParticipantStats {
  framesDecoded: number; audioPackets: number; nackCount: number; freezeCount: number; totalFreezesDuration: number;
  videoCodec?: string; // mimeType of the video decoded, e.g. "video/H264"
}

const params = new URLSearchParams(location.search);
const room = params.get('room') || 'demo';
const identity = params.get('identity') || params.get('name') || `guest-${Math.random().toString(36).slice(2, 7)}`;
const $ = (id: string): HTMLElement => document.getElementById(id)!;
$('room').textContent = `room ${room} as ${identity}`;

function tileFor(participant: string, label?: string): HTMLElement {
  let tile = document.querySelector<HTMLElement>(`.tile[data-participant="${CSS.escape(participant)}"]`);
  if (!tile) {
    tile = document.createElement('div');
    tile.className = 'tile';
    tile.dataset.participant = participant;
    tile.innerHTML = '<video autoplay playsinline></video><span class="name"></span>';
    const name = tile.querySelector('.name')!;
    name.textContent = label || participant;
    const muted = document.createElement('span');
    muted.className = 'muted';
    muted.textContent = '(muted)';
    name.appendChild(muted);
    tile.querySelector('video')!.srcObject = new MediaStream();
    $('tiles').appendChild(tile);
  }
  return tile;
}

const token = params.get('token') || await fetchDevToken(room, identity, params.get('name') || identity);
// ?relay=1 forces every packet through the TURN servers the server hands out;
// ?e2ee=1 asks for an end-to-end encrypted room (honoured by `--dev` when this join creates it).
const client = new CipherTalkClient({
  url: signalingUrl(), token, iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
  e2ee: { require: params.get('e2ee') === '1' }, simulcast: params.get('simulcast') !== '0',
});
window.ct = client;
const firstFrameAt: Record<string, number> = {};
window.ctFirstFrames = () => ({ subscriberConnectedAt: client.subscriberConnectedAt ?? null, firstFrameAt });

client.on('track', ({ participant, track, info }) => {
  const video = tileFor(participant).querySelector('video')!;
  (video.srcObject as MediaStream).addTrack(track);
  if (track.kind === 'video') {
    // Adaptive stream: the server sends the simulcast layer this tile can show.
    client.adaptiveStream.observe(info.sid, video);
    video.play().catch(() => {});
    // When this participant's first frame was shown (for tests and diagnostics).
    video.requestVideoFrameCallback(() => { firstFrameAt[participant] ??= performance.now(); });
  }
});
// A track replaced (after a move, by the same person's track in the new room) leaves the tile's stream.
client.on('track_removed', ({ participant, info }) => {
  const stream = document.querySelector<HTMLVideoElement>(`.tile[data-participant="${CSS.escape(participant)}"] video`)?.srcObject as MediaStream | undefined;
  for (const t of stream?.getTracks() ?? []) if (t.kind === info.kind) stream!.removeTrack(t);
});
client.on('participant_left', ({ identity: who }) => {
  document.querySelector(`.tile[data-participant="${CSS.escape(who)}"]`)?.remove();
});
client.on('track_muted', ({ publisher, sid, muted }) => {
  const t = client.participants.get(publisher)?.tracks.get(sid);
  const tile = document.querySelector<HTMLElement>(`.tile[data-participant="${CSS.escape(publisher)}"]`);
  if (tile && t && t.kind === 'audio') tile.dataset.audioMuted = String(muted);
});
client.on('active_speakers', ({ speakers }) => {
  const speaking = new Set(speakers.map((s) => s.identity));
  for (const tile of document.querySelectorAll<HTMLElement>('.tile')) tile.classList.toggle('speaking', speaking.has(tile.dataset.participant!));
});
// The server paused a video for bandwidth (`track_paused`): its tile says so instead of freezing.
client.on('track_paused', ({ sid, paused }) => {
  const owner = [...client.participants.values()].find((p) => p.tracks.get(sid)?.kind === 'video');
  const tile = owner && tileFor(owner.info.identity);
  tile?.querySelector('[data-testid="tile-paused"]')?.remove();
  if (!tile || !paused) return;
  const label = document.createElement('div');
  label.className = 'paused';
  label.dataset.testid = 'tile-paused';
  label.textContent = 'Paused: low bandwidth';
  tile.appendChild(label);
});
client.on('reconnecting', () => { $('state').textContent = 'reconnecting'; });
client.on('reconnected', () => { $('state').textContent = 'connected'; });

// ?capture=720 captures 1280x720, published in three simulcast layers; ?simulcast=0 sends one stream.
const hd = params.get('capture') === '720';
// ?publish=0 only watches: no camera or microphone, nothing published.
const watchOnly = params.get('publish') === '0';
const media = watchOnly ? null : await navigator.mediaDevices.getUserMedia({ audio: true, video: hd ? { width: 1280, height: 720 } : { width: 320, height: 240 } });
if (media) {
  const selfVideo = tileFor(identity, `${identity} (you)`).querySelector('video')!;
  selfVideo.srcObject = media;
  selfVideo.muted = true;
}
await client.connect();
// ?codec=h264 publishes video in H.264 instead of VP8.
const codec = params.get('codec');
if (media) await client.publish(media, { videoCodec: codec === 'h264' || codec === 'vp8' ? codec : undefined });
$('state').textContent = 'connected';
window.ctReady = true;

function toggle(button: HTMLElement, kind: 'audio' | 'video', labels: [string, string]): void {
  const on = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? labels[1] : labels[0];
  client.setMuted(kind, on);
}
$('mic').onclick = (e) => toggle(e.currentTarget as HTMLElement, 'audio', ['Mute mic', 'Unmute mic']);
$('cam').onclick = (e) => toggle(e.currentTarget as HTMLElement, 'video', ['Stop camera', 'Start camera']);
$('leave').onclick = () => { client.leave(); $('state').textContent = 'left'; };

// For tests: the local candidate type of the subscriber connection's selected pair.
window.ctCandidateType = async () => {
  if (!client.subscriber) return null;
  const report = await client.subscriber.getStats();
  let pairId: string | null = null;
  report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  const pair = pairId ? report.get(pairId) as { localCandidateId: string } | undefined : undefined;
  return pair ? (report.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType : null;
};

// For tests: decoded frames per remote participant's video, from getStats().
window.ctStats = async () => {
  const out: Record<string, ParticipantStats> = {};
  if (!client.subscriber) return out;
  const midToParticipant = new Map([...client.remoteTracks.entries()].map(([mid, r]) => [mid, r.info.publisher]));
  const report = await client.subscriber.getStats();
  report.forEach((s: RTCInboundRtpStreamStats) => {
    if (s.type !== 'inbound-rtp') return;
    const who = (s.mid && midToParticipant.get(s.mid)) || 'unknown';
    const o = (out[who] ??= { framesDecoded: 0, audioPackets: 0, nackCount: 0, freezeCount: 0, totalFreezesDuration: 0 });
    if (s.kind === 'video') {
      const v = s as RTCInboundRtpStreamStats & { freezeCount?: number; totalFreezesDuration?: number };
      o.framesDecoded += v.framesDecoded || 0;
      o.nackCount += v.nackCount || 0;
      o.freezeCount += v.freezeCount || 0;
      o.totalFreezesDuration += v.totalFreezesDuration || 0;
      const codec = v.codecId ? report.get(v.codecId) as { mimeType?: string } | undefined : undefined;
      if (codec?.mimeType) o.videoCodec = codec.mimeType;
    } else {
      o.audioPackets += s.packetsReceived || 0;
    }
  });
  return out;
};

// CipherTalk browser client: the /rtc signaling protocol (docs/protocol.md,
// version 1) and the two PeerConnections it drives. No dependencies.
//
//   const client = new CipherTalkClient({ url: 'ws://host:7880/rtc', token });
//   client.addEventListener('track', (e) => show(e.detail.participant, e.detail.track));
//   await client.connect();
//   await client.publish(await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
//
// Events (CustomEvent, details in `detail`): joined, participant_joined,
// participant_left, track (a remote MediaStreamTrack arrived), track_published,
// track_unpublished, track_muted, active_speakers, reconnecting, reconnected,
// disconnected, error.

export const PROTOCOL_VERSION = 1;

export class CipherTalkClient extends EventTarget {
  constructor({ url, token, iceServers = [], iceTransportPolicy = 'all', reconnectWindowMs = 20000 }) {
    super();
    this.url = url;
    this.token = token;
    this.rtcConfig = { iceServers, iceTransportPolicy, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    this.reconnectWindowMs = reconnectWindowMs;
    this.identity = null;
    this.room = null;
    this.participants = new Map(); // identity -> { info, tracks: Map(sid -> track info) }
    this.localTracks = new Map(); // sid -> { track, transceiver, info }
    this.remoteTracks = new Map(); // subscriber mid -> { info, track }
    this.ws = null;
    this.publisher = null;
    this.subscriber = null;
    this._pending = []; // resolvers waiting for a message type
    this._closedByUs = false;
    this._subscriberChain = Promise.resolve();
    this._pendingOfferMeta = new Map();
  }

  _emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  _send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  _waitFor(type, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const entry = { type, resolve, reject };
      entry.timer = setTimeout(() => {
        this._pending = this._pending.filter((p) => p !== entry);
        reject(new Error(`no '${type}' from the server within ${timeoutMs} ms`));
      }, timeoutMs);
      this._pending.push(entry);
    });
  }

  _openSocket(resume) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ type: 'join', token: this.token, protocol: PROTOCOL_VERSION, resume }));
        resolve();
      };
      ws.onerror = () => reject(new Error('cannot reach the signaling server'));
      ws.onmessage = (ev) => this._onMessage(JSON.parse(ev.data));
      ws.onclose = () => { if (this.ws === ws) this._onSocketClosed(); };
    });
  }

  async connect() {
    this._closedByUs = false;
    const joined = this._waitFor('joined');
    await this._openSocket(false);
    const message = await joined;
    // The server hands out TURN servers with short-lived credentials; ones
    // given to the constructor take precedence.
    if (!this.rtcConfig.iceServers.length && Array.isArray(message.iceServers)) {
      this.rtcConfig.iceServers = message.iceServers;
    }
    this.subscriber = new RTCPeerConnection(this.rtcConfig);
    this.subscriber.ontrack = (ev) => this._onRemoteTrack(ev);
    this.subscriber.addEventListener('connectionstatechange', () => {
      if (this.subscriber?.connectionState === 'connected' && !this.subscriberConnectedAt) {
        this.subscriberConnectedAt = performance.now();
      }
      this._emit('subscriber_state', { state: this.subscriber?.connectionState });
    });
    return message;
  }

  // Publishes every track of `stream` on the publisher connection.
  // `sources` maps a track to its source name; defaults: microphone/camera.
  async publish(stream, { source } = {}) {
    if (!this.publisher) this.publisher = new RTCPeerConnection(this.rtcConfig);
    const added = [];
    for (const track of stream.getTracks()) {
      const transceiver = this.publisher.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      added.push({ track, transceiver,
        source: source || (track.kind === 'audio' ? 'microphone' : 'camera') });
    }
    await this._negotiatePublisher(added);
    return added.map((a) => a.info);
  }

  async _negotiatePublisher(added) {
    const offer = await this.publisher.createOffer();
    await this.publisher.setLocalDescription(offer);
    const tracks = [];
    for (const t of this.publisher.getTransceivers()) {
      const mine = added.find((a) => a.transceiver === t);
      const existing = [...this.localTracks.values()].find((l) => l.transceiver === t);
      if (mine) tracks.push({ mid: t.mid, source: mine.source, name: mine.track.label, muted: !mine.track.enabled });
      else if (existing) tracks.push({ mid: t.mid, source: existing.info.source, name: existing.info.name, muted: existing.info.muted });
    }
    const answerPromise = this._waitFor('answer');
    this._send({ type: 'offer', sdp: this.publisher.localDescription.sdp, tracks });
    const answer = await answerPromise;
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const info of answer.tracks || []) {
      const t = this.publisher.getTransceivers().find((x) => x.mid === info.mid);
      if (t) this.localTracks.set(info.sid, { track: t.sender.track, transceiver: t, info });
      const mine = added.find((a) => a.transceiver === t);
      if (mine) mine.info = info;
    }
  }

  // Mutes one published track (by kind or sid): the track stops sending and
  // the server stops forwarding; everyone sees the muted state.
  setMuted(kindOrSid, muted) {
    for (const [sid, local] of this.localTracks) {
      if (sid === kindOrSid || local.info.kind === kindOrSid) {
        local.track.enabled = !muted;
        local.info.muted = muted;
        this._send({ type: 'mute', sid, muted });
      }
    }
  }

  async unpublish(kindOrSid) {
    for (const [sid, local] of [...this.localTracks]) {
      if (sid === kindOrSid || local.info.kind === kindOrSid) {
        local.transceiver.stop();
        this.localTracks.delete(sid);
      }
    }
    await this._negotiatePublisher([]);
  }

  leave() {
    this._closedByUs = true;
    this._send({ type: 'leave' });
    if (this.ws) this.ws.close();
    for (const pc of [this.publisher, this.subscriber]) if (pc) pc.close();
    this.publisher = this.subscriber = null;
  }

  // Test hook: drop the WebSocket as a network failure would.
  simulateSignalLoss() { if (this.ws) this.ws.close(4000, 'simulated loss'); }

  _onSocketClosed() {
    for (const p of this._pending) { clearTimeout(p.timer); p.reject(new Error('signaling connection closed')); }
    this._pending = [];
    if (this._closedByUs) { this._emit('disconnected', { reason: 'left' }); return; }
    this._reconnect();
  }

  async _reconnect() {
    this._emit('reconnecting', {});
    const deadline = Date.now() + this.reconnectWindowMs;
    while (Date.now() < deadline && !this._closedByUs) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        const joined = this._waitFor('joined', 5000);
        await this._openSocket(true);
        await joined;
        this._emit('reconnected', {});
        return;
      } catch { /* try again until the window closes */ }
    }
    this._emit('disconnected', { reason: 'reconnect_failed' });
  }

  _onMessage(msg) {
    const waiting = this._pending.find((p) => p.type === msg.type);
    if (msg.type === 'error') {
      const byRequest = msg.request && this._pending.find((p) => p.type === 'joined' && msg.request === 'join');
      if (byRequest) {
        clearTimeout(byRequest.timer);
        this._pending = this._pending.filter((p) => p !== byRequest);
        byRequest.reject(Object.assign(new Error(msg.message), { code: msg.code }));
      }
      this._emit('error', msg);
      return;
    }
    switch (msg.type) {
      case 'joined':
        this.identity = msg.participant.identity;
        this.room = msg.room;
        this.participants.clear();
        for (const p of msg.participants) {
          this.participants.set(p.identity, { info: p, tracks: new Map((p.tracks || []).map((t) => [t.sid, t])) });
        }
        break;
      case 'participant_joined':
        this.participants.set(msg.participant.identity, { info: msg.participant, tracks: new Map() });
        break;
      case 'participant_left': {
        const p = this.participants.get(msg.identity);
        if (p) for (const sid of p.tracks.keys()) this._dropRemoteTrack(sid);
        this.participants.delete(msg.identity);
        break;
      }
      case 'track_published': {
        const p = this.participants.get(msg.track.publisher);
        if (p) p.tracks.set(msg.track.sid, msg.track);
        break;
      }
      case 'track_unpublished': {
        const p = this.participants.get(msg.publisher);
        if (p) p.tracks.delete(msg.sid);
        this._dropRemoteTrack(msg.sid);
        break;
      }
      case 'track_muted': {
        const p = this.participants.get(msg.publisher);
        const t = p && p.tracks.get(msg.sid);
        if (t) t.muted = msg.muted;
        for (const r of this.remoteTracks.values()) if (r.info.sid === msg.sid) r.info.muted = msg.muted;
        break;
      }
      case 'offer':
        this._subscriberChain = this._subscriberChain.then(() => this._answerSubscriber(msg)).catch((e) => this._emit('error', { code: 'client', message: String(e) }));
        break;
      case 'pong':
        break;
      default:
        break;
    }
    if (waiting) {
      clearTimeout(waiting.timer);
      this._pending = this._pending.filter((p) => p !== waiting);
      waiting.resolve(msg);
    }
    this._emit(msg.type, msg);
  }

  async _answerSubscriber(msg) {
    for (const t of msg.tracks || []) this._pendingOfferMeta.set(t.mid, t);
    await this.subscriber.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    const answer = await this.subscriber.createAnswer();
    await this.subscriber.setLocalDescription(answer);
    this._send({ type: 'answer', sdp: this.subscriber.localDescription.sdp });
  }

  _onRemoteTrack(ev) {
    const mid = ev.transceiver.mid;
    const info = this._pendingOfferMeta.get(mid) || { mid, kind: ev.track.kind, publisher: 'unknown', sid: `mid-${mid}` };
    this.remoteTracks.set(mid, { info, track: ev.track });
    this._emit('track', { participant: info.publisher, track: ev.track, info });
  }

  _dropRemoteTrack(sid) {
    for (const [mid, r] of this.remoteTracks) {
      if (r.info.sid === sid) {
        this.remoteTracks.delete(mid);
        this._emit('track_removed', { participant: r.info.publisher, info: r.info });
      }
    }
  }

  // Remote tracks currently live: [{ participant, sid, kind, muted, track }].
  remoteTrackList() {
    return [...this.remoteTracks.values()].map((r) => ({
      participant: r.info.publisher, sid: r.info.sid, kind: r.info.kind, muted: !!r.info.muted, track: r.track }));
  }
}

// Fetches a development token (ciphertalk serve --dev only).
export async function fetchDevToken(room, identity, name) {
  const q = new URLSearchParams({ room, identity, ...(name ? { name } : {}) });
  const r = await fetch(`/api/dev/token?${q}`);
  if (!r.ok) throw new Error(`dev token: ${r.status}`);
  return (await r.json()).token;
}

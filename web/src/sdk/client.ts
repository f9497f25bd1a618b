// CipherTalk browser client: the /rtc signaling protocol (docs/protocol.md,
// version 1), the two PeerConnections it drives and the room's data channels.
//   const client = new CipherTalkClient({ url: 'ws://host:7880/rtc', token });
//   client.on('track', ({ participant, track }) => show(participant, track));
//   await client.connect();
//   await client.publish(await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
//
// Events (CustomEvent, payload in `detail`; `on()` is a typed shorthand): every server message by its type
// (joined, participant_joined, ...), and track / track_removed (remote media), data (a data message),
// reconnecting, reconnected, disconnected, subscriber_state; in an end-to-end encrypted room (`e2ee` option,
// see e2ee-session.ts) e2ee_state, e2ee_members,
// e2ee_decrypt_state, identity_changed and e2ee_warning; moved (move.ts). Direct connections: p2p.ts.

import {
  PROTOCOL_VERSION, parseServerMessage,
  type ClientMessage, type JoinedMessage, type OfferedTrack, type ParticipantInfo, type ServerMessage,
  type ServerMessageOf, type ServerMessageType, type TrackInfo, type TrackSource,
} from './protocol';
import { ReconnectMachine, type DisconnectReason, type ReconnectEffect } from './reconnect';
import { encodeDataPacket } from './datapacket';
import { preferVideoCodec, type VideoCodec } from './codecs';
import type { E2eeEvents, E2eeSession } from './e2ee-session';
import { frameEncryptionApi, openE2ee, receiverTrackName, type E2eeClientOptions, type FrameTransforms } from './e2ee-media';
import type { ClientOptions } from './client-options';
import { applyLayersWanted, transceiverInit } from './simulcast';
import { AdaptiveStream } from './adaptive-stream';
import { followMove, followReconnect, joinAfresh, type MovedEvent, type OldRoom } from './move';
import { receiveData, waitForOpen } from './data-channel';
import { P2pConnections } from './p2p';
import { trickleCandidates } from './trickle';

export interface RemoteTrackEvent { participant: string; track: MediaStreamTrack; info: TrackInfo }
export interface DataEvent { from: string; topic: string; payload: Uint8Array; reliable: boolean; fromServer: boolean }
export interface PublishOptions { source?: TrackSource; videoCodec?: VideoCodec; simulcast?: boolean }
export interface PublishDataOptions { reliable?: boolean; topic?: string; destinationIdentities?: string[] }

type MessageEvents = { [K in ServerMessageType]: ServerMessageOf<K> };
export interface ClientEvents extends MessageEvents, E2eeEvents {
  track: RemoteTrackEvent;
  track_removed: { participant: string; info: TrackInfo };
  data: DataEvent;
  reconnecting: Record<string, never>;
  reconnected: Record<string, never>;
  disconnected: { reason: DisconnectReason };
  subscriber_state: { state: RTCPeerConnectionState | undefined };
  moved: MovedEvent;
}

export interface RemoteParticipant { info: ParticipantInfo; tracks: Map<string, TrackInfo> }
export interface LocalTrack { track: MediaStreamTrack | null; transceiver: RTCRtpTransceiver; info: TrackInfo }
interface RemoteTrack { info: TrackInfo; track: MediaStreamTrack }

interface PendingWait {
  type: ServerMessageType;
  resolve: (m: ServerMessage) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface AddedTrack { track: MediaStreamTrack; transceiver: RTCRtpTransceiver; source: TrackSource; info?: TrackInfo }

const RELIABLE_LABEL = '_reliable';
const LOSSY_LABEL = '_lossy';

export class CipherTalkClient extends EventTarget {
  url: string; // changes when a move (move.ts) sends the client to another server
  token: string;
  readonly rtcConfig: RTCConfiguration & { iceServers: RTCIceServer[] };
  readonly connection: ReconnectMachine;
  identity: string | null = null;
  room: string | null = null;
  /** The room's recording as the server last said, and whether you may start or stop it. */
  recording = { active: false, id: null as string | null, allowed: false };
  readonly participants = new Map<string, RemoteParticipant>();
  /** sid -> a track this client publishes */
  readonly localTracks = new Map<string, LocalTrack>();
  /** subscriber mid -> a remote track */
  readonly remoteTracks = new Map<string, RemoteTrack>();
  ws: WebSocket | null = null;
  publisher: RTCPeerConnection | null = null;
  subscriber: RTCPeerConnection | null = null;
  subscriberConnectedAt: number | undefined;
  /** Channels we send on (publisher connection). */
  readonly sendChannels = new Map<string, RTCDataChannel>();
  /** Channels the server delivers on (subscriber connection). */
  readonly receiveChannels = new Map<string, RTCDataChannel>();
  /** Data messages that could not be decoded (or, in an encrypted room, decrypted). */
  malformedDataMessages = 0;
  /** Whether this client can join an end-to-end encrypted room. */
  readonly e2eeSupported: boolean;
  /** The key exchange and frame encryption of an encrypted room; null in a plain one. */
  e2ee: E2eeSession | null = null;
  private transforms: FrameTransforms | null = null;
  private readonly e2eeOptions: E2eeClientOptions | null;
  private e2eeMode: JoinedMessage['e2ee'] | null = null; // fixed by the first joined

  /** Adaptive stream: observe(sid, element) each remote video's tile; the server sends what fits it. */
  readonly adaptiveStream = new AdaptiveStream((r) => this.send({ type: 'update_track_settings', ...r }));
  private readonly simulcast: boolean;
  private pending: PendingWait[] = [];
  private subscriberChain: Promise<void> = Promise.resolve();
  private publisherChain: Promise<unknown> = Promise.resolve();
  private readonly pendingOfferMeta = new Map<string, TrackInfo>();
  private readonly attemptTimeoutMs: number;
  private attemptTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private moveChain: Promise<void> = Promise.resolve();
  handover: import('./move-handover').MoveHandover | null = null; // a move's old room, shown until the new one decodes
  readonly p2p: P2pConnections; // direct connections to the others while the room says so (p2p.ts)

  constructor({ url, token, iceServers = [], iceTransportPolicy = 'all', reconnectWindowMs = 20000, attemptTimeoutMs = 5000, e2ee, simulcast = true, p2p = false }: ClientOptions) {
    super();
    this.url = url;
    this.token = token;
    this.rtcConfig = { iceServers, iceTransportPolicy, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    this.connection = new ReconnectMachine({ windowMs: reconnectWindowMs });
    this.attemptTimeoutMs = attemptTimeoutMs;
    this.simulcast = simulcast;
    this.p2p = new P2pConnections({ identity: () => this.identity, localTracks: this.localTracks, remoteTracks: this.remoteTracks, subscriber: () => this.subscriber, trackInfo: (publisher, sid) => this.participants.get(publisher)?.tracks.get(sid), config: () => this.peerConnectionConfig(), e2ee: () => (this.e2ee && this.transforms ? { session: this.e2ee, transforms: this.transforms } : null), send: (m) => this.send(m), show: (participant, track, info) => this.emit('track', { participant, track, info }) }, p2p);
    this.e2eeOptions = e2ee ? (e2ee === true ? {} : e2ee) : null;
    this.e2eeSupported = !!this.e2eeOptions && frameEncryptionApi() !== null;
  }

  /** Typed addEventListener; returns a function that removes the listener. */
  on<K extends keyof ClientEvents>(type: K, handler: (detail: ClientEvents[K]) => void): () => void {
    const listener = (e: Event): void => handler((e as CustomEvent<ClientEvents[K]>).detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  private emit<K extends keyof ClientEvents>(type: K, detail: ClientEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Sends one protocol message as is (the app's breakout controls use it). */
  send(message: ClientMessage): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private waitFor<T extends ServerMessageType>(type: T, timeoutMs = 10000): Promise<ServerMessageOf<T>> {
    return new Promise((resolve, reject) => {
      const entry: PendingWait = {
        type,
        resolve: resolve as (m: ServerMessage) => void,
        reject,
        timer: setTimeout(() => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(new Error(`no '${type}' from the server within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(entry);
    });
  }

  private openSocket(resume: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => {
        const e2ee = this.e2eeOptions ? { supported: this.e2eeSupported, require: !!this.e2eeOptions.require } : undefined;
        ws.send(JSON.stringify({ type: 'join', token: this.token, protocol: PROTOCOL_VERSION, resume, ...(resume && this.connection.relocating ? { resume_only: true } : {}), ...(e2ee ? { e2ee } : {}), ...(this.p2p.requested ? { p2p: true } : {}) } satisfies ClientMessage));
        resolve();
      };
      ws.onerror = () => reject(new Error('cannot reach the signaling server'));
      ws.onmessage = (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') return;
        const msg = parseServerMessage(ev.data);
        if (msg) this.onMessage(msg);
      };
      ws.onclose = (ev: CloseEvent) => { if (this.ws === ws) this.onSocketClosed(ev.code); };
    });
  }

  async connect(): Promise<JoinedMessage> {
    this.connection.handle({ type: 'connect' });
    const joined = this.waitFor('joined');
    joined.catch(() => { /* reported by the await below */ });
    await this.openSocket(false);
    const message = await joined;
    // The server hands out TURN servers with short-lived credentials; ones
    // given to the constructor take precedence.
    if (!this.rtcConfig.iceServers.length && Array.isArray(message.iceServers)) {
      this.rtcConfig.iceServers = message.iceServers;
    }
    const subscriber = trickleCandidates(new RTCPeerConnection(this.peerConnectionConfig()), 'subscriber', (m) => this.send(m));
    this.subscriber = subscriber;
    // After a move the old room's connection is no longer this room's: its late events are not ours.
    subscriber.ontrack = (ev) => { if (this.subscriber === subscriber) this.onRemoteTrack(ev); };
    subscriber.ondatachannel = (ev) => { if (this.subscriber === subscriber) this.attachReceiveChannel(ev.channel); };
    subscriber.addEventListener('connectionstatechange', () => {
      if (subscriber.connectionState === 'connected' && !this.subscriberConnectedAt) {
        this.subscriberConnectedAt = performance.now();
      }
      this.emit('subscriber_state', { state: this.subscriber?.connectionState });
    });
    return message;
  }

  private peerConnectionConfig(): RTCConfiguration {
    return { ...this.rtcConfig, ...this.transforms?.peerConnectionConfig };
  }

  // The publisher connection, with the two data channels created before its
  // first offer so that the offer carries an m=application section.
  private ensurePublisher(): RTCPeerConnection {
    if (this.publisher) return this.publisher;
    const pc = trickleCandidates(new RTCPeerConnection(this.peerConnectionConfig()), 'publisher', (m) => this.send(m));
    this.publisher = pc;
    const reliable = pc.createDataChannel(RELIABLE_LABEL, { ordered: true });
    const lossy = pc.createDataChannel(LOSSY_LABEL, { ordered: false, maxRetransmits: 0 });
    for (const ch of [reliable, lossy]) {
      ch.binaryType = 'arraybuffer';
      this.sendChannels.set(ch.label, ch);
    }
    return pc;
  }

  /**
   * Publishes every track of `stream` on the publisher connection. Sources
   * default to microphone/camera; a disabled track is announced muted.
   * `videoCodec` sends video in that codec when the browser can (otherwise
   * the browser's default, VP8); subscribers receive it as sent.
   */
  publish(stream: MediaStream, { source, videoCodec, simulcast }: PublishOptions = {}): Promise<(TrackInfo | undefined)[]> {
    return this.serializePublisher(async () => {
      const pc = this.ensurePublisher();
      const added: AddedTrack[] = [];
      for (const track of stream.getTracks()) {
        const own: TrackSource = source === 'screen_share' && track.kind === 'audio' ? 'screen_share_audio'
          : source ?? (track.kind === 'audio' ? 'microphone' : 'camera');
        // Camera video in three layers and a screen share in two, where the capture allows (simulcast.ts).
        const transceiver = pc.addTransceiver(track, transceiverInit(track, stream, own, simulcast ?? this.simulcast));
        // Before any await: a transform set later may never apply (e2ee-media.ts).
        if (this.transforms && this.e2ee) {
          const { name, sent } = this.transforms.attachSender(transceiver.sender, track.kind, track.kind === 'audio' ? 'opus' : videoCodec ?? 'vp8');
          this.e2ee.addSendTrack(name, sent);
        }
        if (track.kind === 'video' && videoCodec) preferVideoCodec(transceiver, videoCodec);
        added.push({ track, transceiver, source: own });
      }
      await this.negotiatePublisher(added);
      return added.map((a) => a.info);
    });
  }

  /** Opens the data channels without publishing media (a participant with no camera or microphone). */
  openDataChannels(): Promise<void> {
    return this.serializePublisher(async () => {
      if (this.publisher) return;
      this.ensurePublisher();
      await this.negotiatePublisher([]);
    });
  }

  private serializePublisher<T>(job: () => Promise<T>): Promise<T> {
    const next = this.publisherChain.then(job, job);
    this.publisherChain = next.catch(() => undefined);
    return next;
  }

  private restartPublisherIce(): Promise<void> {
    return this.serializePublisher(async () => {
      if (this.publisher && this.publisher.signalingState !== 'closed') await this.negotiatePublisher([], true);
    });
  }

  private async negotiatePublisher(added: AddedTrack[], iceRestart = false): Promise<void> {
    const [pc, ws] = [this.publisher, this.ws];
    if (!pc) throw new Error('not publishing');
    await pc.setLocalDescription(await pc.createOffer({ iceRestart }));
    if (this.ws !== ws) throw new Error('the room changed while publishing'); // a move: the new room publishes afresh
    const tracks: OfferedTrack[] = [];
    for (const t of pc.getTransceivers()) {
      if (!t.mid || t.currentDirection === 'stopped' || t.direction === 'stopped') continue;
      const mine = added.find((a) => a.transceiver === t);
      const existing = [...this.localTracks.values()].find((l) => l.transceiver === t);
      if (mine) tracks.push({ mid: t.mid, source: mine.source, name: mine.track.label, muted: !mine.track.enabled });
      else if (existing) tracks.push({ mid: t.mid, source: existing.info.source, name: existing.info.name, muted: existing.info.muted });
    }
    const answerPromise = this.waitFor('answer');
    this.send({ type: 'offer', sdp: pc.localDescription!.sdp, tracks });
    const answer = await answerPromise;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const info of answer.tracks ?? []) {
      const t = pc.getTransceivers().find((x) => x.mid === info.mid);
      if (!t) continue;
      this.localTracks.set(info.sid, { track: added.find((a) => a.transceiver === t)?.track ?? t.sender.track, transceiver: t, info });
      const mine = added.find((a) => a.transceiver === t);
      if (mine) mine.info = info;
    }
    this.p2p.localTracksChanged(); // the direct connections carry what we publish too
  }

  // A published track matches a sid, a source, or a kind (a kind names the
  // camera or microphone, never a screen share).
  private localMatches(key: string): [string, LocalTrack][] {
    return [...this.localTracks].filter(([sid, l]) => sid === key || l.info.source === key ||
      (l.info.kind === key && (l.info.source === 'camera' || l.info.source === 'microphone')));
  }

  /**
   * Mutes one published track (by sid, source or kind): the track stops
   * sending and the server stops forwarding; everyone sees the muted state.
   */
  setMuted(key: string, muted: boolean): void {
    for (const [sid, local] of this.localMatches(key)) {
      if (local.track) local.track.enabled = !muted;
      local.info.muted = muted;
      this.send({ type: 'mute', sid, muted });
    }
  }

  /** Swaps the media of a published track (a new camera or microphone) without renegotiating. */
  async replaceTrack(key: string, track: MediaStreamTrack): Promise<void> {
    for (const [, local] of this.localMatches(key)) {
      track.enabled = !local.info.muted;
      await this.p2p.replaceTrack(local, track); // the SFU sender, or the direct ones while they carry it
      local.track = track;
    }
  }

  /** Stops publishing the tracks that match (sid, source or kind). */
  unpublish(key: string): Promise<void> {
    return this.serializePublisher(async () => {
      const matches = this.localMatches(key);
      if (!matches.length) return;
      for (const [sid, local] of matches) {
        const encrypted = this.transforms?.senderName(local.transceiver.sender);
        if (encrypted) this.e2ee?.removeSendTrack(encrypted);
        local.transceiver.stop();
        this.localTracks.delete(sid);
      }
      await this.negotiatePublisher([]);
    });
  }

  /**
   * Sends a data message to everyone in the room (or only to
   * `destinationIdentities`). Waits up to 5 s for the channel to open;
   * rejects when it does not.
   */
  async publishData(payload: Uint8Array | string, { reliable = true, topic = '', destinationIdentities = [] }: PublishDataOptions = {}): Promise<void> {
    const plain = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    // In an encrypted room the payload is sealed with our sender key; topic and destinations stay readable for routing.
    const bytes = this.e2ee ? await this.e2ee.encryptData(plain) : plain;
    const packet = encodeDataPacket({ topic, destinations: destinationIdentities, payload: bytes });
    const channel = this.sendChannels.get(reliable ? RELIABLE_LABEL : LOSSY_LABEL);
    if (!channel) throw new Error('no data channel: publish or openDataChannels() first');
    if (channel.readyState === 'connecting') await waitForOpen(channel, 5000);
    if (channel.readyState !== 'open') throw new Error(`data channel ${channel.label} is ${channel.readyState}`);
    channel.send(packet);
  }

  private attachReceiveChannel(channel: RTCDataChannel): void {
    this.receiveChannels.set(channel.label, channel);
    receiveData(channel, channel.label !== LOSSY_LABEL, () => this.e2ee, (event) => this.emit('data', event), () => this.malformedDataMessages++);
  }

  /** Changes your display name and/or metadata; everyone gets participant_updated. */
  updateInfo(update: { name?: string; metadata?: string }): void {
    this.send({ type: 'update', ...update });
  }

  /** Starts or stops the room's recording (needs roomRecord); everyone then gets a `recording` event. */
  startRecording(): void { this.send({ type: 'start_recording' }); }
  stopRecording(): void { this.send({ type: 'stop_recording' }); }
  setReceiveBandwidth(maxBps: number | null): void { this.send({ type: 'set_receive_bandwidth', max_bps: maxBps }); } // a data saver; null: no limit
  leave(): void {
    this.send({ type: 'leave' });
    this.runEffects(this.connection.handle({ type: 'leave' }));
    this.ws?.close();
    this.closePeerConnections();
  }

  /** Test hook: drop the WebSocket as a network failure would. */
  simulateSignalLoss(): void { this.ws?.close(4000, 'simulated loss'); }

  private closePeerConnections(): void {
    this.clearTimers();
    this.p2p.close(); // the direct connections go with the room's
    this.e2ee?.dispose();
    for (const pc of [this.publisher, this.subscriber]) pc?.close();
    this.publisher = this.subscriber = null;
    this.sendChannels.clear();
    this.receiveChannels.clear();
  }

  private clearTimers(): void {
    if (this.attemptTimer) clearTimeout(this.attemptTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.attemptTimer = this.retryTimer = null;
  }

  private onSocketClosed(code: number): void {
    for (const p of this.pending) { clearTimeout(p.timer); p.reject(new Error('signaling connection closed')); }
    this.pending = [];
    if (this.attemptTimer) clearTimeout(this.attemptTimer);
    this.attemptTimer = null;
    // 1008: the server refused us (token, permission); a resume cannot help.
    this.runEffects(this.connection.handle({ type: 'socket_closed', now: Date.now(), fatal: code === 1008 }));
  }

  private runEffects(effects: ReconnectEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'reconnecting': this.emit('reconnecting', {}); break;
        case 'reconnected':
          this.emit('reconnected', {});
          this.adaptiveStream.resend();
          // A resume is an ICE restart on both connections (docs/protocol.md): the
          // server restarts the subscriber with its next offer, we restart the publisher.
          this.restartPublisherIce().catch((e: unknown) => this.emit('error', { type: 'error', code: 'client', message: String(e) }));
          break;
        case 'retry': this.retryTimer = setTimeout(() => this.attemptResume(), effect.delayMs); break;
        case 'disconnected':
          if (effect.reason !== 'left') this.closePeerConnections();
          this.emit('disconnected', { reason: effect.reason });
          break;
        case 'none': break;
      }
    }
  }

  private attemptResume(): void {
    this.retryTimer = null;
    if (this.connection.state !== 'reconnecting') return;
    this.openSocket(true).catch(() => { /* its close event schedules the next attempt */ });
    const ws = this.ws;
    // An attempt that gets no 'joined' in time is abandoned; closing it schedules the next one.
    this.attemptTimer = setTimeout(() => { if (this.ws === ws) ws?.close(); }, this.attemptTimeoutMs);
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.type === 'error') {
      if (msg.code === 'resume_failed' && this.connection.relocating) return this.onMessage(joinAfresh(this));
      const joinWait = msg.request === 'join' && this.pending.find((p) => p.type === 'joined');
      if (joinWait) {
        clearTimeout(joinWait.timer);
        this.pending = this.pending.filter((p) => p !== joinWait);
        joinWait.reject(Object.assign(new Error(msg.message), { code: msg.code }));
      }
      this.emit('error', msg);
      return;
    }
    const waiting = this.pending.find((p) => p.type === msg.type);
    switch (msg.type) {
      case 'joined': {
        this.identity = msg.participant.identity;
        this.room = msg.room;
        this.recording = { active: msg.recording === true, id: msg.recording_id ?? null, allowed: msg.participant.permissions.canRecord === true };
        this.participants.clear();
        for (const p of msg.participants) {
          this.participants.set(p.identity, { info: p, tracks: new Map((p.tracks ?? []).map((t) => [t.sid, t])) });
        }
        // After a resume the snapshot is the truth: drop media of anyone gone meanwhile.
        for (const r of [...this.remoteTracks.values()]) {
          if (!this.participants.get(r.info.publisher)?.tracks.has(r.info.sid)) this.dropRemoteTrack(r.info.sid);
        }
        if (this.attemptTimer) clearTimeout(this.attemptTimer);
        this.attemptTimer = null;
        this.runEffects(this.connection.handle({ type: 'joined' }));
        this.joinedE2ee(msg);
        break;
      }
      case 'participant_joined':
        this.participants.set(msg.participant.identity, { info: msg.participant, tracks: new Map() });
        this.e2ee?.rosterChanged();
        if (msg.participant.e2ee_announcement) this.e2ee?.announcementReceived(msg.participant.identity, msg.participant.e2ee_announcement);
        break;
      case 'participant_updated': {
        const p = this.participants.get(msg.participant.identity);
        if (p) p.info = msg.participant;
        break;
      }
      case 'participant_left': {
        const p = this.participants.get(msg.identity);
        if (p) for (const sid of p.tracks.keys()) this.dropRemoteTrack(sid);
        this.participants.delete(msg.identity);
        this.e2ee?.participantLeft(msg.identity);
        this.e2ee?.rosterChanged();
        break;
      }
      case 'e2ee_announce': this.e2ee?.announcementReceived(msg.from, msg.announcement); break;
      case 'recording': this.recording = { ...this.recording, active: msg.active, id: msg.id }; break;
      case 'e2ee_key': this.e2ee?.keyReceived(msg.from, msg.blob); break;
      case 'track_published':
        this.participants.get(msg.track.publisher)?.tracks.set(msg.track.sid, msg.track);
        break;
      case 'track_unpublished':
        this.participants.get(msg.publisher)?.tracks.delete(msg.sid);
        this.dropRemoteTrack(msg.sid);
        break;
      case 'track_muted': {
        const t = this.participants.get(msg.publisher)?.tracks.get(msg.sid);
        if (t) t.muted = msg.muted;
        for (const r of this.remoteTracks.values()) if (r.info.sid === msg.sid) r.info.muted = msg.muted;
        break;
      }
      case 'offer':
        this.subscriberChain = this.subscriberChain
          .then(() => this.answerSubscriber(msg))
          .catch((e: unknown) => this.emit('error', { type: 'error', code: 'client', message: String(e) }));
        break;
      case 'connection_mode': case 'p2p_offer': case 'p2p_answer': case 'p2p_candidate': this.p2p.onMessage(msg); break;
      case 'layers_wanted': // dynacast: pause the encodings nobody receives
        applyLayersWanted(this.localTracks.get(msg.sid)?.transceiver.sender, msg.layers).catch(() => undefined); break;
      case 'removed': this.runEffects(this.connection.handle({ type: 'removed', reason: msg.reason })); break;
      case 'reconnect': followReconnect(this, msg); break; // signaling to the room's node; media stays (move.ts)
      case 'move':
        this.moveChain = this.moveChain.then(() => followMove(this, msg, (url, token) => this.forgetRoom(url, token)))
          .then((moved) => this.emit('moved', moved), (e: unknown) => this.emit('error', { type: 'error', code: 'client', message: String(e) }));
        break;
      default:
        break;
    }
    if (waiting) {
      clearTimeout(waiting.timer);
      this.pending = this.pending.filter((p) => p !== waiting);
      waiting.resolve(msg);
    }
    this.emit(msg.type, msg as never);
  }

  // A move, before it joins the next room: the old room's people stay on the page (move-handover.ts); its connections stay open for the caller to close.
  private forgetRoom(url: string, token: string): OldRoom {
    const old: OldRoom = { ws: this.ws, peerConnections: [this.publisher, this.subscriber] };
    if (this.ws) this.ws.onmessage = this.ws.onclose = null;
    this.clearTimers();
    this.p2p.close(); // the old room's direct connections: the next room says its own mode
    this.e2ee?.dispose();
    this.e2ee = this.transforms = this.e2eeMode = this.ws = this.publisher = this.subscriber = null;
    for (const m of [this.localTracks, this.sendChannels, this.receiveChannels, this.pendingOfferMeta, this.remoteTracks, this.participants]) m.clear();
    [this.url, this.token, this.subscriberConnectedAt] = [url, token, undefined];
    this.connection.handle({ type: 'move' });
    return old;
  }

  private joinedE2ee(msg: JoinedMessage): void {
    // A room's encryption is fixed at its creation: a resume that says otherwise is not believed.
    if (this.e2eeMode !== null && this.e2eeMode !== msg.e2ee) {
      this.emit('error', { type: 'error', code: 'e2ee_mode_changed', message: 'the room changed its encryption' });
      return this.leave();
    }
    this.e2eeMode = msg.e2ee;
    if (msg.e2ee !== 'required') {
      this.emit('e2ee_state', { state: 'off' });
      return;
    }
    if (this.e2ee) {
      this.e2ee.resumed(msg.participants);
      return;
    }
    if (!this.e2eeOptions || !this.e2eeSupported) return; // the server lets no such client in
    const { session, transforms } = openE2ee({
      room: msg.room, identity: msg.participant.identity, send: (m) => this.send(m),
      emit: (type, detail) => this.dispatchEvent(new CustomEvent(type, { detail })), roster: () => this.participants.keys(),
    }, this.e2eeOptions);
    this.e2ee = session;
    this.transforms = transforms;
    this.emit('e2ee_state', { state: session.state });
    session.start(msg.participants);
  }

  private async answerSubscriber(msg: ServerMessageOf<'offer'>): Promise<void> {
    const [pc, ws] = [this.subscriber, this.ws];
    if (!pc) return;
    for (const t of msg.tracks ?? []) this.pendingOfferMeta.set(t.mid, t);
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    if (this.ws === ws) this.send({ type: 'answer', sdp: pc.localDescription!.sdp }); // after a move it is the old room's answer
  }

  private onRemoteTrack(ev: RTCTrackEvent): void {
    const mid = ev.transceiver.mid ?? '';
    const info = this.pendingOfferMeta.get(mid) ?? {
      mid, kind: ev.track.kind as 'audio' | 'video', publisher: 'unknown', sid: `mid-${mid}`,
      source: ev.track.kind === 'audio' ? 'microphone' : 'camera', name: '', codec: '', muted: false,
    };
    this.remoteTracks.set(mid, { info, track: ev.track });
    if (this.transforms) this.transforms.attachReceiver(ev.receiver, info.publisher, mid, ev.track.kind);
    if (this.p2p.holds(info) || this.handover?.takes(info, ev.track)) return; // shown later: from here when the room moves to the SFU; at a move's swap
    this.emit('track', { participant: info.publisher, track: ev.track, info });
  }

  private dropRemoteTrack(sid: string): void {
    for (const [mid, r] of this.remoteTracks) {
      if (r.info.sid === sid) {
        this.remoteTracks.delete(mid);
        this.adaptiveStream.unobserve(sid);
        this.e2ee?.removeReceiveTrack(r.info.publisher, receiverTrackName(mid));
        this.emit('track_removed', { participant: r.info.publisher, info: r.info });
      }
    }
  }

  /** Remote tracks currently live. */
  remoteTrackList(): { participant: string; sid: string; kind: string; source: TrackSource; muted: boolean; track: MediaStreamTrack }[] {
    return [...this.remoteTracks.values()].map((r) => ({ participant: r.info.publisher, sid: r.info.sid, kind: r.info.kind, source: r.info.source, muted: !!r.info.muted, track: r.track }));
  }
}

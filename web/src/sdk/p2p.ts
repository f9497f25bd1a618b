// Direct connections (P2P) in a room created with `p2p` (docs/protocol.md,
// "Direct connections"). The server says per room whether participants
// connect directly (`connection_mode` "p2p", with the peers) or through the
// SFU ("sfu"). The SFU connections stay negotiated either way; what moves is
// the media:
//
// - direct: one RTCPeerConnection per peer (full ICE with the join's STUN and
//   TURN servers; offers, answers and candidates relayed by the server), our
//   local tracks on it, and the SFU senders parked (no track, nothing sent)
//   once the direct path carries media;
// - through the SFU: the SFU senders get their tracks back at once, each
//   peer's tracks from the SFU replace the direct ones in the page when they
//   decode, and only then is the direct connection closed.
//
// A tile therefore always shows a track that renders, and local tracks are
// never captured again. In an encrypted room the same frame transforms go on
// the direct senders and receivers, so the keys the room agreed keep working
// on both paths. Negotiation follows the "perfect negotiation" pattern of
// the WebRTC specification: the participant with the greater identity is the
// polite one. ICE that fails is restarted once; if it fails again the server
// hears `p2p_failed` and moves the room to the SFU. "Fails" includes never
// getting there: between two symmetric NATs without TURN, Chromium stays in
// `checking` or `disconnected` and never reports `failed`, so a connection
// not connected CONNECT_TIMEOUT_MS after its offer/answer (or after the
// restart), or `disconnected` for DISCONNECTED_TIMEOUT_MS, counts as failed.

import type { ClientMessage, ServerMessageOf, TrackInfo } from './protocol';
import { sentCount, type FrameTransforms } from './e2ee-media';
import type { E2eeSession } from './e2ee-session';
import { mediaFlowing, selectedPath, type ConnectionPath } from './p2p-stats';

export type { ConnectionPath } from './p2p-stats';

type P2pMessage = ServerMessageOf<'connection_mode' | 'p2p_offer' | 'p2p_answer' | 'p2p_candidate'>;

interface LocalTrackView { track: MediaStreamTrack | null; transceiver: RTCRtpTransceiver; info: TrackInfo }
interface RemoteTrackView { info: TrackInfo; track: MediaStreamTrack }

/** What the direct connections need of the client (client.ts). */
export interface P2pHost {
  identity(): string | null;
  localTracks: Map<string, LocalTrackView>;
  /** The SFU's remote tracks, by subscriber mid. */
  remoteTracks: Map<string, RemoteTrackView>;
  subscriber(): RTCPeerConnection | null;
  trackInfo(publisher: string, sid: string): TrackInfo | undefined;
  config(): RTCConfiguration;
  e2ee(): { transforms: FrameTransforms; session: E2eeSession } | null;
  send(message: ClientMessage): void;
  /** Shows `track` in the page in place of whatever showed `info` before. */
  show(participant: string, track: MediaStreamTrack, info: TrackInfo): void;
}

interface PeerLink {
  peer: string;
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  /** When our pending offer went out (performance.now()). */
  offeredAt: number;
  ignoreOffer: boolean;
  restarted: boolean;
  /** `p2p_failed` was sent for this connection (once is enough: the room leaves p2p). */
  reported: boolean;
  /** Runs out when ICE did not connect in time (see CONNECT_TIMEOUT_MS). */
  iceTimer: ReturnType<typeof setTimeout> | null;
  chain: Promise<void>;
  /** sid -> our sender on this connection, its stream (whose id the peer sees as the sid) and E2EE name. */
  senders: Map<string, { sender: RTCRtpSender; stream: MediaStream; e2ee?: string }>;
  receiveNames: string[];
  /** The peer's media from this connection is on the page. */
  shown: boolean;
  closed: boolean;
}

// Our SFU senders park this long after every direct connection carries the
// peer's media to us: by then the peer shows ours, sent the same way.
const PARK_AFTER_MS = 1000;
// How long a switch to the SFU waits for a peer's SFU media before it closes the direct connection anyway.
const SWITCH_TIMEOUT_MS = 6000;
// How long ICE may take to connect after an offer/answer exchange or an ICE
// restart, and how long a connection that was up may stay `disconnected`,
// before it counts as failed.
export const CONNECT_TIMEOUT_MS = 10000;
// An offer unanswered this long was lost, not crossed by the peer's.
export const STALE_OFFER_MS = 2000;
export const DISCONNECTED_TIMEOUT_MS = 5000;

export class P2pConnections {
  /** null until the server says (a room without `p2p` never does). */
  mode: 'p2p' | 'sfu' | null = null;
  peers: string[] = [];
  readonly links = new Map<string, PeerLink>();
  /** SFU senders whose track is taken off while the direct connections carry it. */
  private readonly parked = new Set<RTCRtpSender>();
  /** Whether our media goes only over the direct connections now (new tracks are parked too). */
  private parking = false;
  private readonly receivers = new WeakSet<RTCRtpReceiver>();
  private receiverCount = 0;
  private parkTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `requested`: ask for a room with direct connections when this client
   * creates it (join.p2p; honoured by `ciphertalk serve --dev` only).
   */
  constructor(private readonly host: P2pHost, readonly requested = false) {}

  /** Whether an SFU track of `info.publisher` is to be kept from the page: that peer's media comes directly. */
  holds(info: TrackInfo): boolean {
    return this.mode === 'p2p' && this.peers.includes(info.publisher);
  }

  onMessage(msg: P2pMessage): void {
    if (msg.type === 'connection_mode') {
      this.setMode(msg.mode, msg.peers);
      return;
    }
    const link = this.links.get(msg.from) ?? (this.mode === 'p2p' && this.peers.includes(msg.from) ? this.open(msg.from) : undefined);
    if (!link) return;
    link.chain = link.chain.then(() => (msg.type === 'p2p_candidate' ? this.onCandidate(link, msg.candidate) : this.onDescription(link, msg.type === 'p2p_offer' ? 'offer' : 'answer', msg.sdp)))
      .catch(() => undefined);
  }

  /** Our published tracks changed (publish, unpublish): the direct connections follow. */
  localTracksChanged(): void {
    for (const link of this.links.values()) this.syncSenders(link);
    if (this.parking) this.park();
  }

  /** A published track's media changes (another camera): on the direct senders, and on the SFU one unless parked. */
  async replaceTrack(local: LocalTrackView, track: MediaStreamTrack): Promise<void> {
    for (const link of this.links.values()) await link.senders.get(local.info.sid)?.sender.replaceTrack(track);
    if (!this.parked.has(local.transceiver.sender)) await local.transceiver.sender.replaceTrack(track);
  }

  /** How our media travels now: "direct" or "relayed" (TURN) over the direct connections, else "server". */
  async path(): Promise<ConnectionPath> {
    if (this.mode !== 'p2p') return 'server';
    const paths = await Promise.all([...this.links.values()].map((l) => selectedPath(l.pc)));
    if (!paths.length || paths.includes(null)) return 'server';
    return paths.includes('relayed') ? 'relayed' : 'direct';
  }

  /** Each peer's direct connection while the room is direct (p2p-quality.ts grades them). */
  connections(): Map<string, RTCPeerConnection> {
    if (this.mode !== 'p2p') return new Map();
    return new Map([...this.links.values()].filter((l) => !l.closed).map((l) => [l.peer, l.pc]));
  }

  close(): void {
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.parkTimer = null;
    for (const link of [...this.links.values()]) this.closeLink(link);
    this.parked.clear();
    this.parking = false;
    this.mode = null;
    this.peers = [];
  }

  private setMode(mode: 'p2p' | 'sfu', peers: string[]): void {
    const self = this.host.identity();
    const was = this.mode;
    const next = mode === 'p2p' ? peers.filter((p) => p !== self) : [];
    // The server repeats the mode unchanged only after a signaling resume
    // (docs/protocol.md, "Reconnect"); a change while we were away is just a change.
    const resumed = was === mode && next.length === this.peers.length && next.every((p, i) => p === this.peers[i]);
    this.mode = mode;
    this.peers = next;
    if (mode === 'sfu') {
      this.unpark();
      for (const link of this.links.values()) {
        // Closing anyway: no restart and no report while it hands over.
        this.stopIceTimer(link);
        void this.handOver(link);
      }
      return;
    }
    for (const link of [...this.links.values()]) if (!this.peers.includes(link.peer)) this.closeLink(link);
    if (resumed) for (const link of [...this.links.values()]) this.afterResume(link);
    for (const peer of this.peers) if (!this.links.has(peer)) this.open(peer);
    // Alone in a direct room: nobody receives what we would send the SFU.
    if (!this.peers.length) this.park();
    if (was !== 'p2p') this.scheduleParkCheck();
  }

  // A resume is an ICE restart on the direct connections too: the network
  // may have changed. One that is not up may have missed the peer's
  // signaling while we were away: it starts over with a fresh connection.
  private afterResume(link: PeerLink): void {
    if (link.pc.connectionState === 'connected') link.pc.restartIce();
    else this.replace(link);
  }

  private replace(link: PeerLink): PeerLink {
    this.closeLink(link);
    return this.open(link.peer);
  }

  private open(peer: string): PeerLink {
    const self = this.host.identity() ?? '';
    const pc = new RTCPeerConnection(this.host.config());
    const link: PeerLink = {
      peer, pc, polite: self > peer, makingOffer: false, offeredAt: 0, ignoreOffer: false, restarted: false, reported: false, iceTimer: null,
      chain: Promise.resolve(), senders: new Map(), receiveNames: [], shown: false, closed: false,
    };
    this.links.set(peer, link);
    pc.onnegotiationneeded = async () => {
      try {
        link.makingOffer = true;
        await pc.setLocalDescription();
        if (pc.localDescription) {
          link.offeredAt = performance.now();
          this.host.send({ type: 'p2p_offer', to: peer, sdp: this.outgoing(link, pc.localDescription.sdp) });
        }
      } catch { /* a newer negotiation follows */ } finally {
        link.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.host.send({ type: 'p2p_candidate', to: peer, candidate: candidate.toJSON() });
    };
    pc.oniceconnectionstatechange = () => {
      if (link.closed) return;
      const state = pc.iceConnectionState;
      if (state === 'connected' || state === 'completed') {
        // Up again: a later outage gets its own restart.
        this.stopIceTimer(link);
        link.restarted = false;
      } else if (state === 'failed') {
        this.iceFailed(link);
      } else if (state === 'disconnected' && !link.iceTimer) {
        // (A deadline already running, before the first connection or after a restart, stays.)
        this.startIceTimer(link, DISCONNECTED_TIMEOUT_MS);
      }
    };
    pc.onconnectionstatechange = () => { if (pc.connectionState === 'connected') this.scheduleParkCheck(); };
    pc.ontrack = (ev) => this.onTrack(link, ev);
    this.syncSenders(link);
    return link;
  }

  // Our description as the peer gets it: each local stream's id replaced by
  // the track's sid, so the peer can tell which published track arrives.
  private outgoing(link: PeerLink, sdp: string): string {
    for (const [sid, s] of link.senders) sdp = sdp.split(s.stream.id).join(sid);
    return sdp;
  }

  private syncSenders(link: PeerLink): void {
    const e2ee = this.host.e2ee();
    for (const [sid, s] of [...link.senders]) {
      if (this.host.localTracks.has(sid)) continue;
      if (s.e2ee) e2ee?.session.removeSendTrack(s.e2ee);
      if (link.pc.signalingState !== 'closed') link.pc.removeTrack(s.sender);
      link.senders.delete(sid);
    }
    for (const [sid, local] of this.host.localTracks) {
      if (link.senders.has(sid) || !local.track) continue;
      const stream = new MediaStream([local.track]);
      // A transceiver of its own (addTrack could take over one the peer's offer
      // made, and Chromium then sent its frames without our transform): each
      // side's media travels on the m-sections it offered.
      const sender = link.pc.addTransceiver(local.track, { direction: 'sendrecv', streams: [stream] }).sender;
      // Right after adding, before any await (e2ee-media.ts).
      let name: string | undefined;
      if (e2ee) {
        const attached = e2ee.transforms.attachSender(sender, local.track.kind, local.track.kind === 'audio' ? 'opus' : 'vp8');
        e2ee.session.addSendTrack(attached.name, attached.sent);
        name = attached.name;
      }
      link.senders.set(sid, { sender, stream, e2ee: name });
    }
  }

  private async onDescription(link: PeerLink, type: 'offer' | 'answer', sdp: string): Promise<void> {
    // Another DTLS certificate: the peer's connection is a new one (it left
    // direct mode and came back while our signaling was away), so is ours.
    const known = link.pc.remoteDescription ? fingerprint(link.pc.remoteDescription.sdp) : undefined;
    if (known && fingerprint(sdp) !== known) {
      const fresh = this.replace(link);
      if (type === 'offer') await this.onDescription(fresh, type, sdp); // else the fresh one offers
      return;
    }
    const pc = link.pc;
    const collision = type === 'offer' && (link.makingOffer || pc.signalingState !== 'stable');
    link.ignoreOffer = !link.polite && collision;
    if (link.ignoreOffer) {
      // The polite peer answers ours instead. An offer of ours still
      // unanswered after a while never arrived (sent while the peer's
      // signaling was away): say it again. A fresh one is ordinary glare.
      if (pc.signalingState === 'have-local-offer' && pc.localDescription && performance.now() - link.offeredAt > STALE_OFFER_MS) {
        this.host.send({ type: 'p2p_offer', to: link.peer, sdp: this.outgoing(link, pc.localDescription.sdp) });
      }
      return;
    }
    await pc.setRemoteDescription({ type, sdp });
    if (type === 'offer') {
      await pc.setLocalDescription();
      if (pc.localDescription) this.host.send({ type: 'p2p_answer', to: link.peer, sdp: this.outgoing(link, pc.localDescription.sdp) });
    }
    // Offer and answer are exchanged: ICE has this long to connect (a timer
    // already running, after a restart or a disconnection, keeps its deadline).
    if (!link.iceTimer && !['connected', 'completed'].includes(pc.iceConnectionState)) this.startIceTimer(link, CONNECT_TIMEOUT_MS);
  }

  // ICE to the peer failed, or did not connect in time: restart it once; if
  // that does not help, the server hears it and moves the room to the SFU.
  private iceFailed(link: PeerLink): void {
    this.stopIceTimer(link);
    if (link.closed || this.mode !== 'p2p' || link.reported) return;
    if (!link.restarted) {
      link.restarted = true;
      link.pc.restartIce();
      this.startIceTimer(link, CONNECT_TIMEOUT_MS);
      return;
    }
    link.reported = true;
    this.host.send({ type: 'p2p_failed', peer: link.peer });
  }

  private startIceTimer(link: PeerLink, ms: number): void {
    this.stopIceTimer(link);
    link.iceTimer = setTimeout(() => {
      link.iceTimer = null;
      this.iceFailed(link);
    }, ms);
  }

  private stopIceTimer(link: PeerLink): void {
    if (link.iceTimer) clearTimeout(link.iceTimer);
    link.iceTimer = null;
  }

  private async onCandidate(link: PeerLink, candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await link.pc.addIceCandidate(candidate);
    } catch (e) {
      if (!link.ignoreOffer) throw e;
    }
  }

  private onTrack(link: PeerLink, ev: RTCTrackEvent): void {
    // A renegotiation can fire track again for the same receiver: it is handled (and its transform set) once.
    if (this.receivers.has(ev.receiver)) return;
    this.receivers.add(ev.receiver);
    const sid = ev.streams[0]?.id ?? '';
    const kind = ev.track.kind as 'audio' | 'video';
    const info: TrackInfo = this.host.trackInfo(link.peer, sid) ?? {
      sid, publisher: link.peer, kind, source: kind === 'audio' ? 'microphone' : 'camera', name: '', mid: '', codec: '', muted: false,
    };
    this.attachReceiver(link, ev.receiver, kind);
    // Shown once it decodes (in an encrypted room: once the keys arrived too);
    // until then the page keeps what it shows (the SFU's track).
    void (async () => {
      while (!link.closed && this.mode === 'p2p') {
        if (await mediaFlowing(ev.receiver, kind, 2000)) {
          if (!link.closed && this.mode === 'p2p') {
            this.host.show(link.peer, ev.track, info);
            link.shown = true;
            this.scheduleParkCheck();
          }
          return;
        }
      }
    })();
  }

  // Decrypts what `receiver` gets from the peer.
  private attachReceiver(link: PeerLink, receiver: RTCRtpReceiver, kind: string): void {
    const e2ee = this.host.e2ee();
    if (!e2ee) return;
    link.receiveNames.push(e2ee.transforms.attachReceiver(receiver, link.peer, `p2p-${link.peer}-${++this.receiverCount}`, kind));
  }

  // Through the SFU again: the peer's SFU tracks go on the page as each
  // decodes, then the direct connection closes.
  private async handOver(link: PeerLink): Promise<void> {
    const subscriber = this.host.subscriber();
    const tracks = [...this.host.remoteTracks].filter(([, r]) => r.info.publisher === link.peer);
    await Promise.all(tracks.map(async ([mid, r]) => {
      const receiver = subscriber?.getTransceivers().find((t) => t.mid === mid)?.receiver;
      if (receiver) await mediaFlowing(receiver, r.info.kind, SWITCH_TIMEOUT_MS);
      if (this.mode === 'sfu' && this.host.remoteTracks.get(mid) === r) this.host.show(link.peer, r.track, r.info);
    }));
    if (this.mode === 'sfu') this.closeLink(link);
  }

  private scheduleParkCheck(): void {
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.parkTimer = setTimeout(() => {
      this.parkTimer = null;
      const links = [...this.links.values()];
      // Connected, and the peer's media from it shows here (so ours, sent the same way, shows there).
      const carrying = (l: PeerLink): boolean => l.pc.connectionState === 'connected' &&
        (l.shown || ![...this.host.remoteTracks.values()].some((r) => r.info.publisher === l.peer));
      if (this.mode === 'p2p' && links.length && links.every(carrying)) this.park();
    }, PARK_AFTER_MS);
  }

  private park(): void {
    if (this.mode !== 'p2p') return;
    this.parking = true;
    for (const local of this.host.localTracks.values()) {
      const sender = local.transceiver.sender;
      if (this.parked.has(sender) || local.transceiver.currentDirection === 'stopped') continue;
      this.parked.add(sender);
      sender.replaceTrack(null).catch(() => undefined);
      // A parked sender encodes nothing: the encryption check leaves it out until it sends again.
      const e2ee = this.host.e2ee();
      const name = e2ee?.transforms.senderName(sender);
      if (name) e2ee?.session.removeSendTrack(name);
    }
  }

  private unpark(): void {
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.parkTimer = null;
    this.parking = false;
    for (const local of this.host.localTracks.values()) {
      const sender = local.transceiver.sender;
      if (!this.parked.delete(sender)) continue;
      sender.replaceTrack(local.track).catch(() => undefined);
      const e2ee = this.host.e2ee();
      const name = e2ee?.transforms.senderName(sender);
      if (name) e2ee?.session.addSendTrack(name, () => sentCount(sender, local.info.kind));
    }
    this.parked.clear();
  }

  private closeLink(link: PeerLink): void {
    if (link.closed) return;
    link.closed = true;
    this.stopIceTimer(link);
    const e2ee = this.host.e2ee();
    for (const s of link.senders.values()) if (s.e2ee) e2ee?.session.removeSendTrack(s.e2ee);
    for (const name of link.receiveNames) e2ee?.session.removeReceiveTrack(link.peer, name);
    link.pc.close();
    if (this.links.get(link.peer) === link) this.links.delete(link.peer);
  }
}

/** The first DTLS fingerprint in a description (RFC 8122). */
function fingerprint(sdp: string): string | undefined {
  return /^a=fingerprint:(.*)$/m.exec(sdp)?.[1]?.trim();
}

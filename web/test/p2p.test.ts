import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONNECT_TIMEOUT_MS, DISCONNECTED_TIMEOUT_MS, P2pConnections, STALE_OFFER_MS, type P2pHost } from '../src/sdk/p2p';
import type { ClientMessage, TrackInfo } from '../src/sdk/protocol';

// Stand-ins for the browser's WebRTC objects: just what P2pConnections
// touches, with the descriptions a browser would make.
let streamIds = 0;
class FakeStream { readonly id = `stream-${++streamIds}`; constructor(readonly tracks: unknown[]) {} }
class FakeSender {
  constructor(public track: { id: string; kind: string } | null) {}
  replaceTrack(t: { id: string; kind: string } | null): Promise<void> { this.track = t; return Promise.resolve(); }
}
class FakePeerConnection {
  static all: FakePeerConnection[] = [];
  static nth(i: number): FakePeerConnection {
    const pc = FakePeerConnection.all[i];
    if (!pc) throw new Error(`no connection #${i}`);
    return pc;
  }
  readonly senders: { sender: FakeSender; stream: FakeStream }[] = [];
  localDescription: { type: string; sdp: string } | null = null;
  remote: { type: string; sdp: string } | null = null;
  get remoteDescription(): { type: string; sdp: string } | null { return this.remote; }
  signalingState = 'stable';
  connectionState = 'new';
  iceConnectionState = 'new';
  restarts = 0;
  closed = false;
  onnegotiationneeded: (() => Promise<void>) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  constructor(readonly config: unknown) { FakePeerConnection.all.push(this); }
  addTransceiver(track: { id: string; kind: string }, init: { streams: FakeStream[] }): { sender: FakeSender } {
    const sender = new FakeSender(track);
    this.senders.push({ sender, stream: init.streams[0]! });
    return { sender };
  }
  removeTrack(sender: FakeSender): void { sender.track = null; }
  setLocalDescription(): Promise<void> {
    const lines = this.senders.map(({ sender, stream }) => `a=msid:${stream.id} ${sender.track?.id}\r\n`).join('');
    this.localDescription = { type: this.remote?.type === 'offer' ? 'answer' : 'offer', sdp: `v=0\r\n${lines}` };
    return Promise.resolve();
  }
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void> { this.remote = d; return Promise.resolve(); }
  addIceCandidate(): Promise<void> { return Promise.resolve(); }
  restartIce(): void { this.restarts++; }
  getStats(): Promise<Map<string, unknown>> { return Promise.resolve(new Map()); }
  close(): void { this.closed = true; this.connectionState = 'closed'; }
}

const camera: TrackInfo = { sid: 'TR_cam', publisher: 'alice', kind: 'video', source: 'camera', name: '', mid: '0', codec: 'VP8', muted: false };

function setup(identity = 'alice') {
  const sent: ClientMessage[] = [];
  const shown: { participant: string; info: TrackInfo }[] = [];
  const track = { id: 'camera-track', kind: 'video' };
  const sfuSender = new FakeSender(track);
  const host: P2pHost = {
    identity: () => identity,
    localTracks: new Map(),
    remoteTracks: new Map(),
    subscriber: () => null,
    trackInfo: () => undefined,
    config: () => ({}),
    e2ee: () => null,
    send: (m) => sent.push(m),
    show: (participant, _track, info) => shown.push({ participant, info }),
  };
  const p2p = new P2pConnections(host);
  const publish = () => {
    host.localTracks.set('TR_cam', { track: track as unknown as MediaStreamTrack, transceiver: { sender: sfuSender, currentDirection: 'sendonly' } as unknown as RTCRtpTransceiver, info: camera });
    p2p.localTracksChanged();
  };
  return { p2p, host, sent, shown, sfuSender, track, publish };
}

describe('direct connections', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakePeerConnection.all = [];
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('alone in a direct room sends the server nothing, and gives the sender its track back for the SFU', async () => {
    const { p2p, sfuSender, track, publish } = setup();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice'] });
    publish();
    expect(sfuSender.track).toBeNull();
    expect(FakePeerConnection.all).toHaveLength(0);
    expect(await p2p.path()).toBe('server');
    p2p.onMessage({ type: 'connection_mode', mode: 'sfu', peers: [] });
    expect(sfuSender.track).toBe(track);
  });

  it('opens one connection per peer with the local tracks, and names each track by its sid in what it sends', async () => {
    const { p2p, sent, publish, host } = setup();
    publish();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob', 'carol'] });
    expect([...p2p.links.keys()]).toEqual(['bob', 'carol']);
    const pc = FakePeerConnection.nth(0);
    expect(pc.senders).toHaveLength(1);
    await pc.onnegotiationneeded!();
    const offer = sent.find((m) => m.type === 'p2p_offer') as { to: string; sdp: string };
    expect(offer.to).toBe('bob');
    expect(offer.sdp).toContain('a=msid:TR_cam camera-track');
    expect(offer.sdp).not.toContain(pc.senders[0]!.stream.id);
    // The SFU's tracks of a direct peer are kept from the page; not once the room is on the SFU.
    expect(p2p.holds({ ...camera, publisher: 'bob' })).toBe(true);
    expect(p2p.holds({ ...camera, publisher: 'dave' })).toBe(false);
    // Unpublished: the direct senders follow.
    host.localTracks.clear();
    p2p.localTracksChanged();
    expect(pc.senders[0]!.sender.track).toBeNull();
  });

  it('answers an offer, and the peer that is not polite ignores a colliding one', async () => {
    const bobSide = setup('bob');
    bobSide.p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    bobSide.p2p.onMessage({ type: 'p2p_offer', from: 'alice', sdp: 'v=0\r\n' });
    await vi.runAllTimersAsync();
    expect(bobSide.sent.some((m) => m.type === 'p2p_answer' && m.to === 'alice')).toBe(true);

    FakePeerConnection.all = [];
    const aliceSide = setup('alice');
    aliceSide.p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    pc.signalingState = 'have-local-offer'; // alice is offering too; she is not polite (alice < bob)
    aliceSide.p2p.onMessage({ type: 'p2p_offer', from: 'bob', sdp: 'v=0\r\n' });
    await vi.runAllTimersAsync();
    expect(pc.remote).toBeNull();
    expect(aliceSide.sent.some((m) => m.type === 'p2p_answer')).toBe(false);
  });

  it('restarts ICE once, then reports the failure', () => {
    const { p2p, sent } = setup();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    pc.iceConnectionState = 'failed';
    pc.oniceconnectionstatechange!();
    expect(pc.restarts).toBe(1);
    expect(sent.some((m) => m.type === 'p2p_failed')).toBe(false);
    pc.oniceconnectionstatechange!();
    expect(sent.filter((m) => m.type === 'p2p_failed')).toEqual([{ type: 'p2p_failed', peer: 'bob' }]);
  });

  // Between two symmetric NATs without TURN, Chromium never says `failed`: it stays in `checking`.
  it('counts a connection that does not connect within the timeout as failed: one restart, then p2p_failed', async () => {
    const { p2p, sent } = setup();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    await pc.onnegotiationneeded!();
    p2p.onMessage({ type: 'p2p_answer', from: 'bob', sdp: 'v=0\r\n' });
    pc.iceConnectionState = 'checking';
    pc.oniceconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 100);
    expect(pc.restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(pc.restarts).toBe(1);
    // The restart's offer and answer do not move the deadline.
    await pc.onnegotiationneeded!();
    p2p.onMessage({ type: 'p2p_answer', from: 'bob', sdp: 'v=0\r\n' });
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 300);
    expect(sent.some((m) => m.type === 'p2p_failed')).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.filter((m) => m.type === 'p2p_failed')).toEqual([{ type: 'p2p_failed', peer: 'bob' }]);
    // Reported once; the server moves the room to the SFU.
    await vi.advanceTimersByTimeAsync(3 * CONNECT_TIMEOUT_MS);
    expect(sent.filter((m) => m.type === 'p2p_failed')).toHaveLength(1);
    expect(pc.restarts).toBe(1);
  });

  it('a connection that connects in time is not restarted', async () => {
    const { p2p, sent } = setup('bob');
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    p2p.onMessage({ type: 'p2p_offer', from: 'alice', sdp: 'v=0\r\n' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.some((m) => m.type === 'p2p_answer')).toBe(true);
    const pc = FakePeerConnection.nth(0);
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS / 2);
    pc.iceConnectionState = 'connected';
    pc.oniceconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(3 * CONNECT_TIMEOUT_MS);
    expect(pc.restarts).toBe(0);
    expect(sent.some((m) => m.type === 'p2p_failed')).toBe(false);
  });

  it('restarts a connection disconnected for the timeout, and reports it when the restart does not connect', async () => {
    const { p2p, sent } = setup();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    pc.iceConnectionState = 'connected';
    pc.oniceconnectionstatechange!();
    // A short drop is left alone.
    pc.iceConnectionState = 'disconnected';
    pc.oniceconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(DISCONNECTED_TIMEOUT_MS - 1000);
    pc.iceConnectionState = 'connected';
    pc.oniceconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(2 * DISCONNECTED_TIMEOUT_MS);
    expect(pc.restarts).toBe(0);
    // A long one is restarted, then reported.
    pc.iceConnectionState = 'disconnected';
    pc.oniceconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(DISCONNECTED_TIMEOUT_MS);
    expect(pc.restarts).toBe(1);
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
    expect(sent.filter((m) => m.type === 'p2p_failed')).toEqual([{ type: 'p2p_failed', peer: 'bob' }]);
  });

  it('stops the timeouts when the room moves to the SFU or the client closes', async () => {
    const { p2p, sent } = setup();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    pc.iceConnectionState = 'connected';
    pc.oniceconnectionstatechange!();
    pc.iceConnectionState = 'disconnected';
    pc.oniceconnectionstatechange!();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    p2p.onMessage({ type: 'connection_mode', mode: 'sfu', peers: [] });
    await vi.advanceTimersByTimeAsync(DISCONNECTED_TIMEOUT_MS + CONNECT_TIMEOUT_MS);
    expect(pc.restarts).toBe(0);
    expect(pc.closed).toBe(true);

    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const again = FakePeerConnection.nth(1);
    again.iceConnectionState = 'connected';
    again.oniceconnectionstatechange!();
    again.iceConnectionState = 'disconnected';
    again.oniceconnectionstatechange!();
    p2p.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(DISCONNECTED_TIMEOUT_MS + CONNECT_TIMEOUT_MS);
    expect(again.restarts).toBe(0);
    expect(sent.some((m) => m.type === 'p2p_failed')).toBe(false);
  });

  it('closes the connection of a peer who left the mesh, and parks the SFU senders once every direct path is up', async () => {
    const { p2p, sfuSender, publish } = setup();
    publish();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob', 'carol'] });
    const [bob, carol] = [FakePeerConnection.nth(0), FakePeerConnection.nth(1)];
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    expect(carol.closed).toBe(true);
    expect(bob.closed).toBe(false);
    expect(sfuSender.track).not.toBeNull();
    bob.connectionState = 'connected';
    bob.onconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(2000);
    expect(sfuSender.track).toBeNull();
    p2p.close();
    expect(bob.closed).toBe(true);
  });
  it('after a resume (the server repeats the mode) restarts ICE on a connection that is up, and starts over one that is not', async () => {
    const { p2p, sent } = setup('alice');
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob', 'carol'] });
    const [bob, carol] = [FakePeerConnection.nth(0), FakePeerConnection.nth(1)];
    bob.connectionState = 'connected';
    carol.connectionState = 'connecting';
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob', 'carol'] });
    expect(bob.restarts).toBe(1);
    expect(bob.closed).toBe(false);
    expect(carol.closed).toBe(true);
    const fresh = FakePeerConnection.nth(2);
    expect(p2p.links.get('carol')?.pc).toBe(fresh as unknown as RTCPeerConnection);
    await fresh.onnegotiationneeded!();
    expect(sent.filter((m) => m.type === 'p2p_offer').map((m) => (m as { to: string }).to)).toEqual(['carol']);
  });

  it('after a resume that finds the mode changed, switches: to the SFU, or to direct connections', async () => {
    const { p2p, sfuSender, track, publish } = setup('alice');
    publish();
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    pc.connectionState = 'connected';
    pc.onconnectionstatechange!();
    await vi.advanceTimersByTimeAsync(2000);
    expect(sfuSender.track).toBeNull();
    // Someone joined while our signaling was away: the resume says sfu.
    p2p.onMessage({ type: 'connection_mode', mode: 'sfu', peers: [] });
    expect(sfuSender.track).toBe(track);
    await vi.runAllTimersAsync();
    expect(pc.closed).toBe(true);
    expect(pc.restarts).toBe(0);
    // And back: direct again, a new connection.
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    expect(FakePeerConnection.all).toHaveLength(2);
    expect(p2p.links.get('bob')?.pc).toBe(FakePeerConnection.nth(1) as unknown as RTCPeerConnection);
  });

  it('the peer that is not polite repeats a pending offer that went unanswered when it ignores a colliding one', async () => {
    const { p2p, sent } = setup('alice');
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const pc = FakePeerConnection.nth(0);
    await pc.onnegotiationneeded!();
    pc.signalingState = 'have-local-offer';
    expect(sent.filter((m) => m.type === 'p2p_offer')).toHaveLength(1);
    // Ordinary glare: the offers crossed; the polite peer answers ours.
    p2p.onMessage({ type: 'p2p_offer', from: 'bob', sdp: 'v=0\r\n' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.filter((m) => m.type === 'p2p_offer')).toHaveLength(1);
    // Still unanswered after a while: it was lost.
    await vi.advanceTimersByTimeAsync(STALE_OFFER_MS + 100);
    p2p.onMessage({ type: 'p2p_offer', from: 'bob', sdp: 'v=0\r\n' });
    await vi.advanceTimersByTimeAsync(0);
    const offers = sent.filter((m) => m.type === 'p2p_offer') as { to: string; sdp: string }[];
    expect(offers).toHaveLength(2);
    expect(offers[1]).toEqual(offers[0]);
    expect(pc.remote).toBeNull();
  });

  it('a description with another DTLS fingerprint comes from a new connection of the peer: ours starts over', async () => {
    const { p2p, sent } = setup('bob');
    p2p.onMessage({ type: 'connection_mode', mode: 'p2p', peers: ['alice', 'bob'] });
    const old = FakePeerConnection.nth(0);
    p2p.onMessage({ type: 'p2p_offer', from: 'alice', sdp: 'v=0\r\na=fingerprint:sha-256 AA\r\n' });
    await vi.runAllTimersAsync();
    expect(old.remote?.sdp).toContain('AA');
    // The same certificate (an ICE restart) is the same connection.
    p2p.onMessage({ type: 'p2p_offer', from: 'alice', sdp: 'v=0\r\na=fingerprint:sha-256 AA\r\na=ice-ufrag:x\r\n' });
    await vi.runAllTimersAsync();
    expect(FakePeerConnection.all).toHaveLength(1);
    p2p.onMessage({ type: 'p2p_offer', from: 'alice', sdp: 'v=0\r\na=fingerprint:sha-256 BB\r\n' });
    await vi.runAllTimersAsync();
    expect(old.closed).toBe(true);
    const fresh = FakePeerConnection.nth(1);
    expect(fresh.remote?.sdp).toContain('BB');
    expect(sent.filter((m) => m.type === 'p2p_answer')).toHaveLength(3);
    // An answer from a new connection: ours starts over and offers afresh.
    p2p.onMessage({ type: 'p2p_answer', from: 'alice', sdp: 'v=0\r\na=fingerprint:sha-256 CC\r\n' });
    await vi.runAllTimersAsync();
    expect(fresh.closed).toBe(true);
    expect(FakePeerConnection.nth(2).remote).toBeNull();
  });
});

// E2eeSession: the key exchange, rotation and verification of a call, with
// several sessions wired through an in-memory relay that plays the server
// (and, in some tests, a server that lies). Each session's worker is the real
// worker core (E2eeWorkerCore) without the worker global; crypto is WebCrypto.
import { describe, expect, it, vi } from 'vitest';
import { utf8 } from '../src/sdk/e2ee/bytes';
import { MemoryIdentityKeyStore, createEphemeralKey, createKeyAnnouncement } from '../src/sdk/e2ee/identity';
import { epochOf, stepOf } from '../src/sdk/e2ee/ratchet';
import { MemoryPinStore } from '../src/sdk/e2ee/trust';
import { E2eeWorkerCore } from '../src/sdk/e2ee/worker-core';
import type { FromWorker, ToWorker } from '../src/sdk/e2ee/worker-protocol';
import { E2eeSession, type E2eeEvents } from '../src/sdk/e2ee-session';
import { DataDecryptError, type E2eeWorkerPort } from '../src/sdk/e2ee-worker-client';
import type { ClientMessage } from '../src/sdk/protocol';
import { ManualTimers } from './manual-timers';

const ROOM = 'standup';
const QUIET_MS = 300;
const SWITCH_MS = 1000;


/** The real worker core behind a Worker-shaped port; remembers what it is still working on. */
class CorePort implements E2eeWorkerPort {
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null = null;
  readonly core = new E2eeWorkerCore((m) => this.onmessage?.({ data: m } as MessageEvent<FromWorker>));
  readonly busy = new Set<Promise<void>>();
  readonly received: ToWorker[] = [];
  terminated = false;
  postMessage(message: ToWorker): void {
    this.received.push(message);
    const job = this.core.handle(message).finally(() => this.busy.delete(job));
    this.busy.add(job);
  }
  terminate(): void {
    this.terminated = true;
  }
}

interface Browser {
  identityStore: MemoryIdentityKeyStore;
  pins: MemoryPinStore;
}

const newBrowser = (): Browser => ({ identityStore: new MemoryIdentityKeyStore(), pins: new MemoryPinStore() });

interface Peer {
  identity: string;
  session: E2eeSession;
  port: CorePort;
  events: { [K in keyof E2eeEvents]?: E2eeEvents[K][] };
  browser: Browser;
}

/** Plays the server: keeps each participant's latest announcement and relays announcements and key blobs. */
class Relay {
  readonly timers = new ManualTimers();
  readonly peers = new Map<string, Peer>();
  readonly announcements = new Map<string, string>();
  /** Every e2ee_keys entry relayed. */
  readonly keyLog: { from: string; to: string; blob: string }[] = [];
  /** Announcements to these identities wait until released (a slow or reordering server). */
  readonly holdAnnouncementsTo = new Set<string>();
  readonly #held: { to: string; from: string; announcement: string }[] = [];
  /** Identities the roster shows but that never join the key exchange (a server that injects). */
  readonly injected = new Set<string>();
  /** Identities the roster hides (a server that hides them). */
  readonly hidden = new Set<string>();

  join(identity: string, browser = newBrowser(), extra: { testWrongKey?: boolean } = {}): Peer {
    const port = new CorePort();
    const events: Peer['events'] = {};
    const session = new E2eeSession({
      room: ROOM,
      identity,
      send: (m) => this.#fromClient(identity, m),
      emit: (type, detail) => void (events[type] ??= []).push(detail as never),
      worker: port,
      stores: async () => ({ identity: browser.identityStore, pins: browser.pins }),
      roster: () => [...this.peers.keys(), ...this.injected].filter((id) => id !== identity && !this.hidden.has(id)),
      timers: this.timers,
      quietMs: QUIET_MS,
      switchDelayMs: SWITCH_MS,
      checkIntervalMs: 60_000,
      keepWorker: true,
      ...extra,
    });
    const snapshot = [...this.peers.keys()].map((id) => ({ identity: id, e2ee_announcement: this.announcements.get(id) }));
    const peer = { identity, session, port, events, browser };
    this.peers.set(identity, peer);
    for (const p of this.peers.values()) if (p !== peer) p.session.rosterChanged();
    session.start(snapshot);
    return peer;
  }

  leave(identity: string): Peer {
    const peer = this.peers.get(identity)!;
    this.peers.delete(identity);
    this.announcements.delete(identity);
    peer.session.dispose();
    for (const p of this.peers.values()) p.session.participantLeft(identity);
    return peer;
  }

  releaseAnnouncementsTo(identity: string): void {
    this.holdAnnouncementsTo.delete(identity);
    for (const h of this.#held.filter((x) => x.to === identity)) this.peers.get(identity)?.session.announcementReceived(h.from, h.announcement);
  }

  #fromClient(from: string, m: ClientMessage): void {
    if (m.type === 'e2ee_announce') {
      this.announcements.set(from, m.announcement);
      for (const p of this.peers.values()) {
        if (p.identity === from) continue;
        if (this.holdAnnouncementsTo.has(p.identity)) this.#held.push({ to: p.identity, from, announcement: m.announcement });
        else p.session.announcementReceived(from, m.announcement);
      }
    } else if (m.type === 'e2ee_keys') {
      for (const k of m.keys) {
        this.keyLog.push({ from, to: k.to, blob: k.blob });
        this.peers.get(k.to)?.session.keyReceived(from, k.blob);
      }
    }
  }

  /** Lets every queued job, worker message and crypto operation finish. */
  async settle(): Promise<void> {
    for (let round = 0; round < 30; round++) {
      const peers = [...this.peers.values()];
      await Promise.all(peers.map((p) => p.session.idle()));
      await Promise.all(peers.flatMap((p) => [...p.port.busy]));
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  /** Lets a membership burst settle, its rekey go out, and a rotation switch. */
  async rekey(): Promise<void> {
    await this.settle();
    this.timers.advance(QUIET_MS);
    await this.settle();
    this.timers.advance(SWITCH_MS);
    await this.settle();
  }
}

async function opens(receiver: Peer, from: Peer, message: Uint8Array): Promise<string> {
  try {
    const plain = await receiver.session.decryptData(from.identity, message);
    return new TextDecoder().decode(plain);
  } catch (e) {
    if (e instanceof DataDecryptError) return e.code;
    throw e;
  }
}

async function threeInACall(): Promise<{ relay: Relay; alice: Peer; bob: Peer; carol: Peer }> {
  const relay = new Relay();
  const alice = relay.join('alice');
  await relay.rekey();
  const bob = relay.join('bob');
  await relay.rekey();
  const carol = relay.join('carol');
  await relay.rekey();
  return { relay, alice: alice, bob, carol };
}

describe('E2eeSession key exchange', { timeout: 30000 }, () => {
  it('gives three participants each other keys: every data message opens for the other two', async () => {
    const { alice, bob, carol } = await threeInACall();
    for (const sender of [alice, bob, carol]) {
      const sealed = await sender.session.encryptData(utf8(`hello from ${sender.identity}`));
      expect(new TextDecoder().decode(sealed)).not.toContain('hello');
      for (const receiver of [alice, bob, carol].filter((p) => p !== sender)) {
        expect(await opens(receiver, sender, sealed)).toBe(`hello from ${sender.identity}`);
      }
    }
  });

  it('lists whom it encrypts with from the key exchange, each with its key received, and one group code for all', async () => {
    const { alice, bob, carol } = await threeInACall();
    const m = alice.session.membership;
    expect(m.members.map((x) => [x.identity, x.keyReceived, x.inRoster, x.trust])).toEqual([
      ['bob', true, true, 'new'],
      ['carol', true, true, 'new'],
    ]);
    expect(m.notInKeyExchange).toEqual([]);
    await vi.waitFor(() => {
      const codes = [alice, bob, carol].map((p) => p.session.membership.groupCode);
      expect(codes[0]).toMatch(/^\d{4} \d{4} \d{4}$/);
      expect(new Set(codes).size).toBe(1);
    }, { timeout: 15000 });
  });

  it('gives both sides of a pair the same 60-digit safety number, and a different one for another pair', async () => {
    const { alice, bob, carol } = await threeInACall();
    const ab = await alice.session.safetyNumber('bob');
    expect(ab).toMatch(/^\d{60}$/);
    expect(await bob.session.safetyNumber('alice')).toBe(ab);
    expect(await carol.session.safetyNumber('alice')).not.toBe(ab);
    expect(await alice.session.safetyNumber('nobody')).toBeNull();
  });

  it('on a join ratchets the sender key and sends it to the newcomer only; the newcomer cannot read what came before', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const bob = relay.join('bob');
    await relay.rekey();
    const kidBefore = alice.session.currentSendKid!;
    const before = await alice.session.encryptData(utf8('before carol'));
    relay.keyLog.length = 0;
    const carol = relay.join('carol');
    await relay.rekey();
    const kidAfter = alice.session.currentSendKid!;
    expect(epochOf(kidAfter)).toBe(epochOf(kidBefore));
    expect(stepOf(kidAfter)).toBe(stepOf(kidBefore) + 1);
    // Alice's and Bob's ratcheted keys go to Carol alone; Carol's first key to both.
    expect(relay.keyLog.filter((k) => k.from === 'alice').map((k) => k.to)).toEqual(['carol']);
    expect(relay.keyLog.filter((k) => k.from === 'bob').map((k) => k.to)).toEqual(['carol']);
    expect(relay.keyLog.filter((k) => k.from === 'carol').map((k) => k.to).sort()).toEqual(['alice', 'bob']);
    // Bob follows Alice's ratchet without a message; Carol has only the new key.
    const after = await alice.session.encryptData(utf8('after carol'));
    expect(await opens(bob, alice, after)).toBe('after carol');
    expect(await opens(carol, alice, after)).toBe('after carol');
    expect(await opens(carol, alice, before)).toBe('noKey');
  });

  it('debounces a burst of joins into one ratchet', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const kid = alice.session.currentSendKid!;
    relay.join('bob');
    await relay.settle();
    relay.timers.advance(QUIET_MS - 100);
    relay.join('carol');
    await relay.rekey();
    expect(alice.session.currentSendKid).toBe(kid + 1n);
  });

  it('on a leave rotates to a new random key for those who remain; whoever left cannot read what is sent after the switch', async () => {
    const { relay, alice, bob, carol } = await threeInACall();
    const held = await alice.session.encryptData(utf8('while bob is here'));
    expect(await opens(bob, alice, held)).toBe('while bob is here');
    const epochBefore = epochOf(alice.session.currentSendKid!);
    relay.keyLog.length = 0;
    relay.leave('bob');
    await relay.settle();
    relay.timers.advance(QUIET_MS);
    await relay.settle();
    // The new key went out to Carol only, and is not used before the switch delay.
    expect(relay.keyLog.filter((k) => k.from === 'alice').map((k) => k.to)).toEqual(['carol']);
    expect(epochOf(alice.session.currentSendKid!)).toBe(epochBefore);
    relay.timers.advance(SWITCH_MS);
    await relay.settle();
    expect(epochOf(alice.session.currentSendKid!)).toBe(epochBefore + 1n);
    const after = await alice.session.encryptData(utf8('after bob left'));
    expect(await opens(carol, alice, after)).toBe('after bob left');
    // Bob's worker still holds every key he was given; none opens it.
    expect(await opens(bob, alice, after)).toBe('noKey');
    expect(await opens(bob, carol, await carol.session.encryptData(utf8('x')))).toBe('noKey');
  });

  it('holds a key blob that arrives before its sender announcement and applies it when the announcement comes', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    relay.holdAnnouncementsTo.add('alice');
    const bob = relay.join('bob');
    await relay.settle();
    expect(relay.keyLog.map((k) => [k.from, k.to])).toContainEqual(['bob', 'alice']);
    expect(alice.session.membership.members).toEqual([]);
    relay.releaseAnnouncementsTo('alice');
    await relay.rekey();
    expect(alice.session.membership.members.map((m) => [m.identity, m.keyReceived])).toEqual([['bob', true]]);
    expect(await opens(alice, bob, await bob.session.encryptData(utf8('first words')))).toBe('first words');
  });

  it('after a resume announces a new ephemeral key, is sent everyone key again, and keeps decrypting', async () => {
    const { relay, alice, bob, carol } = await threeInACall();
    relay.keyLog.length = 0;
    bob.session.resumed([
      { identity: 'alice', e2ee_announcement: relay.announcements.get('alice') },
      { identity: 'carol', e2ee_announcement: relay.announcements.get('carol') },
    ]);
    await relay.rekey();
    expect(relay.keyLog.filter((k) => k.to === 'bob').map((k) => k.from).sort()).toEqual(['alice', 'carol']);
    const sealed = await alice.session.encryptData(utf8('still here'));
    expect(await opens(bob, alice, sealed)).toBe('still here');
    expect(await opens(carol, alice, sealed)).toBe('still here');
    const fromBob = await bob.session.encryptData(utf8('me too'));
    expect(await opens(alice, bob, fromBob)).toBe('me too');
    // Announcements seen before and repeated in the snapshot are no replay attempt.
    expect(bob.events.e2ee_warning).toBeUndefined();
  });
});

describe('E2eeSession against a server that lies', { timeout: 30000 }, () => {
  it('shows a participant the roster hides but who holds keys, and one the roster lists without keys', async () => {
    const relay = new Relay();
    relay.hidden.add('eve');
    relay.injected.add('ghost');
    const alice = relay.join('alice');
    await relay.rekey();
    relay.join('eve');
    await relay.rekey();
    relay.join('bob');
    await relay.rekey();
    const m = alice.session.membership;
    expect(m.members.map((x) => [x.identity, x.inRoster])).toEqual([
      ['bob', true],
      ['eve', false],
    ]);
    expect(m.notInKeyExchange).toEqual(['ghost']);
  });

  it('refuses an announcement relayed under another participant name', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const identityKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const ephemeral = await createEphemeralKey();
    const mallorys = await createKeyAnnouncement({ room: ROOM, identity: 'mallory', identityKeyPair, ephemeralPublicKey: ephemeral.publicKey });
    alice.session.announcementReceived('bob', JSON.stringify(mallorys));
    await relay.settle();
    expect(alice.session.membership.members).toEqual([]);
    expect(alice.events.e2ee_warning).toEqual([{ identity: 'bob', reason: 'announcement signed for "mallory"' }]);
  });

  it('refuses announcements that are not JSON, carry a bad signature, are for another room, or are replayed', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const identityKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const ephemeral = await createEphemeralKey();
    const good = await createKeyAnnouncement({ room: ROOM, identity: 'bob', identityKeyPair, ephemeralPublicKey: ephemeral.publicKey });
    const otherRoom = await createKeyAnnouncement({ room: 'elsewhere', identity: 'bob', identityKeyPair, ephemeralPublicKey: ephemeral.publicKey });
    const forged = { ...good, nonce: (await createKeyAnnouncement({ room: ROOM, identity: 'bob', identityKeyPair, ephemeralPublicKey: ephemeral.publicKey })).nonce.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    const newer = await createKeyAnnouncement({ room: ROOM, identity: 'bob', identityKeyPair, ephemeralPublicKey: (await createEphemeralKey()).publicKey });
    // The last one replays an announcement that Bob has since replaced.
    for (const text of ['not json', '[1]', JSON.stringify(forged), JSON.stringify(otherRoom), JSON.stringify(good), JSON.stringify(newer), JSON.stringify(good)]) {
      alice.session.announcementReceived('bob', text);
    }
    await relay.settle();
    expect((alice.events.e2ee_warning ?? []).map((w) => w.reason)).toEqual([
      'announcement refused: malformed',
      'announcement refused: malformed',
      'announcement refused: bad-signature',
      'announcement refused: wrong-room',
      'announcement refused: replayed',
    ]);
    expect(alice.session.membership.members.map((m) => m.identity)).toEqual(['bob']);
  });

  it('refuses a key blob that was not wrapped for this pair', async () => {
    const { relay, carol } = await threeInACall();
    const forBob = relay.keyLog.find((k) => k.from === 'alice' && k.to === 'bob')!;
    carol.session.keyReceived('alice', forBob.blob);
    carol.session.keyReceived('alice', 'not*base64');
    await relay.settle();
    expect((carol.events.e2ee_warning ?? []).map((w) => w.reason)).toEqual(['key refused: auth-failed', 'key refused: malformed']);
  });
});

describe('E2eeSession verification', { timeout: 30000 }, () => {
  it('warns loudly when a name seen before comes back with another identity key, and the safety number changes', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    relay.join('bob');
    await relay.rekey();
    const before = await alice.session.safetyNumber('bob');
    const firstKey = alice.session.membership.members[0]!.identityKey;
    relay.leave('bob');
    await relay.rekey();
    // Bob again, from another browser (another identity key).
    relay.join('bob');
    await relay.rekey();
    const member = alice.session.membership.members[0]!;
    expect(member.trust).toBe('changed');
    expect(alice.events.identity_changed).toEqual([{ identity: 'bob', previousKey: firstKey, identityKey: member.identityKey }]);
    expect(member.identityKey).not.toBe(firstKey);
    expect(await alice.session.safetyNumber('bob')).not.toBe(before);
    // Verified by the person: accepted, the warning state clears.
    await alice.session.acceptIdentity('bob');
    expect(alice.session.membership.members[0]!.trust).toBe('known');
  });

  it('does not warn when the same browser comes back', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const bobsBrowser = newBrowser();
    relay.join('bob', bobsBrowser);
    await relay.rekey();
    relay.leave('bob');
    await relay.rekey();
    relay.join('bob', bobsBrowser);
    await relay.rekey();
    expect(alice.session.membership.members[0]!.trust).toBe('known');
    expect(alice.events.identity_changed).toBeUndefined();
  });
});

describe('E2eeSession test hook and sending check', { timeout: 30000 }, () => {
  it('with the wrong-key hook decrypts nothing from others, while others decrypt it', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    const wrong = relay.join('wrong', newBrowser(), { testWrongKey: true });
    await relay.rekey();
    const fromAlice = await alice.session.encryptData(utf8('hi'));
    expect(await opens(wrong, alice, fromAlice)).toBe('authFailed');
    expect(await opens(alice, wrong, await wrong.session.encryptData(utf8('hello')))).toBe('hello');
  });

  it('calls the call encrypted only when every sending track has frames encrypted, and failed when one sends around the worker', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    await relay.rekey();
    let videoSent = 0;
    // No track: a data-only participant is encrypted as soon as its key is out.
    expect(await alice.session.checkSending()).toBe('encrypted');
    alice.session.addSendTrack('send-video-1', async () => videoSent);
    expect(await alice.session.checkSending()).toBe('starting');
    videoSent = 30;
    expect(await alice.session.checkSending()).toBe('starting');
    // Frames through the worker's transform for that track: encrypted.
    const frames = Array.from({ length: 3 }, (_, i) => ({ data: new Uint8Array(50).fill(i).buffer, type: 'delta', getMetadata: () => ({ mimeType: 'video/VP8' }) }));
    const readable = new ReadableStream({ start: (c) => (frames.forEach((f) => c.enqueue(f)), c.close()) });
    await alice.port.core.attach(readable, new WritableStream(), { direction: 'encrypt', track: 'send-video-1' });
    videoSent = 60;
    expect(await alice.session.checkSending()).toBe('encrypted');
    expect(alice.events.e2ee_state?.at(-1)).toEqual({ state: 'encrypted' });
    // The encoder keeps going, the worker sees nothing more: a track leaking around encryption.
    for (let i = 0; i < 3; i++) {
      videoSent += 30;
      await alice.session.checkSending();
    }
    expect(alice.session.state).toBe('failed');
  });

  it('reports per participant whether their frames decrypt', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    const bob = relay.join('bob');
    await relay.rekey();
    const encrypted: ArrayBuffer[] = [];
    const frames = Array.from({ length: 6 }, (_, i) => ({ data: new Uint8Array([0x78, i, i, i]).buffer, getMetadata: () => ({ mimeType: 'audio/opus' }) }));
    await bob.port.core.attach(
      new ReadableStream({ start: (c) => (frames.forEach((f) => c.enqueue(f)), c.close()) }),
      new WritableStream({ write: (f: { data: ArrayBuffer }) => void encrypted.push(f.data) }),
      { direction: 'encrypt', track: 'send-audio-1' },
    );
    const feed = (datas: ArrayBuffer[]) =>
      alice.port.core.attach(
        new ReadableStream({ start: (c) => (datas.forEach((d) => c.enqueue({ data: d.slice(0), getMetadata: () => ({ mimeType: 'audio/opus' }) })), c.close()) }),
        new WritableStream(),
        { direction: 'decrypt', track: 'receive-3', participant: 'bob' },
      );
    await feed(encrypted);
    expect(alice.session.decryptState('bob')).toBe('decrypting');
    await feed(encrypted.map((d) => new Uint8Array(d).map((b, i) => (i > 8 ? b ^ 1 : b)).buffer));
    expect(alice.session.decryptState('bob')).toBe('failing');
    expect(alice.events.e2ee_decrypt_state).toEqual([
      { participant: 'bob', state: 'decrypting' },
      { participant: 'bob', state: 'failing' },
    ]);
    alice.session.removeReceiveTrack('bob', 'receive-3');
    expect(alice.session.decryptState('bob')).toBeNull();
  });

  it('tells which frames the keys it holds open, without touching anyone\'s lock', async () => {
    const relay = new Relay();
    const alice = relay.join('alice');
    const bob = relay.join('bob');
    await relay.rekey();
    const frames = () => Array.from({ length: 4 }, (_, i) => ({ data: new Uint8Array(60).fill(i + 1).buffer, type: i === 0 ? 'key' : 'delta', getMetadata: () => ({ mimeType: 'video/VP8' }) }));
    const sealed: { data: ArrayBuffer; keyframe: boolean }[] = [];
    await bob.port.core.attach(
      new ReadableStream({ start: (c) => (frames().forEach((f) => c.enqueue(f)), c.close()) }),
      new WritableStream({ write: (f: { data: ArrayBuffer; type: string }) => void sealed.push({ data: f.data, keyframe: f.type === 'key' }) }),
      { direction: 'encrypt', track: 'send-video-1' },
    );
    expect(await alice.session.decryptFrames('bob', sealed)).toEqual({ encrypted: 0, decrypted: 4, noKey: 0, authFailed: 0, malformed: 0 });
    // Frames under a key Alice never got: none opens.
    const stranger = new Relay().join('bob');
    await new Promise((r) => setTimeout(r, 50));
    await stranger.session.idle();
    const foreign: { data: ArrayBuffer; keyframe: boolean }[] = [];
    await stranger.port.core.attach(
      new ReadableStream({ start: (c) => (frames().forEach((f) => c.enqueue(f)), c.close()) }),
      new WritableStream({ write: (f: { data: ArrayBuffer; type: string }) => void foreign.push({ data: f.data, keyframe: f.type === 'key' }) }),
      { direction: 'encrypt', track: 'send-video-1' },
    );
    expect(foreign).toHaveLength(4);
    const counts = await alice.session.decryptFrames('bob', foreign);
    expect(counts.decrypted).toBe(0);
    expect(counts.noKey + counts.authFailed).toBe(4);
    expect(alice.session.decryptState('bob')).toBeNull();
    expect(alice.events.e2ee_decrypt_state).toBeUndefined();
  });

  it('terminates its worker on dispose unless told to keep it', async () => {
    const port = new CorePort();
    const session = new E2eeSession({
      room: ROOM, identity: 'solo', send: () => {}, emit: () => {}, worker: port,
      stores: async () => ({ identity: new MemoryIdentityKeyStore(), pins: new MemoryPinStore() }), roster: () => [],
    });
    session.start([]);
    await session.idle();
    session.dispose();
    expect(port.terminated).toBe(true);
    await expect(session.encryptData(utf8('x'))).rejects.toThrow(DataDecryptError);
  });
});

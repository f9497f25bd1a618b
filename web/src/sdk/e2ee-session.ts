// The end-to-end encryption of one call (docs/security.md): the key exchange
// relayed by signaling, key rotation as people come and go, and the one
// worker that encrypts and decrypts every frame and data message of the page.
//
// - At join: load this browser's identity key, make an ephemeral key, announce
//   it (e2ee_announce), verify everyone's announcement, send each of them our
//   sender key wrapped to their ephemeral key (e2ee_keys).
// - Someone announces later: verify, pin (trust on first use), then after the
//   membership burst settles ratchet our key and send it to the newcomers only.
// - Someone leaves: a new random key for those who remain, switched to after
//   a short delay (EpochKeyManager.rotate).
// - Someone's wrapped key arrives (e2ee_key): unwrap, hand it to the worker.
//
// Who we encrypt with is the set of verified announcements, never the
// server's roster: the two are compared so that a participant the server
// hides, or lists without keys, shows up.

import {
  AnnouncementError, EpochKeyManager, bytesEqual, KeyWrapError, MembershipDebouncer, TrustOnFirstUse,
  createEphemeralKey, createKeyAnnouncement, deriveWrapKey, exportPublicKey, fromBase64Url, groupCode,
  loadOrCreateIdentityKey, rekeyFor, safetyNumber, systemTimers, toBase64Url, unwrapSenderKey, verifyKeyAnnouncement, wrapSenderKey,
  type Bytes, type FrameCryptorStats, type MediaCodec, type IdentityKeyStore, type KeyAnnouncement, type MembershipChange,
  type PinStore, type SenderKey, type Timers, type TrackStats, type TrustState, type VerifiedAnnouncement,
} from './e2ee';
import { E2eeWorkerClient, type DecryptStateMessage, type E2eeWorkerPort } from './e2ee-worker-client';
import type { ClientMessage, E2eeKeyEntry } from './protocol';

/**
 * off: a plain room. starting: keys being exchanged, or our frames not yet
 * seen encrypted. encrypted: every frame we send goes through encryption.
 * failed: a track of ours is sending without passing through encryption.
 */
export type E2eeState = 'off' | 'starting' | 'encrypted' | 'failed';
export type DecryptState = 'decrypting' | 'failing';

/** A participant we exchange keys with: its announcement verified and signed by this identity key. */
export interface E2eeMember {
  identity: string;
  /** The raw identity public key, base64url. */
  identityKey: string;
  trust: TrustState;
  /** We hold a sender key from them. */
  keyReceived: boolean;
  /** The server lists them in the room; false means the server hides someone who holds our key. */
  inRoster: boolean;
}

export interface E2eeMembership {
  /** The "encrypted with" list: everyone our key goes to (self excluded). */
  members: E2eeMember[];
  /** Listed by the server but in no verified key exchange: they cannot read the call. */
  notInKeyExchange: string[];
  /** Over everyone's identity keys, self included (safety-number.ts); '' before the exchange. */
  groupCode: string;
}

export interface E2eeEvents {
  e2ee_state: { state: E2eeState };
  e2ee_members: E2eeMembership;
  e2ee_decrypt_state: { participant: string; state: DecryptState };
  /** An identity known in this browser announced another identity key: say so loudly. */
  identity_changed: { identity: string; previousKey: string; identityKey: string };
  /** Something in the key exchange was refused (a bad announcement, a key that does not open). */
  e2ee_warning: { identity: string; reason: string };
}

export interface E2eeStores {
  identity: IdentityKeyStore;
  pins: PinStore;
}

/** Counts a sent track's frames as the encoder sees them, before the transform. */
export type SentCounter = () => Promise<number>;

export interface E2eeSessionOptions {
  room: string;
  identity: string;
  send: (message: ClientMessage) => void;
  emit: <K extends keyof E2eeEvents>(type: K, detail: E2eeEvents[K]) => void;
  worker: E2eeWorkerPort;
  stores: () => Promise<E2eeStores>;
  /** The server's roster (identities other than ours). */
  roster: () => Iterable<string>;
  timers?: Timers;
  /** Membership bursts settle after this much quiet. */
  quietMs?: number;
  /** A rotation switches to its new key after this delay. */
  switchDelayMs?: number;
  /** How often the worker's counts are compared with the encoders'. */
  checkIntervalMs?: number;
  /** Test hook: use a wrong key for every key received, so nothing decrypts. */
  testWrongKey?: boolean;
  /** Test hook: keep the worker (and so the keys held) after dispose. */
  keepWorker?: boolean;
}

/** Checks before a track with sent frames and no encrypted ones counts as leaking. */
const STALLED_CHECKS = 3;
/** Key blobs kept for a sender whose announcement has not arrived yet. */
const MAX_PENDING_BLOBS = 8;
/** e2ee_keys carries 1 to 64 entries (docs/protocol.md). */
const MAX_KEYS_PER_MESSAGE = 64;

interface Peer {
  /** As received, to recognise it when a snapshot repeats it. */
  text: string;
  announcement: VerifiedAnnouncement;
  trust: TrustState;
  /** Wraps our keys for them. */
  sendWrap: CryptoKey;
  /** Opens their keys for us. */
  receiveWrap: CryptoKey;
  keyReceived: boolean;
}

interface Self {
  identityKeyPair: CryptoKeyPair;
  identityKey: Bytes;
  ephemeral: CryptoKeyPair;
  ephemeralKey: Bytes;
}

interface SendTrack {
  sent: SentCounter;
  lastSent: number;
  lastEncrypted: number;
  stalls: number;
}

export class E2eeSession {
  readonly room: string;
  readonly identity: string;
  readonly #o: E2eeSessionOptions;
  readonly #timers: Timers;
  readonly #keys: EpochKeyManager;
  readonly #debouncer: MembershipDebouncer;
  readonly #peers = new Map<string, Peer>();
  readonly #pendingBlobs = new Map<string, string[]>();
  readonly #seenNonces = new Set<string>();
  readonly #warnedChanges = new Set<string>();
  readonly #decrypting = new Map<string, Map<string, DecryptState>>();
  readonly #sendTracks = new Map<string, SendTrack>();
  readonly #worker: E2eeWorkerClient;
  #chain: Promise<void> = Promise.resolve();
  #self: Self | null = null;
  #trust: TrustOnFirstUse | null = null;
  #pins: PinStore | null = null;
  #started = false;
  #disposed = false;
  #state: E2eeState = 'starting';
  #membership: E2eeMembership = { members: [], notInKeyExchange: [], groupCode: '' };
  #membershipVersion = 0;
  #groupKeys = '';
  #checkTimer: unknown = null;

  constructor(options: E2eeSessionOptions) {
    this.#o = options;
    this.room = options.room;
    this.identity = options.identity;
    this.#timers = options.timers ?? systemTimers;
    this.#keys = new EpochKeyManager({
      onSwitch: (key) => this.#worker.post({ type: 'setSendKey', kid: key.kid, key: key.key.slice().buffer }),
      switchDelayMs: options.switchDelayMs ?? 1000,
      timers: this.#timers,
    });
    this.#debouncer = new MembershipDebouncer({
      onSettled: (change) => this.#enqueue(() => this.#rekey(change)),
      quietMs: options.quietMs ?? 300,
      timers: this.#timers,
    });
    this.#worker = new E2eeWorkerClient(options.worker, (m) => this.#onDecryptState(m));
  }

  get state(): E2eeState {
    return this.#state;
  }

  get membership(): E2eeMembership {
    return this.#membership;
  }

  /** The KID our frames are encrypted under now; null before the key exchange. */
  get currentSendKid(): bigint | null {
    return this.#keys.current?.kid ?? null;
  }

  /** Our raw identity public key, base64url; null until loaded. */
  get identityKey(): string | null {
    return this.#self ? toBase64Url(this.#self.identityKey) : null;
  }

  /** Settles when every job queued so far (announcements, keys, rekeys) is done. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** The first `joined` of an encrypted room: announce, verify those present, send them our key. */
  start(participants: readonly { identity: string; e2ee_announcement?: string }[]): void {
    this.#enqueue(async () => {
      try {
        await this.#start(participants);
      } catch (e) {
        this.#setState('failed');
        throw e;
      }
    });
  }

  async #start(participants: readonly { identity: string; e2ee_announcement?: string }[]): Promise<void> {
    const stores = await this.#o.stores();
    const identityKeyPair = await loadOrCreateIdentityKey(stores.identity);
    this.#pins = stores.pins;
    this.#trust = new TrustOnFirstUse(stores.pins);
    this.#self = { identityKeyPair, identityKey: await exportPublicKey(identityKeyPair.publicKey), ...(await this.#newEphemeral(identityKeyPair)) };
    for (const p of participants) if (p.e2ee_announcement) await this.#accept(p.identity, p.e2ee_announcement, false);
    const rekey = this.#keys.start();
    this.#started = true;
    await this.#sendKeys(rekey.keys, [...this.#peers.keys()]);
    this.#membersChanged();
    this.#scheduleCheck(0);
  }

  /**
   * A `joined` after a resume: keys sent to us while the socket was down may
   * be lost, so we announce a new ephemeral key (everyone treats us as a
   * newcomer and sends us their key) and send ours again to everyone.
   */
  resumed(participants: readonly { identity: string; e2ee_announcement?: string }[]): void {
    this.#enqueue(async () => {
      const self = this.#self;
      if (!self || !this.#started) return;
      Object.assign(self, await this.#newEphemeral(self.identityKeyPair));
      const present = new Set(participants.map((p) => p.identity));
      for (const id of [...this.#peers.keys()]) if (!present.has(id)) this.#leave(id);
      // Our ephemeral key changed: every pairwise wrap key with it.
      for (const [id, peer] of this.#peers) Object.assign(peer, await this.#wrapKeys(id, peer.announcement));
      for (const p of participants) if (p.e2ee_announcement) await this.#accept(p.identity, p.e2ee_announcement, true);
      const keys = [this.#keys.current, this.#keys.pending].filter((k): k is SenderKey => k !== null);
      await this.#sendKeys(keys, [...this.#peers.keys()]);
      this.#membersChanged();
    });
  }

  announcementReceived(from: string, announcement: string): void {
    this.#enqueue(() => this.#accept(from, announcement, true));
  }

  keyReceived(from: string, blob: string): void {
    this.#enqueue(() => this.#acceptKey(from, blob));
  }

  participantLeft(identity: string): void {
    this.#enqueue(async () => {
      this.#leave(identity);
      this.#membersChanged();
    });
  }

  /** The server's roster changed: compare it with the key exchange again. */
  rosterChanged(): void {
    this.#emitMembership();
  }

  /** Registers one of our tracks whose frames go through the worker under `name`. */
  addSendTrack(name: string, sent: SentCounter): void {
    this.#sendTracks.set(name, { sent, lastSent: 0, lastEncrypted: 0, stalls: 0 });
  }

  removeSendTrack(name: string): void {
    this.#sendTracks.delete(name);
  }

  /** A received track is gone: it no longer counts for its publisher's lock. */
  removeReceiveTrack(participant: string, name: string): void {
    const tracks = this.#decrypting.get(participant);
    if (!tracks?.delete(name)) return;
    this.#emitDecryptState(participant);
  }

  /** Whether `participant`'s frames decrypt: 'decrypting' when every track of theirs with a state does. */
  decryptState(participant: string): DecryptState | null {
    const states = [...(this.#decrypting.get(participant)?.values() ?? [])];
    if (states.length === 0) return null;
    return states.includes('failing') ? 'failing' : 'decrypting';
  }

  /** The 60-digit safety number between us and `identity`; null when it has no verified announcement. */
  async safetyNumber(identity: string): Promise<string | null> {
    const peer = this.#peers.get(identity);
    if (!peer || !this.#self) return null;
    return safetyNumber({ identity: this.identity, identityKey: this.#self.identityKey }, { identity, identityKey: peer.announcement.identityKey });
  }

  /** The person verified `identity`'s safety number: pin its current key, silence the warning. */
  async acceptIdentity(identity: string): Promise<void> {
    const peer = this.#peers.get(identity);
    if (!peer || !this.#trust) return;
    await this.#trust.accept(identity, peer.announcement.identityKey);
    peer.trust = 'known';
    this.#emitMembership();
  }

  /** Encrypts a data message with our sender key and counter (in the worker). */
  encryptData(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#worker.encryptData(plaintext);
  }

  /** Decrypts `from`'s data message; throws DataDecryptError. */
  decryptData(from: string, message: Uint8Array): Promise<Uint8Array> {
    return this.#worker.decryptData(from, message);
  }

  /**
   * Decrypts `frames` of `participant` outside any track with the keys this
   * page holds now, and returns the worker's counts for them: which frames
   * a page can read (tests feed it frames as the server saw them).
   */
  decryptFrames(participant: string, frames: readonly { data: ArrayBuffer; keyframe: boolean }[], codec: MediaCodec = 'vp8'): Promise<FrameCryptorStats> {
    return this.#worker.decryptFrames(participant, frames, codec);
  }

  /** The worker's per-track counts. */
  workerStats(): Promise<Record<string, TrackStats>> {
    return this.#worker.stats();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#debouncer.flush(false);
    this.#keys.dispose();
    if (this.#checkTimer !== null) this.#timers.clearTimeout(this.#checkTimer);
    this.#checkTimer = null;
    if (!this.#o.keepWorker) this.#worker.close();
  }

  // ---------- the key exchange ----------

  #enqueue(job: () => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#disposed) return;
      try {
        await job();
      } catch (e) {
        this.#o.emit('e2ee_warning', { identity: this.identity, reason: `key exchange: ${(e as Error).message}` });
      }
    });
  }

  async #newEphemeral(identityKeyPair: CryptoKeyPair): Promise<Pick<Self, 'ephemeral' | 'ephemeralKey'>> {
    const ephemeral = await createEphemeralKey();
    const announcement = await createKeyAnnouncement({ room: this.room, identity: this.identity, identityKeyPair, ephemeralPublicKey: ephemeral.publicKey });
    this.#o.send({ type: 'e2ee_announce', announcement: JSON.stringify(announcement) });
    return { ephemeral, ephemeralKey: await exportPublicKey(ephemeral.publicKey) };
  }

  async #wrapKeys(identity: string, them: VerifiedAnnouncement): Promise<Pick<Peer, 'sendWrap' | 'receiveWrap'>> {
    const self = this.#self!;
    const me = { identity: this.identity, ephemeralKey: self.ephemeralKey };
    const peer = { identity, ephemeralKey: them.ephemeralKeyRaw };
    const [sendWrap, receiveWrap] = await Promise.all([
      deriveWrapKey(self.ephemeral.privateKey, them.ephemeralKey, { room: this.room, sender: me, recipient: peer }),
      deriveWrapKey(self.ephemeral.privateKey, them.ephemeralKey, { room: this.room, sender: peer, recipient: me }),
    ]);
    return { sendWrap, receiveWrap };
  }

  /** Verifies `from`'s announcement; a new peer (or a new ephemeral key) counts as a join once `live`. */
  async #accept(from: string, text: string, live: boolean): Promise<void> {
    if (from === this.identity || this.#peers.get(from)?.text === text) return;
    let verified: VerifiedAnnouncement;
    try {
      verified = await verifyKeyAnnouncement(parseAnnouncement(text), this.room, this.#seenNonces);
    } catch (e) {
      if (!(e instanceof AnnouncementError)) throw e;
      this.#o.emit('e2ee_warning', { identity: from, reason: `announcement refused: ${e.code}` });
      return;
    }
    // The server says who sent it; the signature says whose it is. They must agree.
    if (verified.identity !== from) {
      this.#o.emit('e2ee_warning', { identity: from, reason: `announcement signed for ${JSON.stringify(verified.identity)}` });
      return;
    }
    const previous = await this.#pins!.get(from);
    const trust = await this.#trust!.check(from, verified.identityKey);
    const identityKey = toBase64Url(verified.identityKey);
    if (trust === 'changed' && !this.#warnedChanges.has(`${from}\n${identityKey}`)) {
      this.#warnedChanges.add(`${from}\n${identityKey}`);
      this.#o.emit('identity_changed', { identity: from, previousKey: previous ? toBase64Url(previous) : '', identityKey });
    }
    const prev = this.#peers.get(from);
    if (prev && bytesEqual(prev.announcement.ephemeralKeyRaw, verified.ephemeralKeyRaw)) {
      prev.text = text;
      prev.announcement = verified;
      prev.trust = trust;
      this.#membersChanged();
      return;
    }
    this.#peers.set(from, { text, announcement: verified, trust, keyReceived: prev?.keyReceived ?? false, ...(await this.#wrapKeys(from, verified)) });
    if (live && this.#started) this.#debouncer.join(from);
    const blobs = this.#pendingBlobs.get(from) ?? [];
    this.#pendingBlobs.delete(from);
    for (const blob of blobs) await this.#acceptKey(from, blob);
    this.#membersChanged();
  }

  async #acceptKey(from: string, blob: string): Promise<void> {
    const peer = this.#peers.get(from);
    if (!peer) {
      // Its announcement may still be on its way.
      const list = this.#pendingBlobs.get(from) ?? [];
      if (list.length < MAX_PENDING_BLOBS) list.push(blob);
      this.#pendingBlobs.set(from, list);
      return;
    }
    let key: SenderKey;
    try {
      key = await unwrapSenderKey(peer.receiveWrap, decodeBlob(blob));
    } catch (e) {
      if (!(e instanceof KeyWrapError)) throw e;
      this.#o.emit('e2ee_warning', { identity: from, reason: `key refused: ${e.code}` });
      return;
    }
    const raw = this.#o.testWrongKey ? key.key.map((b) => b ^ 0x5a) : key.key;
    this.#worker.post({ type: 'setReceiveKey', participant: from, kid: key.kid, key: raw.buffer });
    if (!peer.keyReceived) {
      peer.keyReceived = true;
      this.#emitMembership();
    }
  }

  #leave(identity: string): void {
    this.#pendingBlobs.delete(identity);
    this.#decrypting.delete(identity);
    if (!this.#peers.delete(identity)) return;
    this.#worker.post({ type: 'removeParticipant', participant: identity });
    if (this.#started) this.#debouncer.leave(identity);
  }

  async #rekey(change: MembershipChange): Promise<void> {
    const action = rekeyFor(change);
    if (action.action === 'none' || this.#keys.current === null) return;
    const everyone = [...this.#peers.keys()];
    if (action.action === 'rotate') {
      await this.#sendKeys(this.#keys.rotate().keys, everyone);
      return;
    }
    const rekey = await this.#keys.ratchet();
    await this.#sendKeys(rekey.keys, rekey.sendTo === 'joined' ? action.newcomers : everyone);
  }

  async #sendKeys(keys: readonly SenderKey[], to: readonly string[]): Promise<void> {
    const entries: E2eeKeyEntry[] = [];
    for (const id of to) {
      const peer = this.#peers.get(id);
      if (!peer) continue;
      for (const key of keys) entries.push({ to: id, blob: toBase64Url(await wrapSenderKey(peer.sendWrap, key)) });
    }
    for (let i = 0; i < entries.length; i += MAX_KEYS_PER_MESSAGE) {
      this.#o.send({ type: 'e2ee_keys', keys: entries.slice(i, i + MAX_KEYS_PER_MESSAGE) });
    }
  }

  // ---------- what the app is told ----------

  #membersChanged(): void {
    this.#emitMembership();
    const self = this.#self;
    if (!self) return;
    const everyone = [{ identity: this.identity, identityKey: self.identityKey }, ...[...this.#peers].map(([identity, p]) => ({ identity, identityKey: p.announcement.identityKey }))];
    const keys = everyone.map((m) => `${m.identity}:${toBase64Url(m.identityKey)}`).sort().join(',');
    if (keys === this.#groupKeys) return;
    this.#groupKeys = keys;
    const version = ++this.#membershipVersion;
    void groupCode(everyone).then((code) => {
      if (version !== this.#membershipVersion || this.#disposed) return;
      this.#membership = { ...this.#membership, groupCode: code };
      this.#o.emit('e2ee_members', this.#membership);
    });
  }

  #emitMembership(): void {
    const roster = new Set(this.#o.roster());
    roster.delete(this.identity);
    const members = [...this.#peers].map(([identity, p]) => ({
      identity, identityKey: toBase64Url(p.announcement.identityKey), trust: p.trust, keyReceived: p.keyReceived, inRoster: roster.has(identity),
    }));
    members.sort((a, b) => a.identity.localeCompare(b.identity));
    const notInKeyExchange = [...roster].filter((id) => !this.#peers.has(id)).sort();
    this.#membership = { members, notInKeyExchange, groupCode: this.#membership.groupCode };
    this.#o.emit('e2ee_members', this.#membership);
  }

  #setState(state: E2eeState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#o.emit('e2ee_state', { state });
  }

  #scheduleCheck(delayMs: number): void {
    if (this.#disposed) return;
    this.#checkTimer = this.#timers.setTimeout(() => {
      this.#checkTimer = null;
      void this.checkSending().finally(() => this.#scheduleCheck(this.#o.checkIntervalMs ?? 1000));
    }, delayMs);
  }

  /**
   * Compares, per sent track, the frames its encoder made with the frames the
   * worker encrypted: the call counts as encrypted only when every track has
   * had frames encrypted, and as failed when one keeps sending while the
   * worker sees none of it (its transform is not in place).
   */
  async checkSending(): Promise<E2eeState> {
    if (!this.#started || this.#disposed) return this.#state;
    const stats = await this.workerStats().catch(() => ({}) as Record<string, TrackStats>);
    let failed = false;
    let waiting = false;
    for (const [name, track] of this.#sendTracks) {
      const sent = await track.sent().catch(() => track.lastSent);
      const encrypted = stats[name]?.stats.encrypted ?? 0;
      if (sent > track.lastSent && encrypted === track.lastEncrypted) track.stalls++;
      else if (encrypted > track.lastEncrypted) track.stalls = 0;
      track.lastSent = sent;
      track.lastEncrypted = encrypted;
      if (track.stalls >= STALLED_CHECKS) failed = true;
      // Nothing encrypted yet (sent or not): not shown as encrypted before it is seen.
      if (encrypted === 0) waiting = true;
    }
    this.#setState(failed ? 'failed' : waiting ? 'starting' : 'encrypted');
    return this.#state;
  }

  #emitDecryptState(participant: string): void {
    const state = this.decryptState(participant);
    if (state) this.#o.emit('e2ee_decrypt_state', { participant, state });
  }

  #onDecryptState(message: DecryptStateMessage): void {
    let tracks = this.#decrypting.get(message.participant);
    if (!tracks) this.#decrypting.set(message.participant, (tracks = new Map()));
    tracks.set(message.track, message.state);
    this.#emitDecryptState(message.participant);
  }
}

function parseAnnouncement(text: string): KeyAnnouncement {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AnnouncementError('malformed', 'announcement is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AnnouncementError('malformed', 'announcement is not an object');
  return value as KeyAnnouncement;
}

function decodeBlob(blob: string): Bytes {
  try {
    return fromBase64Url(blob);
  } catch {
    throw new KeyWrapError('malformed', 'key blob is not base64url');
  }
}

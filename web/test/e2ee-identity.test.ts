import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, fromBase64Url, toBase64Url } from '../src/sdk/e2ee/bytes';
import { IndexedDbIdentityKeyStore, IndexedDbPinStore, openE2eeDatabase } from '../src/sdk/e2ee/idb-stores';
import {
  AnnouncementError,
  type KeyAnnouncement,
  MemoryIdentityKeyStore,
  createEphemeralKey,
  createKeyAnnouncement,
  exportPublicKey,
  loadOrCreateIdentityKey,
  verifyKeyAnnouncement,
} from '../src/sdk/e2ee/identity';
import { MemoryPinStore, TrustOnFirstUse } from '../src/sdk/e2ee/trust';

async function announce(room = 'standup', identity = 'alice') {
  const identityKeyPair = await loadOrCreateIdentityKey(new MemoryIdentityKeyStore());
  const ephemeral = await createEphemeralKey();
  const announcement = await createKeyAnnouncement({ room, identity, identityKeyPair, ephemeralPublicKey: ephemeral.publicKey });
  return { identityKeyPair, ephemeral, announcement };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AnnouncementError) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('identity key', () => {
  it('is ECDSA P-256 with a non-extractable private half, created once and then loaded', async () => {
    const store = new MemoryIdentityKeyStore();
    const pair = await loadOrCreateIdentityKey(store);
    expect(pair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
    expect(await loadOrCreateIdentityKey(store)).toBe(pair);
  });

  it('survives in IndexedDB as a CryptoKey that still signs and still cannot be exported', async () => {
    const db = await openE2eeDatabase(indexedDB, 'identity-test');
    const pair = await loadOrCreateIdentityKey(new IndexedDbIdentityKeyStore(db));
    db.close();
    const reopened = await openE2eeDatabase(indexedDB, 'identity-test');
    const loaded = (await new IndexedDbIdentityKeyStore(reopened).load())!;
    expect(bytesToHex(await exportPublicKey(loaded.publicKey))).toBe(bytesToHex(await exportPublicKey(pair.publicKey)));
    expect(loaded.privateKey.extractable).toBe(false);
    const data = new Uint8Array([1, 2, 3]);
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, loaded.privateKey, data);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, signature, data)).toBe(true);
    reopened.close();
  });

  it('makes an ephemeral ECDH P-256 key per call whose private half cannot be exported', async () => {
    const [a, b] = await Promise.all([createEphemeralKey(), createEphemeralKey()]);
    expect(a.privateKey.algorithm).toMatchObject({ name: 'ECDH', namedCurve: 'P-256' });
    expect(a.privateKey.extractable).toBe(false);
    expect(bytesToHex(await exportPublicKey(a.publicKey))).not.toBe(bytesToHex(await exportPublicKey(b.publicKey)));
  });
});

describe('key announcement', () => {
  it('verifies, giving the identity key, the ephemeral key and the nonce', async () => {
    const { identityKeyPair, ephemeral, announcement } = await announce();
    const v = await verifyKeyAnnouncement(announcement, 'standup');
    expect(v.identity).toBe('alice');
    expect(bytesToHex(v.identityKey)).toBe(bytesToHex(await exportPublicKey(identityKeyPair.publicKey)));
    expect(bytesToHex(v.ephemeralKeyRaw)).toBe(bytesToHex(await exportPublicKey(ephemeral.publicKey)));
    expect(v.nonce).toHaveLength(16);
    expect(v.ephemeralKey.algorithm).toMatchObject({ name: 'ECDH' });
  });

  it('carries a fresh nonce each time', async () => {
    const identityKeyPair = await loadOrCreateIdentityKey(new MemoryIdentityKeyStore());
    const { publicKey } = await createEphemeralKey();
    const a = await createKeyAnnouncement({ room: 'r', identity: 'i', identityKeyPair, ephemeralPublicKey: publicKey });
    const b = await createKeyAnnouncement({ room: 'r', identity: 'i', identityKeyPair, ephemeralPublicKey: publicKey });
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('is refused for another room, and as a replay once its nonce was seen', async () => {
    const { announcement } = await announce();
    expect(await rejection(verifyKeyAnnouncement(announcement, 'other-room'))).toBe('wrong-room');
    const seen = new Set<string>();
    expect(await rejection(verifyKeyAnnouncement(announcement, 'standup', seen))).toBe('accepted');
    expect(await rejection(verifyKeyAnnouncement(announcement, 'standup', seen))).toBe('replayed');
  });

  it('is refused when any signed field is changed', async () => {
    const { announcement } = await announce();
    const other = (await announce('standup', 'mallory')).announcement;
    const changed: KeyAnnouncement[] = [
      { ...announcement, identity: 'mallory' },
      { ...announcement, ephemeralKey: other.ephemeralKey },
      { ...announcement, identityKey: other.identityKey },
      { ...announcement, nonce: other.nonce },
      { ...announcement, signature: other.signature },
    ];
    for (const c of changed) expect(await rejection(verifyKeyAnnouncement(c, 'standup'))).toBe('bad-signature');
    // A room renamed in the message must also fail when the verifier expects that room.
    expect(await rejection(verifyKeyAnnouncement({ ...announcement, room: 'elsewhere' }, 'elsewhere'))).toBe('bad-signature');
  });

  it('is refused as malformed for missing fields, bad encodings, wrong lengths and points off the curve', async () => {
    const { announcement } = await announce();
    const offCurve = fromBase64Url(announcement.ephemeralKey);
    offCurve[64]! ^= 1;
    const bad = [
      { ...announcement, nonce: undefined },
      { ...announcement, nonce: '!!!' },
      { ...announcement, nonce: toBase64Url(new Uint8Array(8)) },
      { ...announcement, signature: toBase64Url(new Uint8Array(70)) },
      { ...announcement, ephemeralKey: toBase64Url(offCurve) },
      { ...announcement, identity: 5 },
    ] as unknown as KeyAnnouncement[];
    for (const b of bad) expect(await rejection(verifyKeyAnnouncement(b, 'standup'))).toBe('malformed');
  });
});

describe('trust on first use', () => {
  it('pins the first key for an identity, knows it again, and reports another key as changed until accepted', async () => {
    const tofu = new TrustOnFirstUse(new MemoryPinStore());
    const first = new Uint8Array(65).fill(4);
    const second = new Uint8Array(65).fill(5);
    expect(await tofu.check('alice', first)).toBe('new');
    expect(await tofu.check('alice', first)).toBe('known');
    expect(await tofu.check('alice', second)).toBe('changed');
    expect(await tofu.check('alice', second)).toBe('changed');
    expect(await tofu.check('bob', second)).toBe('new');
    await tofu.accept('alice', second);
    expect(await tofu.check('alice', second)).toBe('known');
    expect(await tofu.check('alice', first)).toBe('changed');
  });

  it('keeps pins in IndexedDB across a reopen', async () => {
    const key = new Uint8Array(65).fill(7);
    const db = await openE2eeDatabase(indexedDB, 'pins-test');
    expect(await new TrustOnFirstUse(new IndexedDbPinStore(db)).check('carol', key)).toBe('new');
    db.close();
    const reopened = await openE2eeDatabase(indexedDB, 'pins-test');
    const tofu = new TrustOnFirstUse(new IndexedDbPinStore(reopened));
    expect(await tofu.check('carol', key)).toBe('known');
    expect(await tofu.check('carol', new Uint8Array(65).fill(8))).toBe('changed');
    reopened.close();
  });
});

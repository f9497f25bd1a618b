import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/sdk/e2ee/bytes';
import { FrameCryptor } from '../src/sdk/e2ee/frame-cryptor';
import type { FrameInfo } from '../src/sdk/e2ee/frame-layout';
import { EpochKeyManager, type SenderKey } from '../src/sdk/e2ee/key-manager';
import { MAX_RATCHET_STEP, epochOf, keyId, nextRatchetKeyId, ratchetBaseKey, stepOf } from '../src/sdk/e2ee/ratchet';
import { ReceiverKeyRing } from '../src/sdk/e2ee/receiver-keys';
import { SenderKeyState } from '../src/sdk/e2ee/sender-key';
import { ManualTimers } from './manual-timers';

const OPUS: FrameInfo = { codec: 'opus', keyframe: false };

async function sealOpus(sender: SenderKeyState, seed: number): Promise<ArrayBuffer> {
  const r = await new FrameCryptor().encrypt(new Uint8Array([0x78, seed, seed + 1, seed + 2]).buffer, OPUS, sender);
  if (!r.ok) throw new Error(r.reason);
  return r.frame;
}

async function openOpus(ring: ReceiverKeyRing, frame: ArrayBuffer) {
  return (await new FrameCryptor().decrypt(frame.slice(0), OPUS, ring)).outcome;
}

describe('key ids and the ratchet', () => {
  it('puts the epoch above a 16-bit ratchet step', () => {
    expect(keyId(0n, 0)).toBe(0n);
    expect(keyId(1n, 0)).toBe(0x10000n);
    expect(keyId(0x123n, 0x45)).toBe(0x1230045n);
    expect(epochOf(0x1230045n)).toBe(0x123n);
    expect(stepOf(0x1230045n)).toBe(0x45);
    expect(nextRatchetKeyId(0x1230045n)).toBe(0x1230046n);
    expect(nextRatchetKeyId(keyId(7n, MAX_RATCHET_STEP))).toBeNull();
    expect(() => keyId(-1n, 0)).toThrow(RangeError);
    expect(() => keyId(0n, MAX_RATCHET_STEP + 1)).toThrow(RangeError);
  });

  it('steps a base key by HKDF-SHA256 to fixed values (checked with Python hmac)', async () => {
    const k1 = await ratchetBaseKey(hexToBytes('000102030405060708090a0b0c0d0e0f'));
    expect(bytesToHex(k1)).toBe('6d6d893e6781a67d03758134ba4667d7');
    expect(bytesToHex(await ratchetBaseKey(k1))).toBe('f0c281e8dc3e859cabe081d53aecfc64');
  });
});

describe('ReceiverKeyRing', () => {
  const base = hexToBytes('000102030405060708090a0b0c0d0e0f');

  it('follows a sender that ratcheted, up to the step limit, and only inside the epoch', async () => {
    const ring = new ReceiverKeyRing({ maxRatchetSteps: 2 });
    await ring.setKey(keyId(3n, 0), base);
    const sender = new SenderKeyState();
    const k1 = await ratchetBaseKey(base);
    const k2 = await ratchetBaseKey(k1);
    const k3 = await ratchetBaseKey(k2);
    await sender.setKey(keyId(3n, 2), k2);
    expect(await openOpus(ring, await sealOpus(sender, 1))).toBe('decrypted');
    expect(ring.kids()).toContain(keyId(3n, 2));
    await sender.setKey(keyId(3n, 5), await ratchetBaseKey(await ratchetBaseKey(k3)));
    expect(await openOpus(ring, await sealOpus(sender, 2))).toBe('noKey');
    await sender.setKey(keyId(4n, 0), k1);
    expect(await openOpus(ring, await sealOpus(sender, 3))).toBe('noKey');
  });

  it('stops following ratchets of an old epoch once a newer epoch decrypts, so a leaver cannot forge frames', async () => {
    const ring = new ReceiverKeyRing();
    const newKey = hexToBytes('0f0e0d0c0b0a09080706050403020100');
    await ring.setKey(keyId(1n, 0), base);
    await ring.setKey(keyId(2n, 0), newKey);
    const current = new SenderKeyState();
    await current.setKey(keyId(2n, 0), newKey);
    // Before epoch 2 is in use, a ratchet of epoch 1 is followed (a join during a pending rotation).
    const forger = new SenderKeyState();
    await forger.setKey(keyId(1n, 1), await ratchetBaseKey(base));
    expect(await openOpus(ring, await sealOpus(forger, 1))).toBe('decrypted');
    // A ratchet tried (and cached) before the switch must not survive it.
    const stepTwo = await ratchetBaseKey(await ratchetBaseKey(base));
    await ring.ratchetCandidate(keyId(1n, 2));
    expect(await openOpus(ring, await sealOpus(current, 2))).toBe('decrypted');
    // Epoch 2 is in use now: whoever holds epoch 1's key cannot step it forward into accepted frames.
    await forger.setKey(keyId(1n, 2), stepTwo);
    expect(await openOpus(ring, await sealOpus(forger, 3))).toBe('noKey');
  });

  it('does not adopt a ratcheted KID whose frame fails to open', async () => {
    const ring = new ReceiverKeyRing();
    await ring.setKey(keyId(3n, 0), base);
    const sender = new SenderKeyState();
    await sender.setKey(keyId(3n, 1), hexToBytes('ffffffffffffffffffffffffffffffff'));
    expect(await openOpus(ring, await sealOpus(sender, 1))).toBe('noKey');
    expect(ring.kids()).toEqual([keyId(3n, 0)]);
  });

  it('gives a newcomer handed a ratcheted key no way back to frames under the key before', async () => {
    const before = new SenderKeyState();
    await before.setKey(keyId(1n, 0), base);
    const oldFrame = await sealOpus(before, 1);
    const newcomer = new ReceiverKeyRing();
    await newcomer.setKey(keyId(1n, 1), await ratchetBaseKey(base));
    expect(await openOpus(newcomer, oldFrame)).toBe('noKey');
  });

  it('keeps an old key for retainMs after a newer key decrypted, then drops it', async () => {
    const clock = { t: 0, now() { return this.t; } };
    const ring = new ReceiverKeyRing({ retainMs: 3000, clock });
    const older = new SenderKeyState();
    const newer = new SenderKeyState();
    await older.setKey(keyId(1n, 0), base);
    await newer.setKey(keyId(2n, 0), hexToBytes('0f0e0d0c0b0a09080706050403020100'));
    await ring.setKey(keyId(1n, 0), base);
    await ring.setKey(keyId(2n, 0), hexToBytes('0f0e0d0c0b0a09080706050403020100'));
    clock.t = 60_000; // holding a newer key alone does not expire the old one
    expect(await openOpus(ring, await sealOpus(older, 1))).toBe('decrypted');
    expect(await openOpus(ring, await sealOpus(newer, 2))).toBe('decrypted');
    clock.t += 2999;
    expect(await openOpus(ring, await sealOpus(older, 3))).toBe('decrypted');
    clock.t += 1;
    expect(await openOpus(ring, await sealOpus(older, 4))).toBe('noKey');
    expect(ring.kids()).toEqual([keyId(2n, 0)]);
  });

  it('keeps at most maxKeys, dropping the oldest', async () => {
    const ring = new ReceiverKeyRing({ maxKeys: 2 });
    for (const epoch of [5n, 3n, 4n]) await ring.setKey(keyId(epoch, 0), base);
    expect(ring.kids()).toEqual([keyId(4n, 0), keyId(5n, 0)]);
  });
});

describe('EpochKeyManager', () => {
  function manager(timers: ManualTimers, switched: SenderKey[]) {
    return new EpochKeyManager({ onSwitch: (k) => switched.push(k), switchDelayMs: 1000, timers });
  }

  it('starts with a random 16-byte key under epoch 0 for everyone', () => {
    const switched: SenderKey[] = [];
    const m = manager(new ManualTimers(), switched);
    const rekey = m.start();
    expect(rekey.sendTo).toBe('everyone');
    expect(rekey.keys[0]!.kid).toBe(keyId(0n, 0));
    expect(rekey.keys[0]!.key).toHaveLength(16);
    expect(switched).toEqual([rekey.keys[0]]);
    expect(bytesToHex(manager(new ManualTimers(), []).start().keys[0]!.key)).not.toBe(bytesToHex(rekey.keys[0]!.key));
  });

  it('ratchets on a join: next step, HKDF of the key, switched at once, for the newcomers only', async () => {
    const switched: SenderKey[] = [];
    const m = manager(new ManualTimers(), switched);
    const first = m.start().keys[0]!;
    const rekey = await m.ratchet();
    expect(rekey.sendTo).toBe('joined');
    expect(rekey.keys).toHaveLength(1);
    expect(rekey.keys[0]!.kid).toBe(keyId(0n, 1));
    expect(bytesToHex(rekey.keys[0]!.key)).toBe(bytesToHex(await ratchetBaseKey(first.key)));
    expect(m.current).toBe(rekey.keys[0]);
    expect(switched).toHaveLength(2);
  });

  it('rotates on a leave: a new epoch key for everyone, switched to only after the delay', () => {
    const timers = new ManualTimers();
    const switched: SenderKey[] = [];
    const m = manager(timers, switched);
    const first = m.start().keys[0]!;
    const rekey = m.rotate();
    expect(rekey.sendTo).toBe('everyone');
    expect(rekey.keys[0]!.kid).toBe(keyId(1n, 0));
    expect(m.current).toBe(first);
    expect(m.pending).toBe(rekey.keys[0]);
    timers.advance(999);
    expect(m.current).toBe(first);
    timers.advance(1);
    expect(m.current).toBe(rekey.keys[0]);
    expect(m.pending).toBeNull();
    expect(switched.map((k) => k.kid)).toEqual([keyId(0n, 0), keyId(1n, 0)]);
  });

  it('replaces a pending rotation with a newer one, so the switch goes to the newest key once', () => {
    const timers = new ManualTimers();
    const switched: SenderKey[] = [];
    const m = manager(timers, switched);
    m.start();
    m.rotate();
    timers.advance(500);
    const second = m.rotate().keys[0]!;
    expect(second.kid).toBe(keyId(2n, 0));
    expect(timers.due.size).toBe(1);
    timers.advance(1000);
    expect(switched.map((k) => k.kid)).toEqual([keyId(0n, 0), keyId(2n, 0)]);
  });

  it('gives a newcomer during a pending rotation both the ratcheted key and the pending one', async () => {
    const timers = new ManualTimers();
    const m = manager(timers, []);
    m.start();
    const pending = m.rotate().keys[0]!;
    const rekey = await m.ratchet();
    expect(rekey.keys.map((k) => k.kid)).toEqual([keyId(0n, 1), pending.kid]);
    timers.advance(1000);
    expect(m.current).toBe(pending);
  });

  it('leaves whoever left unable to decrypt frames sent after the rotation', async () => {
    const timers = new ManualTimers();
    const worker = new SenderKeyState();
    const installs: Promise<void>[] = [];
    const m = new EpochKeyManager({ onSwitch: (k) => installs.push(worker.setKey(k.kid, k.key)), timers });
    const leaver = new ReceiverKeyRing();
    const stayer = new ReceiverKeyRing();
    for (const k of m.start().keys) {
      await leaver.setKey(k.kid, k.key);
      await stayer.setKey(k.kid, k.key);
    }
    await Promise.all(installs);
    expect(await openOpus(leaver, await sealOpus(worker, 1))).toBe('decrypted');
    // A join first, so the leaver also holds a ratcheted key it could step further.
    await m.ratchet();
    await Promise.all(installs);
    expect(await openOpus(leaver, await sealOpus(worker, 2))).toBe('decrypted');
    for (const k of m.rotate().keys) await stayer.setKey(k.kid, k.key);
    timers.advance(1000);
    await Promise.all(installs);
    const after = await sealOpus(worker, 3);
    expect(await openOpus(stayer, after)).toBe('decrypted');
    expect(await openOpus(leaver, after)).toBe('noKey');
  });
});

import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../src/sdk/e2ee/bytes';
import { type VerifiableIdentity, formatSafetyNumber, groupCode, identityFingerprint, safetyNumber } from '../src/sdk/e2ee/safety-number';

// Two real P-256 identity public keys (raw, uncompressed), fixed for the vectors.
const ALICE: VerifiableIdentity = {
  identity: 'alice',
  identityKey: hexToBytes(
    '0423229f3a3175b69ff8449a88af2e61b69b2b7b2e0511218674ff2e039135e307b302ee651d994f3993e7d5c948911cad52b52a8085e49465cea9f2c0d4069259',
  ),
};
const BOB: VerifiableIdentity = {
  identity: 'bob',
  identityKey: hexToBytes(
    '04f50868b631282858bba0ab4db9677d47eb40d98d6a911b58db6cccbb393bce04fd9f41b25627a506095de319546632dba1c9f35740197bca7930bb0730350d4b',
  ),
};

// Computed once with Python's hashlib (an independent SHA-512) and pinned.
const ALICE_HALF = '871468247806638861308865824457';
const BOB_HALF = '436716845970649798933605471653';

describe('safety number', () => {
  it('gives each side a pinned 30-digit half', async () => {
    expect(await identityFingerprint(ALICE)).toBe(ALICE_HALF);
    expect(await identityFingerprint(BOB)).toBe(BOB_HALF);
  });

  it('is 60 digits, the same on both sides', async () => {
    const fromAlice = await safetyNumber(ALICE, BOB);
    const fromBob = await safetyNumber(BOB, ALICE);
    expect(fromAlice).toBe(BOB_HALF + ALICE_HALF);
    expect(fromBob).toBe(fromAlice);
    expect(fromAlice).toMatch(/^\d{60}$/);
  });

  it('changes when a key is swapped, and when a name is', async () => {
    const normal = await safetyNumber(ALICE, BOB);
    const swapped = await safetyNumber(ALICE, { identity: 'bob', identityKey: ALICE.identityKey });
    expect(swapped).toBe('840599748214072102209552004101' + ALICE_HALF);
    expect(swapped).not.toBe(normal);
    expect(await safetyNumber(ALICE, { ...BOB, identity: 'bobby' })).not.toBe(normal);
  });

  it('reads out as twelve groups of five', () => {
    expect(formatSafetyNumber(BOB_HALF + ALICE_HALF)).toBe('43671 68459 70649 79893 36054 71653 87146 82478 06638 86130 88658 24457');
  });
});

describe('group code', () => {
  it('is a pinned 12-digit code, whatever order the members come in', async () => {
    expect(await groupCode([ALICE, BOB])).toBe('8514 6651 7530');
    expect(await groupCode([BOB, ALICE])).toBe('8514 6651 7530');
  });

  it('changes with a swapped key, a missing member or an added one', async () => {
    const code = await groupCode([ALICE, BOB]);
    const others = [
      await groupCode([ALICE, { identity: 'bob', identityKey: ALICE.identityKey }]),
      await groupCode([ALICE]),
      await groupCode([ALICE, BOB, { identity: 'mallory', identityKey: BOB.identityKey }]),
    ];
    for (const other of others) expect(other).not.toBe(code);
  });
});

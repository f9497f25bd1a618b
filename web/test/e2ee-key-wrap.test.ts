import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/sdk/e2ee/bytes';
import { createEphemeralKey, exportPublicKey } from '../src/sdk/e2ee/identity';
import { KeyWrapError, type WrapParties, deriveWrapKey, unwrapSenderKey, wrapSenderKey } from '../src/sdk/e2ee/key-wrap';
import { keyId } from '../src/sdk/e2ee/ratchet';

const SENDER_KEY = { kid: keyId(3n, 2), key: hexToBytes('00112233445566778899aabbccddeeff') };

async function pair() {
  const [a, b] = await Promise.all([createEphemeralKey(), createEphemeralKey()]);
  const parties: WrapParties = {
    room: 'standup',
    sender: { identity: 'alice', ephemeralKey: await exportPublicKey(a.publicKey) },
    recipient: { identity: 'bob', ephemeralKey: await exportPublicKey(b.publicKey) },
  };
  const senderSide = await deriveWrapKey(a.privateKey, b.publicKey, parties);
  const recipientSide = await deriveWrapKey(b.privateKey, a.publicKey, parties);
  return { a, b, parties, senderSide, recipientSide };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'opened';
  } catch (e) {
    if (e instanceof KeyWrapError) return e.code;
    throw e;
  }
}

describe('sender key wrapping', () => {
  it('opens on the recipient side to the same KID and key', async () => {
    const { senderSide, recipientSide } = await pair();
    const blob = await wrapSenderKey(senderSide, SENDER_KEY);
    expect(blob).toHaveLength(1 + 8 + 12 + 16 + 16);
    const opened = await unwrapSenderKey(recipientSide, blob);
    expect(opened.kid).toBe(SENDER_KEY.kid);
    expect(bytesToHex(opened.key)).toBe(bytesToHex(SENDER_KEY.key));
  });

  it('never shows the key in the blob, and wraps the same key differently each time', async () => {
    const { senderSide } = await pair();
    const [x, y] = [await wrapSenderKey(senderSide, SENDER_KEY), await wrapSenderKey(senderSide, SENDER_KEY)];
    expect(bytesToHex(x)).not.toContain(bytesToHex(SENDER_KEY.key));
    expect(bytesToHex(x)).not.toBe(bytesToHex(y));
  });

  it('fails for any changed byte of the blob, the KID included', async () => {
    const { senderSide, recipientSide } = await pair();
    const blob = await wrapSenderKey(senderSide, SENDER_KEY);
    for (let i = 1; i < blob.length; i++) {
      const tampered = blob.slice();
      tampered[i]! ^= 0x40;
      expect(await code(unwrapSenderKey(recipientSide, tampered)), `byte ${i}`).toBe('auth-failed');
    }
  });

  it('calls a wrong version or length malformed', async () => {
    const { senderSide, recipientSide } = await pair();
    const blob = await wrapSenderKey(senderSide, SENDER_KEY);
    const v2 = blob.slice();
    v2[0] = 2;
    expect(await code(unwrapSenderKey(recipientSide, v2))).toBe('malformed');
    expect(await code(unwrapSenderKey(recipientSide, blob.slice(0, -1)))).toBe('malformed');
    expect(await code(unwrapSenderKey(recipientSide, new Uint8Array(0)))).toBe('malformed');
  });

  it('does not open for a third party, another room, or with the roles swapped', async () => {
    const { a, b, parties, senderSide } = await pair();
    const blob = await wrapSenderKey(senderSide, SENDER_KEY);
    const mallory = await createEphemeralKey();
    const thirdParty = await deriveWrapKey(mallory.privateKey, a.publicKey, parties);
    const otherRoom = await deriveWrapKey(b.privateKey, a.publicKey, { ...parties, room: 'other' });
    const swapped = await deriveWrapKey(b.privateKey, a.publicKey, { ...parties, sender: parties.recipient, recipient: parties.sender });
    for (const key of [thirdParty, otherRoom, swapped]) expect(await code(unwrapSenderKey(key, blob))).toBe('auth-failed');
  });
});

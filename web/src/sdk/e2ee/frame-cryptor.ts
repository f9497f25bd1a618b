// Encrypts and decrypts one encoded media frame in the RFC 9605 layout with
// the codec's first bytes left in clear:
//
//   clear prefix | SFrame header | ciphertext + tag
//
// The AAD is the header followed by the clear prefix (the "metadata" of RFC
// 9605 §4.4.3), so the SFU may read the prefix but not change it. For H.264
// the part after the prefix carries emulation prevention (see h264.ts).

import { concatBytes } from './bytes';
import { type FrameInfo, clearPrefixLength } from './frame-layout';
import { addEmulationPrevention, removeEmulationPrevention } from './h264';
import type { ReceiverKeyRing } from './receiver-keys';
import type { SenderKeyState } from './sender-key';
import { SFrameHeaderError, encodeSFrameHeader, parseSFrameHeader } from './sframe';
import { SFRAME_TAG_LENGTH, type SFrameKey, openWithHeader, sealWithHeader } from './sframe-crypto';

export interface FrameCryptorStats {
  encrypted: number;
  decrypted: number;
  /** No key: the sender has none yet, or the receiver none for the frame's KID. */
  noKey: number;
  /** A key for the KID was held but the tag did not verify: a wrong key, or a changed frame. */
  authFailed: number;
  /** Not a frame of the codec's layout or not an SFrame ciphertext. */
  malformed: number;
}

export type EncryptResult = { readonly ok: true; readonly frame: ArrayBuffer } | { readonly ok: false; readonly reason: 'noKey' | 'malformed' };

export type DecryptResult =
  | { readonly outcome: 'decrypted'; readonly frame: ArrayBuffer; readonly kid: bigint }
  | { readonly outcome: 'noKey' | 'authFailed'; readonly kid: bigint }
  | { readonly outcome: 'malformed' };

export function emptyStats(): FrameCryptorStats {
  return { encrypted: 0, decrypted: 0, noKey: 0, authFailed: 0, malformed: 0 };
}

export class FrameCryptor {
  readonly stats: FrameCryptorStats = emptyStats();

  async encrypt(frame: ArrayBuffer, info: FrameInfo, sender: SenderKeyState): Promise<EncryptResult> {
    const data = new Uint8Array(frame);
    const prefixLength = clearPrefixLength(data, info);
    if (prefixLength === null) {
      this.stats.malformed++;
      return { ok: false, reason: 'malformed' };
    }
    const slot = sender.take();
    if (slot === null) {
      this.stats.noKey++;
      return { ok: false, reason: 'noKey' };
    }
    const prefix = data.subarray(0, prefixLength);
    const header = encodeSFrameHeader({ kid: slot.key.kid, ctr: slot.ctr });
    const sealed = new Uint8Array(await sealWithHeader(slot.key, slot.ctr, header, prefix, data.subarray(prefixLength)));
    const out =
      info.codec === 'h264' ? concatBytes(prefix, addEmulationPrevention(concatBytes(header, sealed))) : concatBytes(prefix, header, sealed);
    this.stats.encrypted++;
    return { ok: true, frame: out.buffer };
  }

  async decrypt(frame: ArrayBuffer, info: FrameInfo, keys: ReceiverKeyRing): Promise<DecryptResult> {
    const data = new Uint8Array(frame);
    const prefixLength = clearPrefixLength(data, info);
    let body: Uint8Array | null = prefixLength === null ? null : data.subarray(prefixLength);
    if (body !== null && info.codec === 'h264') body = removeEmulationPrevention(body);
    const header = body === null ? null : parseHeader(body);
    if (prefixLength === null || body === null || header === null || body.length - header.length < SFRAME_TAG_LENGTH) {
      this.stats.malformed++;
      return { outcome: 'malformed' };
    }
    const prefix = data.subarray(0, prefixLength);
    const headerBytes = body.subarray(0, header.length);
    const ciphertext = body.subarray(header.length);
    const open = (key: SFrameKey) => openWithHeader(key, header.ctr, headerBytes, prefix, ciphertext).catch(() => null);

    const held = keys.lookup(header.kid);
    let plain: ArrayBuffer | null;
    if (held !== null) {
      plain = await open(held);
      if (plain === null) {
        this.stats.authFailed++;
        return { outcome: 'authFailed', kid: header.kid };
      }
    } else {
      // Perhaps the sender ratcheted for a newcomer: follow it if the ratchet of a held key opens the frame.
      const candidate = await keys.ratchetCandidate(header.kid);
      plain = candidate === null ? null : await open(candidate.key);
      if (plain === null) {
        this.stats.noKey++;
        return { outcome: 'noKey', kid: header.kid };
      }
      keys.adopt(candidate!);
    }
    keys.markUsed(header.kid);
    this.stats.decrypted++;
    return { outcome: 'decrypted', frame: concatBytes(prefix, new Uint8Array(plain)).buffer, kid: header.kid };
  }
}

function parseHeader(body: Uint8Array) {
  try {
    return parseSFrameHeader(body);
  } catch (e) {
    if (e instanceof SFrameHeaderError) return null;
    throw e;
  }
}

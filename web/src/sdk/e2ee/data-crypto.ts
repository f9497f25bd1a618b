// Chat and data messages in an E2EE room, encrypted with the sender's frame
// key and counter (SenderKeyState): a message takes the next CTR like a
// frame does, so the nonce spaces of frames and messages never overlap.
//
// Message: SFrame header | ciphertext + tag. The metadata (RFC 9605 §4.4.3)
// is a fixed label that no frame's clear prefix can equal (its length is
// none of 1, 3 or 10, and it ends in 0x00 where an H.264 prefix ends in a
// slice NAL header), so a message cannot pass as a frame or a frame as a message.

import { type Bytes, utf8 } from './bytes';
import type { ReceiverKeyRing } from './receiver-keys';
import type { SenderKeyState } from './sender-key';
import { SFrameHeaderError, parseSFrameHeader } from './sframe';
import { SFRAME_TAG_LENGTH, sframeDecrypt, sframeEncrypt } from './sframe-crypto';

const DATA_METADATA = utf8('CipherTalk data\0');

export type DataDecryptErrorCode = 'noKey' | 'authFailed' | 'malformed';

export class DataCryptoError extends Error {
  constructor(
    readonly code: DataDecryptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DataCryptoError';
  }
}

export async function encryptData(sender: SenderKeyState, plaintext: Uint8Array): Promise<Bytes> {
  const slot = sender.take();
  if (slot === null) throw new DataCryptoError('noKey', 'no sender key yet');
  return sframeEncrypt(slot.key, slot.ctr, DATA_METADATA, plaintext);
}

export async function decryptData(keys: ReceiverKeyRing, message: Uint8Array): Promise<Bytes> {
  let header;
  try {
    header = parseSFrameHeader(message);
  } catch (e) {
    if (e instanceof SFrameHeaderError) throw new DataCryptoError('malformed', e.message);
    throw e;
  }
  if (message.length - header.length < SFRAME_TAG_LENGTH) throw new DataCryptoError('malformed', 'message shorter than its tag');
  let key = keys.lookup(header.kid);
  const candidate = key === null ? await keys.ratchetCandidate(header.kid) : null;
  key ??= candidate?.key ?? null;
  if (key === null) throw new DataCryptoError('noKey', `no key for KID ${header.kid}`);
  let plain: Bytes;
  try {
    plain = await sframeDecrypt(key, header, DATA_METADATA, message);
  } catch {
    throw new DataCryptoError(candidate ? 'noKey' : 'authFailed', `message under KID ${header.kid} does not open`);
  }
  if (candidate) keys.adopt(candidate);
  keys.markUsed(header.kid);
  return plain;
}

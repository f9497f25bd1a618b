// The measured work of the E2EE frame benchmark, the same in Node and in a
// Chromium worker: encrypt + decrypt of one frame through FrameCryptor, and
// side by side the bare WebCrypto AES-128-GCM encrypt + decrypt of the same
// bytes (the floor FrameCryptor builds on).

import { FrameCryptor } from '../src/sdk/e2ee/frame-cryptor';
import type { FrameInfo } from '../src/sdk/e2ee/frame-layout';
import { keyId } from '../src/sdk/e2ee/ratchet';
import { ReceiverKeyRing } from '../src/sdk/e2ee/receiver-keys';
import { SenderKeyState } from '../src/sdk/e2ee/sender-key';

export interface BenchCase {
  readonly name: string;
  readonly bytes: number;
  readonly info: FrameInfo;
}

export const CASES: readonly BenchCase[] = [
  { name: 'VP8 keyframe 30 KB', bytes: 30_000, info: { codec: 'vp8', keyframe: true } },
  { name: 'VP8 delta 5 KB', bytes: 5_000, info: { codec: 'vp8', keyframe: false } },
  { name: 'Opus 120 B', bytes: 120, info: { codec: 'opus', keyframe: false } },
];

export interface CaseResult {
  readonly name: string;
  readonly iterations: number;
  /** Wall time per encrypt + decrypt, µs. */
  readonly frameCryptorUs: number;
  readonly bareAesGcmUs: number;
}

const KEY = new Uint8Array(16).map((_, i) => i);

function frameOf(bytes: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes).map((_, i) => (i * 131 + 7) & 0xff);
}

/** FrameCryptor encrypt + decrypt of one frame, `iterations` times; returns wall µs per frame. */
export async function runFrameCryptor(c: BenchCase, iterations: number): Promise<number> {
  const sender = new SenderKeyState();
  await sender.setKey(keyId(1n, 0), KEY);
  const ring = new ReceiverKeyRing();
  await ring.setKey(keyId(1n, 0), KEY);
  const tx = new FrameCryptor();
  const rx = new FrameCryptor();
  const frame = frameOf(c.bytes);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const sealed = await tx.encrypt(frame.slice().buffer, c.info, sender);
    if (!sealed.ok) throw new Error(sealed.reason);
    const opened = await rx.decrypt(sealed.frame, c.info, ring);
    if (opened.outcome !== 'decrypted') throw new Error(opened.outcome);
  }
  return ((performance.now() - start) * 1000) / iterations;
}

/** Bare AES-128-GCM encrypt + decrypt of the same bytes with a fixed key. */
export async function runBareAesGcm(c: BenchCase, iterations: number): Promise<number> {
  const key = await crypto.subtle.importKey('raw', KEY, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);
  const frame = frameOf(c.bytes);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, frame);
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
  }
  return ((performance.now() - start) * 1000) / iterations;
}

/** One measured step, by name, so a runner can take CPU readings around each. */
export async function runStep(caseIndex: number, kind: 'frameCryptor' | 'bareAesGcm', iterations: number): Promise<number> {
  const c = CASES[caseIndex]!;
  return kind === 'frameCryptor' ? runFrameCryptor(c, iterations) : runBareAesGcm(c, iterations);
}

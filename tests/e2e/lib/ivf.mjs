// Reading what the server's payload dump (--debug-dump-payloads) wrote: IVF
// files of VP8 frames as the SFU saw them, their frames' SFrame key ids, and
// their pictures as FFmpeg decodes them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// The dump of `participant`'s video in `room`: DIR/<room>/<participant>-<track>.ivf (one video track each here).
export function dumpFile(dir, room, participant) {
  const roomDir = path.join(dir, room);
  if (!existsSync(roomDir)) return null;
  const name = readdirSync(roomDir).find((f) => f.startsWith(`${participant}-`) && f.endsWith('.ivf'));
  return name ? path.join(roomDir, name) : null;
}

// IVF: a 32-byte file header ("DKIF", its length at byte 6), then per frame a
// 12-byte header (size, little-endian, and a timestamp) and the frame.
export function readIvf(file) {
  const b = readFileSync(file);
  if (b.toString('latin1', 0, 4) !== 'DKIF') throw new Error(`${file} is not IVF`);
  const frames = [];
  for (let at = b.readUInt16LE(6); at + 12 <= b.length;) {
    const size = b.readUInt32LE(at);
    if (at + 12 + size > b.length) break;
    const data = b.subarray(at + 12, at + 12 + size);
    // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a keyframe (it stays in clear).
    frames.push({ data, keyframe: (data[0] & 1) === 0 });
    at += 12 + size;
  }
  return frames;
}

// The KID of an encrypted VP8 frame: its SFrame header (RFC 9605 §4.3) follows the clear prefix (10 bytes on keyframes, 3 otherwise).
export function frameKid(frame) {
  return sframeKidAt(frame.data, frame.keyframe ? 10 : 3);
}

export function sframeKidAt(bytes, offset = 0) {
  const config = bytes[offset];
  if (!(config & 0x80)) return BigInt((config >> 4) & 0x07);
  const length = ((config >> 4) & 0x07) + 1;
  let kid = 0n;
  for (let i = 1; i <= length; i++) kid = (kid << 8n) | BigInt(bytes[offset + i]);
  return kid;
}

// FFmpeg's decode of an IVF file, scaled to width x height RGB frames, and its decoder's error lines.
export function decodeIvf(file, { width = 64, height = 48 } = {}) {
  // passthrough: one picture per decoded frame (the dump's timestamps are RTP's, which start anywhere).
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-vf', `scale=${width}:${height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'],
    { maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const size = width * height * 3;
  const frames = [];
  for (let at = 0; at + size <= r.stdout.length; at += size) frames.push(r.stdout.subarray(at, at + size));
  // The rawvideo muxer's complaints about timestamps say nothing about the decode.
  const errors = r.stderr.toString().split('\n').filter((l) => l.trim() && !l.startsWith('[rawvideo @')).join('\n');
  return { status: r.status, errors, frames };
}

// A picture's luma with its mean taken out, scaled to length 1: what its
// structure looks like, whatever its brightness. Null for a flat picture
// (a decoder fed garbage often outputs one: all green, as YUV zero is).
export function lumaPattern(frame) {
  const y = new Float64Array(frame.length / 3);
  for (let i = 0; i < y.length; i++) y[i] = 0.299 * frame[3 * i] + 0.587 * frame[3 * i + 1] + 0.114 * frame[3 * i + 2];
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let norm = 0;
  for (let i = 0; i < y.length; i++) norm += (y[i] -= mean) ** 2;
  norm = Math.sqrt(norm);
  if (norm < 1) return null;
  return y.map((v) => v / norm);
}

// How much a picture resembles the closest of `references` (lumaPattern
// values): their normalised correlation, 1 for the same picture, near 0 for
// unrelated ones, 0 for a flat picture.
export function resemblance(frame, references) {
  const z = lumaPattern(frame);
  if (!z) return 0;
  let best = 0;
  for (const r of references) {
    if (!r) continue;
    let dot = 0;
    for (let i = 0; i < z.length; i++) dot += z[i] * r[i];
    best = Math.max(best, dot);
  }
  return best;
}

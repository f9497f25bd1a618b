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

// The share of pixels in the fake camera's green (green well above red and blue).
export function greenShare(frame) {
  let n = 0;
  for (let i = 0; i < frame.length; i += 3) if (frame[i + 1] > frame[i] + 40 && frame[i + 1] > frame[i + 2] + 40) n++;
  return n / (frame.length / 3);
}

export function meanFrame(frames) {
  const mean = new Float64Array(frames[0].length);
  for (const f of frames) for (let i = 0; i < f.length; i++) mean[i] += f[i] / frames.length;
  return mean;
}

// Mean absolute difference per channel value between a frame and a reference.
export function meanAbsDiff(frame, reference) {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += Math.abs(frame[i] - reference[i]);
  return sum / frame.length;
}

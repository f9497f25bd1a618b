// A three-person call recorded for about ten seconds: per person one Opus
// and one VP8 file as long as they were recorded, every frame decoding
// cleanly; and `ciphertalk compose` makes of them one video as long as the
// recording, with three tiles of moving camera pictures on the background,
// reporting its progress on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp, waitForFramesFrom } from './lib/app.mjs';
import { personTracks } from './lib/recording.mjs';

// Decodes every frame and says nothing unless something is wrong. The
// frames keep the file's own millisecond times (-enc_time_base -1): a
// camera's frames come at uneven times, and on a guessed 30 fps clock two
// of them can round to one tick, which the null muxer would report.
const DECODE_ARGS = (file) => ['-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-'];

function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type:format=duration',
    '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out);
  return { streams: j.streams, duration: Number(j.format.duration) };
}

// One frame of `file` at `seconds`, as 8-bit RGB.
function frameAt(file, seconds, width, height) {
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
  assert.equal(rgb.length, width * height * 3, 'one whole frame');
  return rgb;
}

// How a rectangle of the frame looks: the spread of its luma, and the share
// of its pixels that differ from the background colour (0x202020).
function regionLook(rgb, width, { x, y, w, h }) {
  let sum = 0, sumSquares = 0, unlikeBackground = 0;
  for (let row = y; row < y + h; ++row) {
    for (let col = x; col < x + w; ++col) {
      const i = (row * width + col) * 3;
      const luma = 0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2];
      sum += luma;
      sumSquares += luma * luma;
      if (Math.abs(rgb[i] - 0x20) + Math.abs(rgb[i + 1] - 0x20) + Math.abs(rgb[i + 2] - 0x20) > 30) ++unlikeBackground;
    }
  }
  const n = w * h;
  return { stddev: Math.sqrt(sumSquares / n - (sum / n) ** 2), unlikeBackground: unlikeBackground / n };
}

test('a three-person call: per-track files of the right length, and a composite with three tiles', { timeout: 240000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  // 15 fps: three pages encoding and decoding share two cores; a starved
  // camera stalls, which is not what this test is about.
  const browser = await launchBrowser({ extraArgs: ['--use-fake-device-for-media-stream=fps=15'] });
  const people = ['alice', 'bob', 'carol'];
  const viewport = { width: 640, height: 480 };
  let folder;
  try {
    const pages = {};
    for (const who of people) pages[who] = await joinApp(browser, server.url, { room: 'trio', identity: who, name: who, viewport });
    const { ok, stats } = await waitForFramesFrom(pages.alice, ['bob', 'carol'], { minFrames: 10, timeout: 30000 });
    assert.ok(ok, `media flows before recording: ${JSON.stringify(stats)}`);

    const recordingShown = (page) => page.locator('[data-testid=recording-indicator]').isVisible();
    await pages.alice.locator('[data-testid=toggle-recording]').click();
    assert.ok(await waitFor(() => recordingShown(pages.alice), { timeout: 5000 }), 'recording starts');
    await pages.alice.waitForTimeout(10000);
    await pages.alice.locator('[data-testid=toggle-recording]').click();
    assert.ok(await waitFor(async () => !(await recordingShown(pages.alice)), { timeout: 5000 }), 'recording stops');

    const [id] = readdirSync(path.join(dir, 'trio'));
    folder = path.join(dir, 'trio', id);
    const stopped = () => existsSync(path.join(folder, 'manifest.json')) &&
      JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')).state === 'stopped';
    assert.ok(await waitFor(stopped, { timeout: 5000 }), 'the final manifest is written');
    await pages.alice.waitForTimeout(1000);  // the writer thread closes the files within a poll or two
  } finally {
    await browser.close();
    await server.stop();
  }
  try {
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    const recordedSeconds = (Date.parse(manifest.stopped_at) - Date.parse(manifest.started_at)) / 1000;
    assert.ok(recordedSeconds > 9 && recordedSeconds < 14, `recorded for ${recordedSeconds} s`);
    for (const who of people) {
      for (const t of personTracks(manifest, folder, who)) {
        const file = path.join(folder, t.file);
        const { streams, duration } = probe(file);
        assert.equal(streams.length, 1, `${t.file}: one stream`);
        assert.equal(streams[0].codec_name, t.kind === 'video' ? 'vp8' : 'opus', `${t.file}: codec`);
        const truth = recordedSeconds - (t.start_offset_ms ?? t.first_packet_offset_ms) / 1000;
        assert.ok(Math.abs(duration - truth) <= 1, `${t.file}: ${duration.toFixed(2)} s long, recorded for ${truth.toFixed(2)} s: ${JSON.stringify(t)}`);
        const decode = spawnSync('ffmpeg', DECODE_ARGS(file), { encoding: 'utf8' });
        assert.equal(decode.status, 0, `${t.file}: ${decode.stderr}`);
        assert.equal(decode.stdout + decode.stderr, '', `${t.file}: every frame decodes`);
      }
    }

    const width = 640, height = 480;
    const out = path.join(folder, 'composite.mp4');
    const compose = spawnSync(binary, ['compose', folder, '-o', out, '--width', String(width), '--height', String(height)],
      { encoding: 'utf8', timeout: 120000 });
    assert.equal(compose.status, 0, `compose exits 0:\n${compose.stderr}`);
    // Not a terminal here: plain progress lines, the last at 100%.
    assert.match(compose.stderr, /^compose: \d+% \(\d+\.\d s of \d+\.\d s\)$/m, compose.stderr);
    assert.match(compose.stderr, /^compose: 100% /m, compose.stderr);
    assert.match(compose.stderr, /3 tiles in a 2x2 grid, 3 audio tracks mixed/);

    const { streams, duration } = probe(out);
    assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
    assert.ok(Math.abs(duration - recordedSeconds) <= 1, `composite: ${duration} s, recorded ${recordedSeconds} s`);

    // Mid-time everyone is on: a 2x2 grid of 320x240 tiles, the third
    // centred in the bottom row; the bottom corners are background.
    const rgb = frameAt(out, (recordedSeconds / 2).toFixed(2), width, height);
    const inset = 16;  // clear of the tiles' edges
    const tiles = [{ x: 0, y: 0 }, { x: 320, y: 0 }, { x: 160, y: 240 }];
    for (const [i, t] of tiles.entries()) {
      const look = regionLook(rgb, width, { x: t.x + inset, y: t.y + inset, w: 320 - 2 * inset, h: 240 - 2 * inset });
      assert.ok(look.stddev > 8, `tile ${i} shows a picture, not a flat colour: ${JSON.stringify(look)}`);
      assert.ok(look.unlikeBackground > 0.5, `tile ${i} is not the background: ${JSON.stringify(look)}`);
    }
    for (const corner of [{ x: 0, y: 240 }, { x: 480, y: 240 }]) {
      const look = regionLook(rgb, width, { x: corner.x + 4, y: corner.y + 4, w: 150, h: 230 });
      assert.ok(look.unlikeBackground < 0.05 && look.stddev < 4, `no tile at ${JSON.stringify(corner)}: ${JSON.stringify(look)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The command's own failures, without a browser.
test('compose on a missing folder, a folder without manifest, or without ffmpeg says why', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-compose-'));
  try {
    const missing = spawnSync(binary, ['compose', path.join(dir, 'nope')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such recording folder/);
    const noManifest = spawnSync(binary, ['compose', dir], { encoding: 'utf8' });
    assert.equal(noManifest.status, 2);
    assert.match(noManifest.stderr, /manifest\.json: not found.*ciphertalk recover/);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=160x120:d=1', '-c:v', 'libvpx', path.join(dir, 'a-TR_v.webm')]);
    const manifest = { started_at: '2026-12-07T00:15:02.000Z', stopped_at: '2026-12-07T00:15:03.000Z', tracks: [
      { participant: 'a', sid: 'TR_v', kind: 'video', codec: 'VP8', file: 'a-TR_v.webm', first_packet_offset_ms: 0 }] };
    execFileSync('sh', ['-c', `cat > '${path.join(dir, 'manifest.json')}'`], { input: JSON.stringify(manifest) });
    const noFfmpeg = spawnSync(binary, ['compose', dir], { encoding: 'utf8', env: { ...process.env, PATH: dir } });
    assert.equal(noFfmpeg.status, 3);
    assert.match(noFfmpeg.stderr, /ffmpeg not found on PATH/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

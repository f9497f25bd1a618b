// Recording H.264 from real Chromium: a participant publishes its camera in
// H.264 (call.html?codec=h264 sets the codec preference; the SFU answers
// H.264 with packetization-mode 1, profile 42e01f), and the recording
// writes it without transcoding to Matroska: ffprobe finds one h264 stream
// of the camera's size, ffmpeg decodes it without a complaint, and it
// lasts as long as the recording ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { connect, devToken } from './lib/signal.mjs';

const framesEncoded = (page) => page.evaluate(async () => {
  let n = 0, codec = '';
  const report = await window.ct.publisher.getStats();
  report.forEach((s) => {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
    n += s.framesEncoded ?? 0;
    codec = report.get(s.codecId)?.mimeType ?? codec;
  });
  return { n, codec };
});

test('an H.264 camera is recorded to a clean .mkv without transcoding', { timeout: 90000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recording-h264-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  let recorder;
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/call.html?room=h264rec&identity=hana&codec=h264`);
    await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
    assert.ok(await waitFor(async () => (await framesEncoded(page)).n > 30, { timeout: 20000 }), 'hana sends video');
    assert.equal((await framesEncoded(page)).codec, 'video/H264');

    recorder = await connect(server);
    recorder.send({ type: 'join', token: await devToken(server, 'h264rec', 'rec'), protocol: 1 });
    await recorder.until((m) => m.type === 'joined', 'the recorder joins');
    recorder.send({ type: 'start_recording' });
    const started = await recorder.until((m) => m.type === 'recording' && m.active, 'recording starts');
    const startedAt = Date.now();
    const before = (await framesEncoded(page)).n;
    await page.waitForTimeout(6000);
    const encoded = (await framesEncoded(page)).n - before;
    recorder.send({ type: 'stop_recording' });
    await recorder.until((m) => m.type === 'recording' && !m.active, 'recording stops');
    const truth = (Date.now() - startedAt) / 1000;

    const folder = path.join(dir, 'h264rec', started.id);
    assert.ok(await waitFor(() => existsSync(path.join(folder, 'manifest.json')), { timeout: 5000 }), 'manifest.json');
    await page.waitForTimeout(1000);  // the writer thread closes the files within a poll or two
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    const video = manifest.tracks.find((t) => t.participant === 'hana' && t.kind === 'video');
    assert.ok(video, JSON.stringify(manifest));
    assert.equal(video.codec, 'H264');
    assert.match(video.file, /\.mkv$/);

    const file = path.join(folder, video.file);
    const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
      'stream=codec_name,width,height,nb_read_frames:format=format_name,duration', '-of', 'json', file], { encoding: 'utf8' }));
    assert.equal(j.streams.length, 1);
    assert.equal(j.streams[0].codec_name, 'h264');
    assert.deepEqual([j.streams[0].width, j.streams[0].height], [320, 240]);
    assert.match(j.format.format_name, /matroska/);
    const duration = Number(j.format.duration);
    assert.ok(Math.abs(duration - truth) <= 1, `${duration.toFixed(2)} s long, recorded for ${truth.toFixed(2)} s`);
    const frames = Number(j.streams[0].nb_read_frames);
    assert.ok(frames >= 0.85 * encoded && frames <= encoded + 15, `${frames} frames in the file, ${encoded} encoded`);
    t.diagnostic(`recorded ${truth.toFixed(2)} s: ${frames} of ${encoded} frames, ${duration.toFixed(2)} s`);
    // Every frame as it is: the browser's frame times are uneven on a loaded
    // machine, which ffmpeg's default constant-rate output would complain of.
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.status, 0, `ffmpeg fails: ${decode.stderr}`);
    assert.equal(decode.stdout + decode.stderr, '', 'the H.264 track decodes cleanly');
  } finally {
    recorder?.ws.close();
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

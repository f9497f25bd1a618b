// Recording under loss, in real Chromium: the server drops 5% of the media
// packets the publisher sends (testing.drop_received_fraction: after SRTP,
// before the SFU, as loss on the uplink would), the SFU's NACKs bring the
// retransmissions (RTX), and the recorder's jitter buffer waits for them.
// Recorded for about 10 s, the WebM decodes without a single complaint,
// lasts as long as the recording ran, and holds nearly every frame the
// browser encoded in that time: not a stub, not a freeze.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';
import { connect, devToken } from './lib/signal.mjs';

// The publisher's own count of encoded video frames, and the NACKs it answered.
const sent = (page) => page.evaluate(async () => {
  const out = { framesEncoded: 0, nackCount: 0, retransmitted: 0 };
  const report = await window.ct.publisher.getStats();
  report.forEach((s) => {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
    out.framesEncoded += s.framesEncoded ?? 0;
    out.nackCount += s.nackCount ?? 0;
    out.retransmitted += s.retransmittedPacketsSent ?? 0;
  });
  return out;
});

function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
    'stream=codec_name,nb_read_frames:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out);
  return { codec: j.streams[0].codec_name, frames: Number(j.streams[0].nb_read_frames), duration: Number(j.format.duration) };
}

test('5% loss on the publisher\'s uplink: the recording still decodes cleanly, whole', { timeout: 120000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recording-loss-'));
  const config = path.join(dir, 'ciphertalk.yaml');
  writeFileSync(config, `testing:\n  drop_received_fraction: 0.05\nrecording:\n  dir: ${path.join(dir, 'rec')}\n`);
  const server = await startServer(['--config', config]);
  const browser = await launchBrowser();
  let recorder;
  try {
    const alice = await joinApp(browser, server.url, { room: 'lossy', identity: 'alice', name: 'Alice' });
    assert.ok(await waitFor(async () => (await sent(alice)).framesEncoded > 30, { timeout: 20000 }), 'alice sends video');

    // Someone with the roomRecord grant (a --dev token has it) starts the recording.
    recorder = await connect(server);
    recorder.send({ type: 'join', token: await devToken(server, 'lossy', 'rec'), protocol: 1 });
    await recorder.until((m) => m.type === 'joined', 'the recorder joins');
    recorder.send({ type: 'start_recording' });
    const started = await recorder.until((m) => m.type === 'recording' && m.active, 'recording starts');
    const startedAt = Date.now();
    const before = await sent(alice);

    await alice.waitForTimeout(10000);
    const after = await sent(alice);
    recorder.send({ type: 'stop_recording' });
    await recorder.until((m) => m.type === 'recording' && !m.active, 'recording stops');
    const truth = (Date.now() - startedAt) / 1000;
    const encoded = after.framesEncoded - before.framesEncoded;

    const folder = path.join(dir, 'rec', 'lossy', started.id);
    assert.ok(await waitFor(() => existsSync(path.join(folder, 'manifest.json')), { timeout: 5000 }), 'manifest.json');
    await alice.waitForTimeout(1000);  // the writer thread closes the files within a poll or two
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    const video = manifest.tracks.find((t) => t.participant === 'alice' && t.kind === 'video');
    const audio = manifest.tracks.find((t) => t.participant === 'alice' && t.kind === 'audio');
    assert.ok(video && audio, JSON.stringify(manifest));

    // The loss was real and was repaired: the SFU NACKed, the browser retransmitted.
    assert.ok(after.nackCount > before.nackCount, `NACKs reached the publisher: ${JSON.stringify({ before, after })}`);
    assert.ok(after.retransmitted > before.retransmitted, 'the publisher retransmitted');

    for (const t of [video, audio]) {
      const file = path.join(folder, t.file);
      // Every frame as it is (-fps_mode passthrough): a browser's frame times
      // are uneven on a loaded machine (two frames 3 ms apart, a gap of 100
      // ms), and ffmpeg's default conversion to a constant rate for the null
      // output complains about that, not about any frame.
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-f', 'null', '-'], { encoding: 'utf8' });
      assert.equal(decode.status, 0, `${t.file}: ffmpeg fails: ${decode.stderr}`);
      assert.equal(decode.stdout + decode.stderr, '', `${t.file} decodes cleanly`);
      const p = probe(file);
      assert.ok(Math.abs(p.duration - truth) <= 1, `${t.file}: ${p.duration.toFixed(2)} s long, recorded for ${truth.toFixed(2)} s`);
      // Time zero of each file on the recording's timeline, from the sender's
      // reports: a first frame captured just before the start may sit a little before 0.
      assert.ok(t.start_offset_ms > -500 && t.start_offset_ms < 2000, `${t.file}: start_offset_ms ${t.start_offset_ms}`);
    }
    const v = probe(path.join(folder, video.file));
    assert.equal(v.codec, 'vp8');
    // Nearly every frame encoded while recording is in the file (the first
    // keyframe comes a little after the start; a frame lost for good costs
    // the frames up to the next keyframe).
    assert.ok(v.frames >= 0.85 * encoded && v.frames <= encoded + 15,
      `${v.frames} frames decoded of ${encoded} encoded while recording`);
    t.diagnostic(`recorded ${truth.toFixed(2)} s: ${v.frames} of ${encoded} frames, ${v.duration.toFixed(2)} s; ` +
      `NACKs answered ${after.nackCount - before.nackCount}, packets retransmitted ${after.retransmitted - before.retransmitted}; ` +
      `start_offset_ms video ${video.start_offset_ms}, audio ${audio.start_offset_ms}`);
    // Audio and video of one sender line up within a frame or two.
    assert.ok(Math.abs(video.start_offset_ms - audio.start_offset_ms) < 1500,
      `offsets: video ${video.start_offset_ms} ms, audio ${audio.start_offset_ms} ms`);
  } finally {
    recorder?.ws.close();
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// A server killed (SIGKILL) while it records leaves what had arrived: the
// manifest written at the start says the recording was still running, and
// `ciphertalk recover` rebuilds playable files from the raw RTP dumps
// (ffprobe: as long as what was recorded; ffmpeg decodes them without a
// word) and a manifest marked recovered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';

// Decodes every frame and says nothing unless something is wrong. The
// frames keep the file's own millisecond times (-enc_time_base -1): a
// camera's frames come at uneven times, and on a guessed 30 fps clock two
// of them can round to one tick, which the null muxer would report.
const DECODE_ARGS = (file) => ['-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-'];

function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file],
    { encoding: 'utf8' });
  const j = JSON.parse(out);
  return { streams: j.streams, duration: Number(j.format.duration) };
}

test('after SIGKILL mid-recording, ciphertalk recover gives playable files and a manifest', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  let recordedSeconds;
  let killed = false;
  try {
    const alice = await joinApp(browser, server.url, { room: 'crash', identity: 'alice', name: 'Alice' });
    await alice.locator('[data-testid=toggle-recording]').click();
    assert.ok(await waitFor(() => alice.locator('[data-testid=recording-indicator]').isVisible(), { timeout: 5000 }));
    const started = Date.now();
    await alice.waitForTimeout(5000);
    const gone = new Promise((resolve) => server.child.once('close', resolve));
    server.child.kill('SIGKILL');
    await gone;
    killed = true;
    recordedSeconds = (Date.now() - started) / 1000;
  } finally {
    await browser.close();
    if (!killed) await server.stop();
  }
  try {
    const [id] = readdirSync(path.join(dir, 'crash'));
    const folder = path.join(dir, 'crash', id);
    const live = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    assert.equal(live.state, 'recording', 'the manifest written while recording survives the kill');
    assert.equal(live.stopped_at, null);
    assert.deepEqual(live.tracks.map((t) => t.codec).sort(), ['VP8', 'opus'], 'it lists the tracks');

    const run = spawnSync(binary, ['recover', folder], { encoding: 'utf8' });
    assert.equal(run.status, 0, `recover exits 0:\n${run.stdout}${run.stderr}`);
    for (const t of live.tracks) {
      assert.match(run.stdout, new RegExp(`${t.rtpdump}: \\d+ packets.* -> ${t.file}: \\d+ frames`), `recover reports ${t.rtpdump}:\n${run.stdout}`);
    }
    assert.match(run.stdout, /manifest\.json written, marked recovered/);

    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    assert.equal(manifest.recovered, true);
    assert.equal(manifest.state, 'stopped');
    assert.equal(manifest.started_by, 'alice', 'what the live manifest knew is kept');
    const manifestSeconds = (Date.parse(manifest.stopped_at) - Date.parse(manifest.started_at)) / 1000;
    assert.ok(Math.abs(manifestSeconds - recordedSeconds) <= 1,
      `the manifest's duration ${manifestSeconds} s is the time recorded, ${recordedSeconds.toFixed(2)} s`);
    for (const t of manifest.tracks) {
      assert.ok(t.packets > 0, `${t.rtpdump}: packets counted`);
      assert.ok(t.first_packet_offset_ms >= 0 && t.first_packet_offset_ms < 2000, `${t.file}: first packet at ${t.first_packet_offset_ms} ms`);
      const file = path.join(folder, t.file);
      const { streams, duration } = probe(file);
      assert.equal(streams[0].codec_name, t.kind === 'video' ? 'vp8' : 'opus');
      assert.ok(Math.abs(duration - recordedSeconds) <= 1,
        `${t.file}: ${duration.toFixed(2)} s long, recorded for ${recordedSeconds.toFixed(2)} s`);
      const decode = spawnSync('ffmpeg', DECODE_ARGS(file), { encoding: 'utf8' });
      assert.equal(decode.status, 0, `${t.file}: ${decode.stderr}`);
      assert.equal(decode.stdout + decode.stderr, '', `${t.file} decodes cleanly`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The command's own failures, without a browser.
test('recover on a folder that is not there, or holds nothing playable, exits non-zero', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recover-'));
  try {
    const missing = spawnSync(binary, ['recover', path.join(dir, 'nope')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such recording folder/);
    const empty = spawnSync(binary, ['recover', dir], { encoding: 'utf8' });
    assert.equal(empty.status, 1, empty.stdout + empty.stderr);
    assert.match(empty.stderr, /nothing playable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Recording a room in real Chromium: two people publish camera and
// microphone, one of them (a --dev token grants roomRecord) starts and stops
// the recording over /rtc; everyone hears of it, a late joiner sees it at
// once, and the folder holds one playable WebM per track (ffprobe finds Opus
// and VP8 with the recorded duration, ffmpeg decodes them without a word)
// and a manifest that lists them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp, waitForFramesFrom } from './lib/app.mjs';
import { connect, devToken } from './lib/signal.mjs';
import { personTracks } from './lib/recording.mjs';

// Keeps every signaling message the page receives, and its socket, so the
// test can speak the protocol as the page's own connection.
const TAP_SIGNALING = () => {
  const Original = window.WebSocket;
  window.ctSignal = { got: [], sockets: [] };
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      window.ctSignal.sockets.push(this);
      this.addEventListener('message', (e) => { try { window.ctSignal.got.push(JSON.parse(e.data)); } catch { /* not JSON */ } });
    }
  };
};

const recordingEvents = (page) => page.evaluate(() => window.ctSignal.got.filter((m) => m.type === 'recording'));
const sendOnSignaling = (page, message) => page.evaluate((m) => {
  const open = window.ctSignal.sockets.filter((s) => s.readyState === 1 && s.url.endsWith('/rtc'));
  open[open.length - 1].send(JSON.stringify(m));
}, message);

// The decode checks keep the files' own millisecond times (-enc_time_base
// -1): camera frames come at uneven times, and on a guessed 30 fps clock
// two of them can round to one tick, which the null muxer would report.
function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type:format=duration',
    '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out);
  return { streams: j.streams, duration: Number(j.format.duration) };
}

test('start and stop recording a two-person call: playable WebM per track, and a manifest', { timeout: 180000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  try {
    const alice = await joinApp(browser, server.url, { room: 'rec', identity: 'alice', name: 'Alice', initScript: TAP_SIGNALING });
    const bob = await joinApp(browser, server.url, { room: 'rec', identity: 'bob', name: 'Bob', initScript: TAP_SIGNALING });
    for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
      const { ok, stats } = await waitForFramesFrom(page, [other], { minFrames: 10, timeout: 30000 });
      assert.ok(ok, `media flows before recording: ${JSON.stringify(stats)}`);
    }

    await sendOnSignaling(alice, { type: 'start_recording' });
    let started;
    for (const page of [alice, bob]) {
      const ok = await waitFor(async () => (await recordingEvents(page)).some((e) => e.active), { timeout: 5000 });
      assert.ok(ok, `recording active reaches everyone\n${server.log().slice(-2000)}`);
      started ??= Date.now();
    }
    const [{ id }] = (await recordingEvents(alice)).filter((e) => e.active);
    assert.match(id, /^\d{8}T\d{6}Z-[A-Za-z0-9]{6}$/);

    // A late joiner learns it from `joined` at once.
    const carol = await connect(server);
    carol.send({ type: 'join', token: await devToken(server, 'rec', 'carol'), protocol: 1 });
    const joined = await carol.until((m) => m.type === 'joined', 'carol joins');
    assert.equal(joined.recording, true);
    assert.equal(joined.recording_id, id);
    carol.ws.close();

    await alice.waitForTimeout(6000);
    await sendOnSignaling(bob, { type: 'stop_recording' });
    for (const page of [alice, bob]) {
      const ok = await waitFor(async () => (await recordingEvents(page)).some((e) => !e.active && e.id === id), { timeout: 5000 });
      assert.ok(ok, 'recording stopped reaches everyone');
    }
    const recordedSeconds = (Date.now() - started) / 1000;

    const folder = path.join(dir, 'rec', id);
    assert.ok(await waitFor(() => existsSync(path.join(folder, 'manifest.json')), { timeout: 5000 }), 'manifest.json is written');
    await alice.waitForTimeout(1000);  // the writer thread closes the files within a poll or two
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    assert.equal(manifest.room, 'rec');
    assert.equal(manifest.id, id);
    assert.equal(manifest.e2ee, false);
    assert.equal(manifest.started_by, 'alice');
    assert.equal(manifest.stopped_by, 'bob');
    assert.ok(Date.parse(manifest.stopped_at) > Date.parse(manifest.started_at));

    const files = readdirSync(folder);
    for (const who of ['alice', 'bob']) {
      for (const t of personTracks(manifest, folder, who)) {
        assert.ok(files.includes(t.rtpdump), `${t.rtpdump} exists`);
        assert.ok(t.first_packet_offset_ms >= 0 && t.first_packet_offset_ms < 2000, `first packet soon after the start: ${t.first_packet_offset_ms}`);
        assert.ok(Math.abs(t.duration_ms / 1000 - recordedSeconds) <= 1.5,
          `${t.file}: received for ${t.duration_ms} ms of the ${recordedSeconds.toFixed(2)} s recorded`);
        assert.ok(t.packets > 0);
        const file = path.join(folder, t.file);
        const { streams, duration } = probe(file);
        assert.equal(streams.length, 1, `${t.file}: one stream`);
        assert.equal(streams[0].codec_name, t.kind === 'video' ? 'vp8' : 'opus', `${t.file}: codec`);
        assert.ok(Math.abs(duration - recordedSeconds) <= 1.5,
          `${t.file}: ${duration.toFixed(2)} s long, recorded for ${recordedSeconds.toFixed(2)} s`);
        const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-'], { encoding: 'utf8' });
        assert.equal(decode.status, 0, `${t.file}: ffmpeg fails: ${decode.stderr}`);
        assert.equal(decode.stdout + decode.stderr, '', `${t.file} decodes cleanly`);
      }
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The web client: whoever may record has a record button; everyone, and
// whoever joins later, sees the indicator while the room is recorded.
test('the web client records with a button and shows everyone that it records', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  const indicatorShown = (page) => page.locator('[data-testid=recording-indicator]').isVisible();
  try {
    const alice = await joinApp(browser, server.url, { room: 'ui', identity: 'alice', name: 'Alice' });
    // A token without roomRecord: no button, but the indicator all the same.
    const token = execFileSync(binary, ['token', 'create', '--dev', '--room', 'ui', '--identity', 'bob', '--grant', 'join'], { encoding: 'utf8' }).trim();
    const bob = await joinApp(browser, server.url, { room: 'ui', identity: 'bob', name: 'Bob', query: { token } });
    const button = alice.locator('[data-testid=toggle-recording]');
    assert.ok(await button.isVisible(), 'alice (a --dev token) may record');
    assert.equal(await bob.locator('[data-testid=toggle-recording]').isVisible(), false, 'bob may not record');
    assert.equal(await indicatorShown(alice), false);

    await button.click();
    for (const page of [alice, bob]) {
      assert.ok(await waitFor(() => indicatorShown(page), { timeout: 5000 }), 'the indicator shows while recording');
    }
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    const carol = await joinApp(browser, server.url, { room: 'ui', identity: 'carol', name: 'Carol' });
    assert.ok(await indicatorShown(carol), 'a late joiner sees the recording at once');

    await button.click();
    for (const page of [alice, bob, carol]) {
      assert.ok(await waitFor(async () => !(await indicatorShown(page)), { timeout: 5000 }), 'the indicator goes when it stops');
    }
    const [id] = readdirSync(path.join(dir, 'ui'));
    assert.ok(await waitFor(() => existsSync(path.join(dir, 'ui', id, 'manifest.json')), { timeout: 5000 }));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'ui', id, 'manifest.json'), 'utf8'));
    assert.equal(manifest.started_by, 'alice');
    assert.equal(manifest.stopped_by, 'alice');
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// A server that shuts down (SIGTERM) while recording closes the room, and
// with it the recording: the files are complete and the manifest is written.
test('a recording still running when the server stops is finished, not lost', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  try {
    const alice = await joinApp(browser, server.url, { room: 'late', identity: 'alice', name: 'Alice' });
    await alice.locator('[data-testid=toggle-recording]').click();
    assert.ok(await waitFor(() => alice.locator('[data-testid=recording-indicator]').isVisible(), { timeout: 5000 }));
    await alice.waitForTimeout(4000);
    assert.equal(await server.stop(), 0, 'the server exits cleanly');

    const [id] = readdirSync(path.join(dir, 'late'));
    const folder = path.join(dir, 'late', id);
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    assert.equal(manifest.stopped_by, null, 'nobody stopped it: the room closed');
    assert.deepEqual(manifest.tracks.map((t) => t.codec).sort(), ['VP8', 'opus']);
    for (const t of manifest.tracks) {
      const { duration } = probe(path.join(folder, t.file));
      assert.ok(duration > 2.5, `${t.file}: ${duration} s`);
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', path.join(folder, t.file), '-enc_time_base', '-1', '-f', 'null', '-'], { encoding: 'utf8' });
      assert.equal(decode.stdout + decode.stderr, '', `${t.file} decodes cleanly`);
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

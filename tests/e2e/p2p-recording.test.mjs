// Recording a direct (P2P) call in real Chromium: two pages in a `p2p` room
// connect directly; one presses the record button; the room moves to the SFU
// (connection_mode "sfu", the pages show "server") and the video never stops
// on either page (no gap over 1 s); the recording holds both people's audio
// and video. When the recording stops, the room is eligible again and goes
// back to direct after the return delay (5 s, docs/protocol.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp, tileVideoPlaying } from './lib/app.mjs';
import { assertNoGap, recordP2pMessages, resetGaps, startGapSampler, waitForPath } from './lib/p2p.mjs';
import { personTracks } from './lib/recording.mjs';

const MAX_GAP_MS = 1000;
const ROOM = 'p2p-rec';

test('recording a direct call moves it to the server, records both people, and it goes direct again when the recording stops', { timeout: 90000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-p2p-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  const browser = await launchBrowser();
  try {
    const join = (identity, query = {}) => joinApp(browser, server.url, { room: ROOM, identity, name: identity, query });
    const alice = await join('alice', { p2p: '1' });
    const bob = await join('bob');
    const pages = [[alice, 'bob'], [bob, 'alice']];
    for (const [page] of pages) await recordP2pMessages(page);
    await waitForPath([alice, bob], 'direct');
    for (const [page, other] of pages) {
      assert.ok(await waitFor(() => tileVideoPlaying(page, other), { timeout: 15000 }), `direct: ${other}'s tile renders`);
      await page.evaluate(() => {
        window.ctModes = [];
        window.ct.on('connection_mode', (m) => window.ctModes.push(m.mode));
      });
      await startGapSampler(page, [other]);
    }

    await alice.getByTestId('toggle-recording').click();
    for (const [page] of pages) {
      assert.ok(await waitFor(() => page.getByTestId('recording-indicator').isVisible(), { timeout: 5000 }), 'everyone sees the recording');
    }
    const id = await alice.evaluate(() => window.ct.recording.id);
    assert.match(id ?? '', /^\d{8}T\d{6}Z-[A-Za-z0-9]{6}$/);
    await waitForPath([alice, bob], 'server', 10000);
    for (const [page, other] of pages) {
      assert.deepEqual(await page.evaluate(() => window.ctModes), ['sfu']);
      assert.ok(await waitFor(() => page.evaluate(() => window.ct.p2p.links.size === 0), { timeout: 10000 }), 'the direct connection closed');
      assert.ok(await tileVideoPlaying(page, other), `through the server: ${other}'s tile renders`);
    }
    await alice.waitForTimeout(4000); // recorded through the SFU
    const longest = {};
    for (const [page, other] of pages) {
      longest[`${other} (direct -> server)`] = await assertNoGap(page, other, MAX_GAP_MS, 'direct -> server');
      await resetGaps(page);
    }

    await alice.getByTestId('toggle-recording').click();
    for (const [page] of pages) {
      assert.ok(await waitFor(async () => !(await page.getByTestId('recording-indicator').isVisible()), { timeout: 5000 }), 'the recording stopped');
    }
    const stopped = Date.now();
    try {
      await waitForPath([alice, bob], 'direct', 20000);
    } catch (e) {
      e.message += `\n${server.log().split('\n').filter((l) => l.includes(ROOM)).slice(-10).join('\n')}`;
      throw e;
    }
    const back = Date.now() - stopped;
    assert.ok(back >= 4000, `back to direct only after the delay (${back} ms)`);
    for (const [page, other] of pages) {
      assert.deepEqual(await page.evaluate(() => window.ctModes), ['sfu', 'p2p']);
      assert.ok(await waitFor(() => tileVideoPlaying(page, other), { timeout: 10000 }), `direct again: ${other}'s tile renders`);
      longest[`${other} (server -> direct)`] = await assertNoGap(page, other, MAX_GAP_MS, 'server -> direct');
    }
    console.log('longest video gaps (ms, sampled every 250 ms):', JSON.stringify(longest));

    // Both people's media is in the recording.
    const folder = path.join(dir, ROOM, id);
    assert.ok(await waitFor(() => existsSync(path.join(folder, 'manifest.json')), { timeout: 5000 }), 'manifest.json is written');
    await alice.waitForTimeout(1000); // the writer thread closes the files within a poll or two
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    for (const who of ['alice', 'bob']) {
      for (const t of personTracks(manifest, folder, who)) {
        // A few seconds of 320x240 VP8 or Opus: tens of kilobytes at least.
        const size = statSync(path.join(folder, t.file)).size;
        assert.ok(t.packets > 50 && size > 10000, `${who} ${t.kind}: ${t.packets} packets, ${size} bytes`);
        assert.ok(t.duration_ms >= 3000, `${who} ${t.kind}: recorded for ${t.duration_ms} ms`);
      }
    }
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

// Simulcast, adaptive stream and dynacast in real Chromium: a publisher
// with a 1280x720 fake camera sends three layers (q, h, f); a subscriber
// whose tile is small receives the low layer and one with a large tile the
// high one; growing the small tile switches it up without a long freeze;
// hiding a tile stops its video; and when nobody wants the high layer the
// publisher stops sending it. The same switching works for H.264.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, publisherLayers, inboundVideo, setTile } from './lib/call.mjs';

const ROOM = 'simulcast';

const VIEWPORT = { width: 1400, height: 900 };
const join = (browser, url, identity, query = '', room = ROOM) =>
  joinCall(browser, url, room, identity, { query, viewport: VIEWPORT });

const SMALL = 'width: 240px; height: 135px; aspect-ratio: auto;';
const MEDIUM = 'width: 640px; height: 360px; aspect-ratio: auto;';
const LARGE = 'width: 1280px; height: 720px; aspect-ratio: auto; grid-column: 1 / -1;';
const HIDDEN = 'display: none;';

test('simulcast layers follow each tile; hidden tiles and unwanted layers stop', { timeout: 120000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const alice = await join(browser, server.url, 'alice', '&capture=720');
    const bob = await join(browser, server.url, 'bob');
    const carol = await join(browser, server.url, 'carol');
    for (const page of [bob, carol]) {
      await page.waitForFunction(() => document.querySelector('.tile[data-participant="alice"]'), null, { timeout: 15000 });
    }
    // Tiles that want the high and the middle layer (the low one the encoder
    // sends first of all): dynacast would pause a layer nobody wants before
    // a loaded encoder had ramped up to it.
    await setTile(bob, 'alice', LARGE);
    await setTile(carol, 'alice', MEDIUM);

    // The publisher sends three layers, named by their rids.
    const layers = await waitFor(async () => {
      const o = await publisherLayers(alice);
      return ['q', 'h', 'f'].every((r) => o[r]?.bytesSent > 0) && o;
    }, { timeout: 20000 });
    assert.ok(layers, `alice sends q, h and f: ${JSON.stringify(await publisherLayers(alice))}`);
    await setTile(carol, 'alice', SMALL);

    // Small tile: the low layer. Large tile: the high one (once the encoder sends it at full size).
    const small = await waitFor(async () => {
      const s = await inboundVideo(carol, 'alice');
      return s && s.framesDecoded > 10 && s.frameWidth > 0 && s.frameWidth <= 320 && s;
    }, { timeout: 20000 });
    assert.ok(small, `carol's small tile gets the low layer: ${JSON.stringify(await inboundVideo(carol, 'alice'))}`);
    const large = await waitFor(async () => {
      const s = await inboundVideo(bob, 'alice');
      return s && s.frameWidth >= 960 && s;
    }, { timeout: 25000 });
    assert.ok(large, `bob's large tile gets the high layer: ${JSON.stringify(await inboundVideo(bob, 'alice'))} ` +
      `(alice sends ${JSON.stringify(await publisherLayers(alice))})`);

    // Carol's tile grows: a larger layer within a few seconds, no freeze over 1 s.
    const beforeGrow = await inboundVideo(carol, 'alice');
    await setTile(carol, 'alice', LARGE);
    const grown = await waitFor(async () => {
      const s = await inboundVideo(carol, 'alice');
      return s && s.frameWidth >= 640 && s;
    }, { timeout: 8000 });
    assert.ok(grown, `carol switches up: ${JSON.stringify(await inboundVideo(carol, 'alice'))}`);
    await carol.waitForTimeout(1000);
    const afterGrow = await inboundVideo(carol, 'alice');
    assert.ok(afterGrow.totalFreezesDuration - beforeGrow.totalFreezesDuration <= 1,
      `no freeze over 1 s while switching: ${JSON.stringify({ beforeGrow, afterGrow })}`);

    // Carol hides the tile: her bytes received stop growing.
    await setTile(carol, 'alice', HIDDEN);
    await carol.waitForTimeout(1500);
    const hidden1 = await inboundVideo(carol, 'alice');
    await carol.waitForTimeout(2000);
    const hidden2 = await inboundVideo(carol, 'alice');
    assert.ok(hidden2.bytesReceived - hidden1.bytesReceived < 2000,
      `a hidden tile receives nothing: ${hidden1.bytesReceived} -> ${hidden2.bytesReceived}`);

    // Bob's tile shrinks too: nobody wants f, and alice stops sending it (dynacast).
    await setTile(bob, 'alice', SMALL);
    const paused = await waitFor(async () => {
      const a = await publisherLayers(alice);
      await alice.waitForTimeout(1000);
      const b = await publisherLayers(alice);
      return b.f.bytesSent === a.f.bytesSent && b.q.bytesSent > a.q.bytesSent;
    }, { timeout: 15000, interval: 100 });
    assert.ok(paused, `alice stops sending f when nobody wants it: ${JSON.stringify(await publisherLayers(alice))}`);
    const bobNow = await inboundVideo(bob, 'alice');
    assert.ok(bobNow.frameWidth <= 320, `bob's small tile gets the low layer: ${JSON.stringify(bobNow)}`);

    // Bob's tile grows again: f resumes and bob gets it.
    await setTile(bob, 'alice', LARGE);
    const resumed = await waitFor(async () => {
      const s = await inboundVideo(bob, 'alice');
      return s && s.frameWidth >= 960;
    }, { timeout: 15000 });
    assert.ok(resumed, `f resumes for bob: ${JSON.stringify(await inboundVideo(bob, 'alice'))} ${JSON.stringify(await publisherLayers(alice))}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('H.264 simulcast: the layer follows the tile, switching down without a freeze', { timeout: 90000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const alice = await join(browser, server.url, 'alice', '&capture=720&codec=h264', 'simulcast-h264');
    const bob = await join(browser, server.url, 'bob', '', 'simulcast-h264');
    await bob.waitForFunction(() => document.querySelector('.tile[data-participant="alice"]'), null, { timeout: 15000 });
    await setTile(bob, 'alice', LARGE);
    const large = await waitFor(async () => {
      const s = await inboundVideo(bob, 'alice');
      return s && s.frameWidth >= 960 && s;
    }, { timeout: 25000 });
    assert.ok(large, `a large tile gets the H.264 high layer: ${JSON.stringify(await inboundVideo(bob, 'alice'))} ` +
      `(alice sends ${JSON.stringify(await publisherLayers(alice))})`);
    await setTile(bob, 'alice', SMALL);
    const small = await waitFor(async () => {
      const s = await inboundVideo(bob, 'alice');
      return s && s.frameWidth > 0 && s.frameWidth <= 320 && s;
    }, { timeout: 8000 });
    assert.ok(small, `a small tile gets the H.264 low layer: ${JSON.stringify(await inboundVideo(bob, 'alice'))}`);
    await bob.waitForTimeout(1500);
    const after = await inboundVideo(bob, 'alice');
    assert.ok(after.framesDecoded > small.framesDecoded, 'the low layer keeps decoding');
    assert.ok(after.totalFreezesDuration - large.totalFreezesDuration <= 1,
      `no freeze over 1 s while switching: ${JSON.stringify({ large, after })}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});

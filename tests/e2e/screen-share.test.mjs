// Screen sharing started and stopped many times in one call, in real
// Chromium through the web client: the other person sees every share, and
// the subscriber connection's description stays bounded, because the server
// recycles stopped m-sections for new tracks (JSEP, RFC 8829 §5.2.2) and
// Chromium accepts a recycled section under its new mid.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';

const ROOM = 'share-toggles';
const TOGGLES = 8;

let server;
let browser;

async function join(name) {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  page.on('pageerror', (e) => console.log(`[${name}] page error`, e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}]`, m.text()); });
  await page.goto(`${server.url}/?room=${ROOM}&name=${name}&autojoin=1`);
  await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
  return { page, identity: await page.evaluate(() => window.ct.identity) };
}

// True when `selector`'s <video> shows frames: videoWidth > 0 and currentTime advancing.
function videoPlaying(page, selector) {
  return page.evaluate(async (sel) => {
    const v = document.querySelector(`${sel} video`);
    if (!v || v.videoWidth === 0) return false;
    const t0 = v.currentTime;
    await new Promise((r) => setTimeout(r, 400));
    return v.currentTime > t0 && v.videoWidth > 0;
  }, selector);
}

// The m-sections of a connection's current remote (or local) description, and
// how many of them are live (port != 0); null while a negotiation is open.
function sections(page, which, side = 'remoteDescription') {
  return page.evaluate(([w, s]) => {
    const pc = window.ct[w];
    if (!pc || pc.signalingState !== 'stable' || !pc[s]) return null;
    const lines = pc[s].sdp.split('\r\n').filter((l) => l.startsWith('m='));
    return { total: lines.length, live: lines.filter((l) => !/^m=\S+ 0 /.test(l)).length };
  }, [which, side]);
}

describe('screen share toggles', { timeout: 300000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (server) assert.equal(await server.stop(), 0);
  });

  test(`a share started and stopped ${TOGGLES} times is seen each time and the subscriber SDP stays bounded`, async () => {
    const alice = await join('Alice');
    const bob = await join('Bob');
    const screenTile = `[data-screen="${alice.identity}"]`;
    assert.ok(await waitFor(() => videoPlaying(bob.page, `[data-participant="${alice.identity}"]`), { timeout: 20000 }),
      `Bob sees Alice's camera\n${server.log().slice(-2000)}`);

    const subscriberTotals = [];
    const publisherTotals = [];
    for (let i = 0; i < TOGGLES; ++i) {
      await alice.page.getByTestId('toggle-screen').click();
      assert.ok(await waitFor(() => videoPlaying(bob.page, screenTile), { timeout: 20000 }),
        `share ${i + 1}: Bob sees Alice's screen\n${server.log().slice(-3000)}`);
      // Bob's subscriber connection: data, Alice's microphone, camera and screen live.
      const shared = await waitFor(async () => {
        const s = await sections(bob.page, 'subscriber');
        return s && s.live === 4 ? s : null;
      }, { timeout: 10000 });
      assert.ok(shared, `share ${i + 1}: four live sections in Bob's subscriber description`);
      subscriberTotals.push(shared.total);
      publisherTotals.push((await sections(alice.page, 'publisher', 'localDescription'))?.total);

      await alice.page.getByTestId('toggle-screen').click();
      assert.ok(await waitFor(async () => (await bob.page.locator(screenTile).count()) === 0, { timeout: 10000 }),
        `share ${i + 1}: the screen tile goes when the share stops`);
      // The offer that stopped the screen's section is answered before the next share.
      assert.ok(await waitFor(async () => (await sections(bob.page, 'subscriber'))?.live === 3, { timeout: 10000 }),
        `share ${i + 1}: Bob's description has the screen's section stopped`);
      await bob.page.waitForTimeout(300);
    }
    console.log(`m-sections in Bob's subscriber description while sharing: ${subscriberTotals.join(' ')}; ` +
      `in Alice's publisher offer: ${publisherTotals.join(' ')}`);
    // Without recycling every share adds one; with it the first share's count holds.
    assert.ok(Math.max(...subscriberTotals) <= subscriberTotals[0] + 1,
      `subscriber description bounded: ${subscriberTotals.join(' ')}`);
    assert.equal(subscriberTotals.at(-1), subscriberTotals[0], `stopped sections are recycled: ${subscriberTotals.join(' ')}`);
    // Alice's camera still reaches Bob after all of it.
    assert.ok(await videoPlaying(bob.page, `[data-participant="${alice.identity}"]`), "Alice's camera still plays");
    await alice.page.close();
    await bob.page.close();
  });
});

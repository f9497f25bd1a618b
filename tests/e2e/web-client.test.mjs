// The web client (web/, served at /) in real Chromium: people join through the
// page (/?room=R&name=N&autojoin=1) and use it as a person would, by its
// controls. Screenshots go to tests/e2e/artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const ROOM = 'design-review';

let server;
let browser;
const people = {}; // name -> { page, identity }

async function join(name, viewport = DESKTOP) {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => console.log(`[${name}] page error`, e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}]`, m.text()); });
  await page.goto(`${server.url}/?room=${ROOM}&name=${encodeURIComponent(name)}&autojoin=1`);
  await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
  const identity = await page.evaluate(() => window.ct.identity);
  people[name] = { page, identity };
  return people[name];
}

const tileOf = (identity) => `[data-participant="${identity}"]`;

// True when `selector`'s <video> shows frames: videoWidth > 0 and currentTime advancing.
function videoPlaying(page, selector) {
  return page.evaluate(async (sel) => {
    const v = document.querySelector(`${sel} video`);
    if (!v || v.videoWidth === 0) return false;
    const t0 = v.currentTime;
    await new Promise((r) => setTimeout(r, 500));
    return v.currentTime > t0 && v.videoWidth > 0;
  }, selector);
}

async function assertSeesVideoOf(viewer, others, timeout = 20000) {
  for (const o of others) {
    const ok = await waitFor(() => videoPlaying(people[viewer].page, tileOf(people[o].identity)), { timeout });
    assert.ok(ok, `${viewer} sees ${o}'s video playing\n${server.log().slice(-2000)}`);
  }
}

async function screenshot(page, name, viewport) {
  const original = page.viewportSize();
  if (viewport) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(800); // layout and the next frames
  }
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  if (viewport) await page.setViewportSize(original);
}

describe('web client', { timeout: 240000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (server) assert.equal(await server.stop(), 0);
  });

  test('lobby: room and name pre-filled from the URL, camera preview, device lists, join button', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    try {
      await page.goto(`${server.url}/?room=${ROOM}&name=Alice%20Example`);
      assert.equal(await page.inputValue('#lobby-room'), ROOM);
      assert.equal(await page.inputValue('#lobby-name'), 'Alice Example');
      assert.ok(await waitFor(() => page.evaluate(() => document.querySelector('.preview video')?.videoWidth > 0)), 'preview shows the camera');
      assert.ok(await page.locator('#lobby-camera option').count() >= 1, 'camera list');
      assert.ok(await page.locator('#lobby-mic option').count() >= 1, 'microphone list');
      assert.ok(await page.getByTestId('join').isEnabled());
      await page.waitForTimeout(500);
      await screenshot(page, 'lobby-1280x720');
      await screenshot(page, 'lobby-390x844', PHONE);
      // Keyboard: the microphone toggle is a labelled button that Space operates.
      await page.getByRole('button', { name: 'Microphone' }).focus();
      await page.keyboard.press('Space');
      assert.equal(await page.getByRole('button', { name: 'Microphone' }).getAttribute('aria-pressed'), 'false');
    } finally {
      await page.close();
    }
  });

  test('two, then three people join through the page and see each other', async () => {
    await join('Alice');
    await join('Bob');
    await assertSeesVideoOf('Alice', ['Bob']);
    await assertSeesVideoOf('Bob', ['Alice']);
    await join('Carol');
    for (const viewer of ['Alice', 'Bob', 'Carol']) {
      await assertSeesVideoOf(viewer, ['Alice', 'Bob', 'Carol'].filter((o) => o !== viewer));
      assert.equal(await people[viewer].page.locator('[data-participant]').count(), 3, `${viewer} has three tiles`);
    }
    // Names are shown on the tiles.
    assert.equal(await people.Alice.page.locator(`${tileOf(people.Bob.identity)} .name`).textContent(), 'Bob');
    await people.Alice.page.waitForTimeout(2500); // quality indicators fill in
    await screenshot(people.Alice.page, 'call-3-1280x720');
    await screenshot(people.Alice.page, 'call-3-390x844', PHONE);
    // The phone layout fits: nothing wider than the viewport, every tile and control inside it.
    await people.Alice.page.setViewportSize(PHONE);
    await people.Alice.page.waitForTimeout(500);
    const fit = await people.Alice.page.evaluate(() => {
      const inside = (el) => { const r = el.getBoundingClientRect(); return r.left >= -1 && r.right <= innerWidth + 1 && r.top >= -1 && r.bottom <= innerHeight + 1; };
      return {
        scrollWidth: document.documentElement.scrollWidth,
        tiles: [...document.querySelectorAll('[data-participant]')].every(inside),
        controls: [...document.querySelectorAll('.controls button')].every(inside),
      };
    });
    await people.Alice.page.setViewportSize(DESKTOP);
    assert.ok(fit.scrollWidth <= PHONE.width, `no horizontal overflow on a phone (${fit.scrollWidth})`);
    assert.ok(fit.tiles && fit.controls, `tiles and controls fit the phone viewport: ${JSON.stringify(fit)}`);
  });

  test('muting the microphone shows the muted indicator on the other side; a camera turned off shows initials', async () => {
    const indicator = `${tileOf(people.Alice.identity)} [data-testid="muted-indicator"]`;
    const bob = people.Bob.page;
    assert.equal(await bob.locator(indicator).count(), 0, 'not muted at first');
    await people.Alice.page.getByTestId('toggle-mic').click();
    assert.equal(await people.Alice.page.getByTestId('toggle-mic').getAttribute('aria-pressed'), 'false');
    assert.ok(await waitFor(() => bob.locator(indicator).isVisible(), { timeout: 5000 }), 'Bob sees Alice muted');
    // Carol turns her camera off: Bob sees her initials instead of her video.
    await people.Carol.page.getByTestId('toggle-camera').click();
    const carolTile = bob.locator(tileOf(people.Carol.identity));
    assert.ok(await waitFor(async () => (await carolTile.getAttribute('data-camera')) === 'off', { timeout: 5000 }), "Bob sees Carol's camera off");
    assert.ok(await carolTile.locator('.avatar').isVisible(), 'her initials show instead');
    await bob.waitForTimeout(300);
    await screenshot(bob, 'call-muted-camera-off-1280x720');
    await people.Carol.page.getByTestId('toggle-camera').click();
    assert.ok(await waitFor(async () => (await carolTile.getAttribute('data-camera')) === 'on', { timeout: 5000 }), "Carol's camera back on");
    await people.Alice.page.getByTestId('toggle-mic').click();
    assert.ok(await waitFor(async () => (await bob.locator(indicator).count()) === 0, { timeout: 5000 }), 'and unmuted again');
  });

  test('a screen share appears as a new large tile on the other side', async () => {
    const alice = people.Alice.page;
    const bob = people.Bob.page;
    await alice.getByTestId('toggle-screen').click();
    const screenTile = `[data-screen="${people.Alice.identity}"]`;
    assert.ok(await waitFor(() => videoPlaying(bob, screenTile), { timeout: 20000 }), `Bob sees Alice's screen\n${server.log().slice(-2000)}`);
    const sizes = await bob.evaluate((sel) => ({
      screen: document.querySelector(sel).getBoundingClientRect().width,
      tiles: [...document.querySelectorAll('[data-participant]')].map((t) => t.getBoundingClientRect().width),
      width: document.querySelector(`${sel} video`).videoWidth,
    }), screenTile);
    assert.ok(sizes.tiles.every((w) => sizes.screen > 2 * w), `the screen is the large tile: ${JSON.stringify(sizes)}`);
    assert.equal(await bob.locator('[data-participant]').count(), 3, 'camera tiles stay');
    // Alice's camera keeps going next to her screen.
    assert.ok(await videoPlaying(bob, tileOf(people.Alice.identity)), "Alice's camera still plays");
    await screenshot(bob, 'screen-share-1280x720');
    await screenshot(bob, 'screen-share-390x844', PHONE);
    // Stopping the share removes the tile.
    await alice.getByTestId('toggle-screen').click();
    assert.ok(await waitFor(async () => (await bob.locator(screenTile).count()) === 0, { timeout: 8000 }), 'screen tile gone after the share stops');
  });

  test('a chat message typed by one person appears for the others', async () => {
    const alice = people.Alice.page;
    await alice.getByTestId('toggle-chat').click();
    await alice.getByTestId('chat-input').fill('Hello from Alice');
    await alice.getByTestId('chat-send').click();
    assert.equal(await alice.getByTestId('chat-message').count(), 1, 'shown to the sender at once');
    await screenshot(alice, 'chat-390x844', PHONE);
    try {
      for (const who of ['Bob', 'Carol']) {
        const seen = await waitFor(async () => (await people[who].page.getByTestId('chat-message').allTextContents()).some((t) => t.includes('Hello from Alice')), { timeout: 8000 });
        const state = await alice.evaluate(() => ({
          send: [...window.ct.sendChannels.values()].map((c) => `${c.label}:${c.readyState}`),
          answer: window.ct.publisher?.remoteDescription?.sdp.split('\r\n').filter((l) => l.startsWith('m=application')),
        }));
        assert.ok(seen, `${who} sees Alice's message (Alice's data channels: ${JSON.stringify(state)})`);
      }
    } finally {
      await alice.getByTestId('toggle-chat').click();
    }
  });

  test('losing the signaling connection shows the reconnecting banner, and the call resumes', async () => {
    const bob = people.Bob.page;
    const banner = bob.getByTestId('reconnecting');
    assert.equal(await banner.isVisible(), false);
    const ufrags = () => bob.evaluate(() => ({
      publisher: window.ct.publisher.localDescription.sdp.match(/a=ice-ufrag:(\S+)/)[1],
      subscriber: window.ct.subscriber.remoteDescription.sdp.match(/a=ice-ufrag:(\S+)/)[1],
    }));
    const before = await ufrags();
    const shown = await bob.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('[data-testid="reconnecting"]');
      const observer = new MutationObserver(() => { if (!el.hidden) { observer.disconnect(); resolve(true); } });
      observer.observe(el, { attributes: true });
      setTimeout(() => resolve(false), 5000);
      window.ct.simulateSignalLoss();
    }));
    assert.ok(shown, 'the banner appears when the WebSocket drops');
    assert.ok(await waitFor(async () => !(await banner.isVisible()), { timeout: 15000 }), 'the banner goes away once resumed');
    assert.equal(await bob.evaluate(() => window.ct.connection.state), 'connected');
    // The resume is an ICE restart on both connections (docs/protocol.md):
    // the browser's publisher offer and the server's subscriber offer carry new credentials.
    const restarted = await waitFor(async () => {
      const now = await ufrags();
      return now.publisher !== before.publisher && now.subscriber !== before.subscriber ? now : null;
    }, { timeout: 5000 });
    assert.ok(restarted, `both connections restarted ICE after the resume (before ${JSON.stringify(before)}, now ${JSON.stringify(await ufrags())})`);
    console.log(`resume: publisher ufrag ${before.publisher} -> ${restarted.publisher}, subscriber (server) ${before.subscriber} -> ${restarted.subscriber}`);
    await assertSeesVideoOf('Bob', ['Alice', 'Carol'], 5000);
    await assertSeesVideoOf('Alice', ['Bob'], 5000);
    // Signaling works after the resume: a mute still reaches the others.
    await bob.getByTestId('toggle-mic').click();
    const indicator = `${tileOf(people.Bob.identity)} [data-testid="muted-indicator"]`;
    assert.ok(await waitFor(() => people.Carol.page.locator(indicator).isVisible(), { timeout: 5000 }), 'Carol sees Bob mute after his resume');
    await bob.getByTestId('toggle-mic').click();
  });

  test('leaving removes the tile for everyone else', async () => {
    const carol = people.Carol;
    await carol.page.getByTestId('leave').click();
    for (const who of ['Alice', 'Bob']) {
      const gone = await waitFor(async () => (await people[who].page.locator(tileOf(carol.identity)).count()) === 0, { timeout: 3000, interval: 100 });
      assert.ok(gone, `${who} loses Carol's tile`);
      assert.equal(await people[who].page.locator('[data-participant]').count(), 2);
    }
    assert.ok(await carol.page.getByRole('heading', { name: 'You left the call' }).isVisible());
  });
});

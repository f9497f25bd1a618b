// Helpers for tests that drive the web app (/?room=R&name=N&autojoin=1): join
// as a person, and read what the page decodes, per participant.
import { waitFor } from './browser.mjs';

// Makes the fake camera 320x240: cheaper for pages that share two cores.
const SMALL_CAMERA = () => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints = {}) => {
    if (constraints.video) constraints = { ...constraints, video: { ...(typeof constraints.video === 'object' ? constraints.video : {}), width: { ideal: 320 }, height: { ideal: 240 } } };
    return original(constraints);
  };
};

// Opens the app in a new browser context (its own IndexedDB: its own identity key) and joins.
// `query` adds URL parameters (e2ee=1, test hooks); `initScript` runs before the app.
export async function joinApp(browser, serverUrl, { room, identity, name, query = {}, initScript, waitReady = true, viewport = { width: 1280, height: 720 } }) {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${identity}]`, m.text()); });
  page.on('pageerror', (e) => console.log(`[${identity}] page error`, e.message));
  await page.addInitScript(SMALL_CAMERA);
  if (initScript) await page.addInitScript(initScript);
  const q = new URLSearchParams({ room, name, identity, autojoin: '1', ...query });
  await page.goto(`${serverUrl}/?${q}`);
  if (waitReady) await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
  return page;
}

// Per remote participant: video frames decoded, audio packets and audio energy received, from getStats().
export function mediaStats(page) {
  return page.evaluate(async () => {
    const out = {};
    const ct = window.ct;
    if (!ct?.subscriber) return out;
    const owner = new Map([...ct.remoteTracks].map(([mid, r]) => [mid, r.info.publisher]));
    const report = await ct.subscriber.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const who = owner.get(s.mid) ?? 'unknown';
      const o = (out[who] ??= { framesDecoded: 0, audioPackets: 0, audioEnergy: 0 });
      if (s.kind === 'video') o.framesDecoded += s.framesDecoded ?? 0;
      else {
        o.audioPackets += s.packetsReceived ?? 0;
        o.audioEnergy += s.totalAudioEnergy ?? 0;
      }
    });
    return out;
  });
}

// True when the tile of `identity` shows frames: videoWidth > 0 and a new frame within a second.
export function tileVideoPlaying(page, identity) {
  return page.evaluate(async (id) => {
    const v = document.querySelector(`[data-participant="${CSS.escape(id)}"] video`);
    if (!v || v.videoWidth === 0) return false;
    const frame = await Promise.race([
      new Promise((r) => v.requestVideoFrameCallback(() => r(true))),
      new Promise((r) => setTimeout(() => r(false), 1000)),
    ]);
    return frame && v.videoWidth > 0;
  }, identity);
}

export function tileVideoWidth(page, identity) {
  return page.evaluate((id) => document.querySelector(`[data-participant="${CSS.escape(id)}"] video`)?.videoWidth ?? -1, identity);
}

// The E2EE worker's counts per track: { name: { direction, participant, stats: { encrypted, decrypted, noKey, authFailed, malformed } } }.
export function workerStats(page) {
  return page.evaluate(() => window.ct.e2ee.workerStats());
}

// Sums the worker's `field` over tracks that decrypt `participant`'s media.
export function decryptedFrom(stats, participant, field = 'decrypted') {
  return Object.values(stats).filter((t) => t.direction === 'decrypt' && t.participant === participant).reduce((n, t) => n + t.stats[field], 0);
}

// Waits until every one of `others` has decoded at least `minFrames` more video frames on `page`.
export async function waitForFramesFrom(page, others, { minFrames = 10, timeout = 20000 } = {}) {
  const start = await mediaStats(page);
  let last = start;
  const ok = await waitFor(async () => {
    last = await mediaStats(page);
    return others.every((o) => (last[o]?.framesDecoded ?? 0) - (start[o]?.framesDecoded ?? 0) >= minFrames);
  }, { timeout });
  return { ok: !!ok, start, stats: last };
}

// The text of the participant details' safety number with `identity`, opened from the people panel.
export async function safetyNumberWith(page, identity, screenshotPath) {
  if ((await page.getByTestId('toggle-participants').getAttribute('aria-expanded')) !== 'true') await page.getByTestId('toggle-participants').click();
  await page.locator(`[data-testid="verify"][data-identity="${identity}"]`).click();
  const number = page.getByTestId('safety-number');
  await number.waitFor({ timeout: 10000 });
  const text = (await number.textContent()).trim();
  const qr = await page.locator('[data-testid="safety-qr"] svg').count();
  if (screenshotPath) await page.screenshot({ path: screenshotPath });
  await page.getByTestId('participant-details').getByRole('button', { name: 'Close' }).click();
  return { text, qr };
}

// Runs in the page: base64 of a data message encrypted with the page's sender key.
export function encryptDataOn(page, text) {
  return page.evaluate(async (t) => {
    const sealed = await window.ct.e2ee.encryptData(new TextEncoder().encode(t));
    return btoa(String.fromCharCode(...sealed));
  }, text);
}

// Runs in the page: tries to decrypt `from`'s message with the keys the page's worker holds.
export function decryptDataOn(page, from, base64) {
  return page.evaluate(async ({ from, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    try {
      return { ok: true, text: new TextDecoder().decode(await window.ct.e2ee.decryptData(from, bytes)) };
    } catch (e) {
      return { ok: false, code: e.code ?? String(e) };
    }
  }, { from, base64 });
}

// Runs in the page: decrypts `frames` ({ data: Buffer, keyframe }) of `from` with the keys the page's worker holds; the worker's counts.
export function decryptFramesOn(page, from, frames) {
  const list = frames.map((f) => ({ base64: Buffer.from(f.data).toString('base64'), keyframe: f.keyframe }));
  return page.evaluate(({ from, list }) => window.ct.e2ee.decryptFrames(from, list.map((f) => ({
    data: Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)).buffer, keyframe: f.keyframe,
  }))), { from, list });
}

export function sendKid(page) {
  return page.evaluate(() => String(window.ct.e2ee.currentSendKid));
}

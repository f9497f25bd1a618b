// Helpers for group-call tests: participants are pages of /call.html.
import { waitFor } from './browser.mjs';

export async function joinCall(browser, serverUrl, room, identity) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${identity}]`, m.text()); });
  page.on('pageerror', (e) => console.log(`[${identity}] page error`, e.message));
  const url = `${serverUrl}/call.html?room=${encodeURIComponent(room)}&identity=${encodeURIComponent(identity)}`;
  // Chromium aborts a load when its network changes under it (a test
  // namespace's link coming up): that one is tried again.
  for (let attempt = 1; ; ++attempt) {
    try {
      await page.goto(url);
      break;
    } catch (e) {
      if (attempt >= 3 || !String(e.message).includes('ERR_NETWORK_CHANGED')) throw e;
      await page.waitForTimeout(500);
    }
  }
  await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
  return page;
}

export const stats = (page) => page.evaluate(() => window.ctStats());

// Waits until `page` decodes video from every identity in `others` (framesDecoded >= minFrames).
export async function waitForVideoFrom(page, others, { minFrames = 10, timeout = 20000 } = {}) {
  let last = {};
  const ok = await waitFor(async () => {
    last = await stats(page);
    return others.every((o) => last[o] && last[o].framesDecoded >= minFrames);
  }, { timeout });
  return { ok: !!ok, stats: last };
}

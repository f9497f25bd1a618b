// Helpers for group-call tests: participants are pages of /call.html.
import { waitFor } from './browser.mjs';

// `query` is appended to the page URL (e.g. '&capture=720'); `viewport` sizes
// the page; `beforeLoad(page)` runs before the page loads (init scripts).
export async function joinCall(browser, serverUrl, room, identity, { query = '', viewport, beforeLoad } = {}) {
  const page = await browser.newPage(viewport ? { viewport } : undefined);
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${identity}]`, m.text()); });
  page.on('pageerror', (e) => console.log(`[${identity}] page error`, e.message));
  if (beforeLoad) await beforeLoad(page);
  const url = `${serverUrl}/call.html?room=${encodeURIComponent(room)}&identity=${encodeURIComponent(identity)}${query}`;
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

// The publisher's simulcast video outbound-rtp by rid: bytes sent and frame width.
export function publisherLayers(page) {
  return page.evaluate(async () => {
    const out = {};
    (await window.ct.publisher.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid) {
        out[s.rid] = { bytesSent: s.bytesSent, frameWidth: s.frameWidth ?? 0 };
      }
    });
    return out;
  });
}

// A subscriber's inbound-rtp for `publisher`'s video, null before there is one.
export function inboundVideo(page, publisher) {
  return page.evaluate(async (who) => {
    const mids = [...window.ct.remoteTracks].filter(([, r]) => r.info.publisher === who && r.info.kind === 'video').map(([mid]) => mid);
    let found = null;
    (await window.ct.subscriber.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && mids.includes(s.mid)) {
        found = { frameWidth: s.frameWidth ?? 0, bytesReceived: s.bytesReceived, framesDecoded: s.framesDecoded ?? 0,
          totalFreezesDuration: s.totalFreezesDuration ?? 0 };
      }
    });
    return found;
  }, publisher);
}

// Sizes (CSS pixels) or hides the tile that shows `publisher`.
export function setTile(page, publisher, style) {
  return page.evaluate(([who, css]) => {
    document.querySelector(`.tile[data-participant="${who}"]`).style.cssText = css;
  }, [publisher, style]);
}

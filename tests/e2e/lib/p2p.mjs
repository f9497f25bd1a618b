// Helpers for tests of direct (P2P) calls in the web app: the path each page
// shows (data-testid=connection-path), and gaps in the video a page renders.
import assert from 'node:assert/strict';
import { waitFor } from './browser.mjs';

export const connectionPath = (page) => page.getByTestId('connection-path').getAttribute('data-path');

// Keeps, in the page, the direct-connection messages it hears (for p2pState).
export const recordP2pMessages = (page) => page.evaluate(() => {
  window.ctP2pHeard = [];
  for (const type of ['connection_mode', 'p2p_offer', 'p2p_answer', 'p2p_candidate', 'recording', 'track', 'error']) {
    window.ct.on(type, (m) => window.ctP2pHeard.push(`${Math.round(performance.now())} ${type} ${m.mode ?? m.active ?? m.info?.kind ?? m.code ?? m.candidate?.candidate?.split(' ').slice(4, 8).join(' ') ?? ''}`));
  }
});

// What a page's client knows of its direct connections, for failure messages.
export const p2pState = (page) => page.evaluate(() => {
  const p2p = window.ct.p2p;
  return {
    mode: p2p.mode, peers: p2p.peers, heard: window.ctP2pHeard,
    local: [...window.ct.localTracks.values()].map((t) => t.track?.readyState ?? 'none'),
    links: [...p2p.links.values()].map((l) => ({
      peer: l.peer, connection: l.pc.connectionState, ice: l.pc.iceConnectionState, signaling: l.pc.signalingState,
      transceivers: l.pc.getTransceivers().length, local: l.pc.localDescription?.type, remote: l.pc.remoteDescription?.type,
    })),
  };
});

// Waits until every page shows `want` ("direct", "relayed" or "server").
export async function waitForPath(pages, want, timeout = 20000) {
  const ok = await waitFor(async () => (await Promise.all(pages.map(connectionPath))).every((p) => p === want), { timeout });
  assert.ok(ok, `every page shows "${want}": ${await Promise.all(pages.map(connectionPath))}; ${JSON.stringify(await Promise.all(pages.map(p2pState)))}`);
  for (const page of pages) assert.equal(await page.getByTestId('connection-path').textContent(), want);
}

// In the page: every 250 ms, asks each remote tile for its next presented
// frame and keeps, per participant, the longest time between two frames.
export function startGapSampler(page, identities) {
  return page.evaluate((ids) => {
    const state = { last: {}, maxGap: {} };
    window.ctGaps = state;
    window.ctGapTimer = setInterval(() => {
      const now = performance.now();
      for (const id of ids) {
        const v = document.querySelector(`[data-participant="${CSS.escape(id)}"] video`);
        if (state.last[id] !== undefined && now - state.last[id] > (state.maxGap[id] ?? 0)) { state.maxGap[id] = now - state.last[id]; state.at = { ...state.at, [id]: Math.round(state.last[id]) }; }
        v?.requestVideoFrameCallback(() => { state.last[id] = performance.now(); });
      }
    }, 250);
  }, identities);
}

// The longest gap per participant since startGapSampler, in ms.
export const videoGaps = (page) => page.evaluate(() => window.ctGaps.maxGap);

// Asserts that `page` rendered `other`'s video throughout, no gap over `maxMs`; returns the longest gap (ms).
export async function assertNoGap(page, other, maxMs, what) {
  const g = await videoGaps(page);
  assert.ok(g[other] !== undefined, `${what}: frames of ${other} were sampled`);
  if (g[other] > maxMs) {
    const seen = await page.evaluate(() => ({ from: window.ctGaps.at, now: Math.round(performance.now()), heard: window.ctP2pHeard }));
    assert.fail(`${what}: the longest gap in ${other}'s video was ${Math.round(g[other])} ms (${JSON.stringify(seen)})`);
  }
  return Math.round(g[other]);
}

// The quality indicators a page shows: its own, and the tile of each of `others`.
export function qualityShown(page, others) {
  return page.evaluate((ids) => {
    const out = { self: document.querySelector('[data-testid="own-quality"]')?.dataset.quality };
    for (const id of ids) out[id] = document.querySelector(`[data-participant="${CSS.escape(id)}"] .quality`)?.dataset.quality;
    return out;
  }, others);
}

// Starts the next phase: the longest gaps count from now (the sampler keeps running).
export const resetGaps = (page) => page.evaluate(() => { window.ctGaps.maxGap = {}; });

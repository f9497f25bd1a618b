// The web app shows the server's estimate of our downlink: on our own tile
// (data-bps), in our quality indicator's label, and in the stats panel the
// indicator opens, with what we receive and each received video's size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';

test('the own tile shows the downlink estimate within 10 s, and the indicator opens the stats panel', { timeout: 90000 }, async () => {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    await joinApp(browser, server.url, { room: 'bwui', identity: 'alice', name: 'Alice' });
    const bob = await joinApp(browser, server.url, { room: 'bwui', identity: 'bob', name: 'Bob' });
    const estimate = bob.locator('.tile.self [data-testid="bandwidth-estimate"]');
    const shown = await waitFor(async () => Number(await estimate.getAttribute('data-bps')) > 0 && await estimate.isVisible(),
      { timeout: 10000, interval: 250 });
    assert.ok(shown, `bob's tile shows an estimate within 10 s: ${await estimate.evaluate((e) => e.outerHTML)}`);
    const text = (await estimate.textContent()).replace('↓ ', '');
    assert.match(text, /^\d+(\.\d)? (kbit|Mbit|Gbit)\/s$/);

    const indicator = bob.locator('.tile.self [data-testid="own-quality"]');
    assert.match(await indicator.getAttribute('aria-label'), /^Connection quality \w+ · receiving up to \d/);

    const panel = bob.locator('[data-testid="stats-panel"]');
    assert.equal(await panel.isVisible(), false, 'closed at first');
    await indicator.click();
    assert.equal(await indicator.getAttribute('aria-expanded'), 'true');
    let stats;
    const filled = await waitFor(async () => {
      stats = await panel.evaluate((p) => Object.fromEntries([...p.querySelectorAll('[data-stat]')]
        .map((e) => [e.closest('[data-video-of]')?.dataset.videoOf ?? e.dataset.stat, e.textContent])));
      return /bit\/s$/.test(stats.receive) && /^\d+×\d+$/.test(stats.alice ?? '') && /ms$/.test(stats.rtt);
    }, { timeout: 10000, interval: 500 });
    assert.ok(filled, `the panel shows the estimate, rates, round trip and alice's frame size: ${JSON.stringify(stats)}`);
    assert.match(stats.estimate, /bit\/s$/);
    assert.match(stats.send, /bit\/s$/);

    // The keyboard closes it again.
    await indicator.focus();
    await bob.keyboard.press('Enter');
    assert.equal(await panel.isVisible(), false, 'Enter on the indicator closes the panel');
  } finally {
    await browser?.close();
    assert.equal(await server.stop(), 0);
  }
});

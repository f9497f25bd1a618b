// A group call where every packet goes through the embedded TURN server of
// `ciphertalk serve`, using the short-lived credentials handed out in "joined".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { waitForVideoFrom } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { api, token } from './lib/roomapi.mjs';

test('relay-only call through the embedded TURN server', { timeout: 90000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const pages = [];
    for (const who of ['rita', 'ravi']) {
      const page = await browser.newPage();
      await page.goto(`${server.url}/call.html?room=relayed&identity=${who}&relay=1`);
      await page.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
      pages.push(page);
    }
    const iceServers = await pages[0].evaluate(() => window.ct.rtcConfig.iceServers);
    assert.ok(iceServers.length > 0 && iceServers[0].urls.some((u) => u.startsWith('turn:')), JSON.stringify(iceServers));
    assert.match(iceServers[0].username, /^\d+:rita$/, 'REST username is expiry:identity');
    const { ok, stats } = await waitForVideoFrom(pages[0], ['ravi'], { minFrames: 30, timeout: 30000 });
    assert.ok(ok, `rita decodes ravi through the relay: ${JSON.stringify(stats)}\n${server.log().slice(-2000)}`);
    const type = await waitFor(() => pages[0].evaluate(() => window.ctCandidateType()), { timeout: 5000 });
    assert.equal(type, 'relay');
    // The server's view agrees: the path comes from one of its TURN relay sockets.
    const r = await api(server, 'GET', '/api/rooms/relayed/participants/rita/stats',
      { bearer: token({ room: 'relayed', grant: 'admin' }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.candidate_type, 'relay', JSON.stringify(r.body));
    assert.equal(r.body.publisher_connection.candidate_type, 'relay');
    assert.equal(r.body.subscriber_connection.candidate_type, 'relay');
    // The relaying shows in the TURN metrics: both participants' allocations,
    // packets both ways, and the 401 every first Allocate gets (RFC 8656 §6.1).
    const m = await scrapeMetrics(server.url);
    assert.ok(m.sum('ciphertalk_turn_allocations') >= 2, m.text);
    assert.ok(m.sum('ciphertalk_turn_relayed_packets_total', { direction: 'to_peer' }) > 100, m.text);
    assert.ok(m.sum('ciphertalk_turn_relayed_packets_total', { direction: 'to_client' }) > 100, m.text);
    assert.ok(m.sum('ciphertalk_turn_refused_total', { reason: 'unauthenticated' }) >= 2, m.text);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

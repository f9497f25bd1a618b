// The round trip to a participant who only publishes, measured on its
// publisher connection with a real Chromium: the server sends an RTCP XR
// receiver reference time report (RFC 3611 §4.4) with its receiver reports,
// Chromium answers with a DLRR block (§4.5), and the server's round trips
// show in /metrics under connection="publisher".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';

const ROOM = 'publisher-rtt';
const b64url = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
// A --dev token (key devkey, secret devsecret) that may publish but not subscribe.
function publishOnlyToken(identity) {
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url({
    iss: 'devkey', sub: identity, exp: Math.floor(Date.now() / 1000) + 600,
    grants: { room: ROOM, roomJoin: true, canPublish: true, canSubscribe: false, canPublishData: true },
  });
  const sig = createHmac('sha256', 'devsecret').update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) assert.equal(await server.stop(), 0);
});

test('a participant who only publishes has its round trip measured on the publisher connection', { timeout: 90000 }, async () => {
  const publisher = await browser.newPage();
  publisher.on('pageerror', (e) => console.log('[alice] page error', e.message));
  await publisher.goto(`${server.url}/call.html?room=${ROOM}&identity=alice&token=${publishOnlyToken('alice')}`);
  await publisher.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
  let metrics;
  const measured = await waitFor(async () => {
    metrics = await scrapeMetrics(server.url);
    return metrics.sum('ciphertalk_round_trips_total', { connection: 'publisher' }) >= 3;
  }, { timeout: 20000, interval: 1000 });
  assert.ok(measured, `publisher-connection round trips measured (Chromium answers RRTR with DLRR):\n${metrics.text}\n${server.log().slice(-2000)}`);
  const count = metrics.sum('ciphertalk_round_trips_total', { connection: 'publisher' });
  const seconds = metrics.sum('ciphertalk_round_trip_seconds_total', { connection: 'publisher' });
  console.log(`publisher round trips: ${count}, average ${(1000 * seconds / count).toFixed(2)} ms`);
  // Alice is alone and receives nothing: no receiver reports, no subscriber round trips.
  assert.equal(metrics.sum('ciphertalk_round_trips_total', { connection: 'subscriber' }), 0);
  assert.ok(metrics.sum('ciphertalk_published_packets_total') > 0, 'alice sends media');
  // Loopback: under 100 ms (the DLRR's own delay at the browser is taken out).
  assert.ok(seconds / count > 0 && seconds / count < 0.1, `average publisher round trip ${seconds / count} s`);
  await publisher.close();
});

// Signaling protection against a real server: tokens are checked, malformed
// messages get coded errors, a flooding client is cut off, and none of it
// disturbs the media of a call in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { startServer } from './lib/server.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';

const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function makeToken(payload, { secret = 'devsecret', alg = 'HS256' } = {}) {
  const head = b64url({ alg, typ: 'JWT' });
  const body = b64url(payload);
  if (alg === 'none') return `${head}.${body}.`;
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (over = {}) => ({ iss: 'devkey', sub: 'mallory', exp: now() + 600, grants: { room: 'r1', roomJoin: true }, ...over });

// Opens /rtc, sends `messages`, collects what comes back until the server closes or `ms` pass.
function converse(url, messages, ms = 3000) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/rtc');
    const got = [];
    let closeCode = null;
    const done = () => resolve({ got, closeCode });
    const timer = setTimeout(() => { ws.terminate(); done(); }, ms);
    ws.on('open', () => { for (const m of messages) ws.send(typeof m === 'string' ? m : JSON.stringify(m)); });
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    ws.on('close', (code) => { closeCode = code; clearTimeout(timer); done(); });
    ws.on('error', () => {});
  });
}

test('bad tokens are refused with a code', async () => {
  const server = await startServer();
  try {
    const cases = {
      token_expired: makeToken(claims({ exp: now() - 3600 })),
      token_bad_signature: makeToken(claims(), { secret: 'not-the-secret' }),
      token_wrong_algorithm: makeToken(claims(), { alg: 'none' }),
      token_unknown_key: makeToken(claims({ iss: 'nobody' })),
      token_malformed: 'not-a-token',
    };
    for (const [expected, token] of Object.entries(cases)) {
      const { got, closeCode } = await converse(server.url, [{ type: 'join', token, protocol: 1 }]);
      const err = got.find((m) => m.type === 'error');
      assert.ok(err, `${expected}: an error message`);
      assert.equal(err.code, expected);
      assert.equal(closeCode, 1008, `${expected}: closed with policy violation`);
    }
    // A token for another room joins that room, not this one; one without roomJoin is refused.
    const { got } = await converse(server.url, [{ type: 'join', token: makeToken(claims({ grants: { room: 'r1' } })), protocol: 1 }]);
    assert.equal(got.find((m) => m.type === 'error')?.code, 'permission_denied');
    // Each refusal is counted by its code, each cut connection by its reason.
    const m = await scrapeMetrics(server.url);
    for (const code of Object.keys(cases)) assert.equal(m.sum('ciphertalk_signal_errors_total', { code }), 1, code);
    assert.equal(m.sum('ciphertalk_signal_closed_total', { reason: 'token_refused' }), 5);
    assert.equal(m.sum('ciphertalk_signal_closed_total', { reason: 'permission_denied' }), 1);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('malformed signaling gets coded errors and the connection survives', async () => {
  const server = await startServer();
  try {
    const token = makeToken(claims());
    const { got } = await converse(server.url, [
      '{not json',
      '[1,2,3]',
      { type: 'teleport' },
      { type: 'mute', sid: 'TR_x', muted: true },
      { type: 'join', token, protocol: 1 },
      { type: 'offer', sdp: 'v=0\r\ngarbage' },
      { type: 'answer', sdp: 'v=0' },
      { type: 'ping', timestamp: 42 },
    ], 4000);
    const codes = got.filter((m) => m.type === 'error').map((m) => m.code);
    assert.deepEqual(codes.slice(0, 4), ['bad_json', 'bad_message', 'unknown_type', 'not_joined']);
    assert.ok(got.some((m) => m.type === 'joined'), 'joined after the bad messages');
    assert.ok(codes.includes('bad_sdp'), `bad_sdp for a garbage offer: ${codes}`);
    assert.ok(codes.includes('no_offer_pending') || codes.includes('bad_sdp'), 'an answer without an offer is refused');
    assert.ok(got.some((m) => m.type === 'pong' && m.timestamp === 42), 'still answering after errors');
    // A message over the size limit closes with 1009.
    const big = await converse(server.url, [JSON.stringify({ type: 'ping', pad: 'x'.repeat(70000) })]);
    assert.equal(big.closeCode, 1009);
    const m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_signal_errors_total', { code: 'bad_json' }), 1);
    assert.equal(m.sum('ciphertalk_signal_errors_total', { code: 'bad_sdp' }), codes.filter((c) => c === 'bad_sdp').length);
    assert.equal(m.sum('ciphertalk_signal_closed_total', { reason: 'message_too_big' }), 1);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a flooding client is cut off while the call keeps decoding', { timeout: 120000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const a = await joinCall(browser, server.url, 'r1', 'alice');
    const b = await joinCall(browser, server.url, 'r1', 'bob');
    assert.ok((await waitForVideoFrom(a, ['bob'])).ok, 'call established');
    const before = await stats(a);
    const flood = Array.from({ length: 2000 }, (_, i) => ({ type: 'ping', timestamp: i }));
    const { got, closeCode } = await converse(server.url, [{ type: 'join', token: makeToken(claims()), protocol: 1 }, ...flood], 5000);
    assert.equal(closeCode, 1008, 'the flooder is disconnected');
    assert.ok(got.some((m) => m.type === 'error' && m.code === 'rate_limited'));
    const metrics = await scrapeMetrics(server.url);
    assert.equal(metrics.sum('ciphertalk_signal_closed_total', { reason: 'rate_limited' }), 1);
    assert.ok(metrics.sum('ciphertalk_signal_errors_total', { code: 'rate_limited' }) >= 10);
    await a.waitForTimeout(1000);
    const after = await stats(a);
    assert.ok(after.bob.framesDecoded > before.bob.framesDecoded + 20, `alice keeps decoding bob: ${before.bob.framesDecoded} -> ${after.bob.framesDecoded}`);
    await b.close();
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

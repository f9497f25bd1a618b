// The echo call in a real browser: Chromium sends its fake camera and microphone
// to ciphertalk (POST /echo) and must decode its own video coming back.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser } from './lib/browser.mjs';

async function runEcho(serverArgs) {
  const server = await startServer(serverArgs);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
    await page.goto(`${server.url}/echo.html?autostart=1`);
    let stats;
    const deadline = Date.now() + 20000;
    do {
      await page.waitForTimeout(500);
      stats = await page.evaluate(() => window.echoStats());
    } while (stats.videoFramesDecoded < 30 && Date.now() < deadline);
    console.log('echo stats', JSON.stringify(stats));
    // The resource URL must tear the session down.
    await page.click('#stop');
    return { stats, server };
  } finally {
    await browser.close();
    const code = await server.stop();
    assert.equal(code, 0, `ciphertalk should exit cleanly on SIGTERM:\n${server.log()}`);
  }
}

test('Chromium echo call with AEAD_AES_128_GCM decodes its own video', async () => {
  const { stats, server } = await runEcho([]);
  assert.ok(stats.videoFramesDecoded >= 30, `framesDecoded ${stats.videoFramesDecoded}\n${JSON.stringify(stats)}\n${server.log()}`);
  assert.ok(stats.audioPacketsReceived > 0, `audio packets ${stats.audioPacketsReceived}`);
  assert.equal(stats.srtpCipher, 'SRTP_AEAD_AES_128_GCM');
  assert.equal(stats.tlsVersion, 'FEFD', 'DTLS 1.2 (OpenSSL 3.0 has no DTLS 1.3)');
});

test('Chromium echo call with AES_CM_128_HMAC_SHA1_80 when the server forces it', async () => {
  const { stats, server } = await runEcho(['--srtp-profiles', 'aes-cm']);
  assert.ok(stats.videoFramesDecoded >= 30, `framesDecoded ${stats.videoFramesDecoded}\n${server.log()}`);
  assert.ok(stats.audioPacketsReceived > 0);
  assert.equal(stats.srtpCipher, 'SRTP_AES128_CM_HMAC_SHA1_80');
});

test('echo endpoint: bad offers get clear errors, DELETE ends the session', async () => {
  const server = await startServer();
  try {
    const post = (body, type = 'application/sdp') =>
      fetch(`${server.url}/echo`, { method: 'POST', headers: { 'Content-Type': type }, body });
    let r = await post('v=0\r\nthis is not sdp\r\n');
    assert.equal(r.status, 400);
    assert.match(await r.text(), /malformed SDP offer: line \d+/);
    r = await post('{"sdp":"x"}', 'application/json');
    assert.equal(r.status, 415);
    // An offer with only codecs the server does not take (here: audio PCMU only) is refused with a reason.
    const offer = readFileSync(new URL('../fixtures/sdp/chromium-offer-av.sdp', import.meta.url), 'utf8');
    const pcmuOnly = offer.replace(/m=audio (\d+) UDP\/TLS\/RTP\/SAVPF [0-9 ]+/, 'm=audio $1 UDP/TLS/RTP/SAVPF 0')
      .replace(/m=video[\s\S]*$/, '').replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0');
    r = await post(pcmuOnly);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /unusable SDP offer|accepts/);
    // A real offer: VP8 kept, the codecs the server does not forward (VP9, AV1) left out of the answer.
    r = await post(offer);
    assert.equal(r.status, 201);
    const answer = await r.text();
    assert.match(answer, /a=rtpmap:96 VP8\/90000/);
    assert.doesNotMatch(answer, /VP9|AV1/);
    assert.match(answer, /a=ice-lite/);
    const location = r.headers.get('location');
    assert.match(location, /^\/echo\/\d+-\w+$/);
    r = await fetch(server.url + location, { method: 'DELETE' });
    assert.equal(r.status, 200);
    r = await fetch(server.url + location, { method: 'DELETE' });
    assert.equal(r.status, 404, 'the session is gone');
    // The endpoint takes no token: each address is rate limited (5 a second, bursts of 40).
    const statuses = [];
    for (let i = 0; i < 50; ++i) statuses.push((await fetch(server.url + location, { method: 'DELETE' })).status);
    assert.ok(statuses.includes(429), `rate limited: ${statuses}`);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

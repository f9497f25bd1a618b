// The echo call in a real browser: Chromium sends its fake camera and microphone
// to ciphertalk (POST /echo) and must decode its own video coming back.
import { test } from 'node:test';
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

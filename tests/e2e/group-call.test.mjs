// Group calls through the SFU in real Chromium: four participants see and hear
// each other; leave, late join and mute behave as a user expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

test('four participants, leave, late join and mute', { timeout: 180000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const names = ['alice', 'bob', 'carol', 'dave'];
    const pages = {};
    for (const n of names) pages[n] = await joinCall(browser, server.url, 'standup', n);

    // Everyone decodes the three others' video and receives their audio.
    for (const n of names) {
      const others = names.filter((o) => o !== n);
      const { ok, stats: s } = await waitForVideoFrom(pages[n], others, { minFrames: 15, timeout: 30000 });
      assert.ok(ok, `${n} should decode video from ${others.join(', ')}: ${JSON.stringify(s)}\n${server.log().slice(-3000)}`);
      for (const o of others) assert.ok(s[o].audioPackets > 0, `${n} should receive audio from ${o}`);
    }
    // ... and keeps decoding: framesDecoded rises on every remote track.
    const before = await stats(pages.alice);
    await pages.alice.waitForTimeout(1500);
    const after = await stats(pages.alice);
    for (const o of ['bob', 'carol', 'dave']) {
      assert.ok(after[o].framesDecoded > before[o].framesDecoded, `alice's video from ${o} keeps decoding`);
    }

    // What an operator's Prometheus sees: one room, four people, each
    // publishing a camera and a microphone and receiving the other six tracks.
    const metrics1 = await scrapeMetrics(server.url);
    assert.equal(metrics1.sum('ciphertalk_rooms'), 1);
    assert.equal(metrics1.sum('ciphertalk_participants'), 4);
    assert.equal(metrics1.sum('ciphertalk_published_tracks', { kind: 'video' }), 4);
    assert.equal(metrics1.sum('ciphertalk_published_tracks', { kind: 'audio' }), 4);
    assert.equal(metrics1.sum('ciphertalk_subscriptions'), 24);
    assert.equal(metrics1.sum('ciphertalk_signal_connections'), 4);
    assert.equal(metrics1.sum('ciphertalk_rooms_created_total'), 1);
    assert.equal(metrics1.sum('ciphertalk_participants_joined_total'), 4);
    assert.equal(metrics1.sum('ciphertalk_tracks_published_total'), 8);
    assert.ok(metrics1.sum('ciphertalk_forwarded_packets_total') > 1000, metrics1.text);
    assert.ok(metrics1.sum('ciphertalk_rtp_packets_total', { direction: 'out' }) >= metrics1.sum('ciphertalk_forwarded_packets_total'));
    assert.ok(metrics1.sum('ciphertalk_udp_packets_total', { direction: 'in' }) > 0);

    // Dave leaves: the others lose his tile and tracks within 2 s.
    await pages.dave.click('#leave');
    const gone = await Promise.all(['alice', 'bob', 'carol'].map((n) => waitFor(() => pages[n].evaluate(() =>
      !document.querySelector('.tile[data-participant="dave"]') &&
      !window.ct.remoteTrackList().some((t) => t.participant === 'dave')), { timeout: 2000, interval: 100 })));
    assert.deepEqual(gone, [true, true, true], 'everyone loses dave within 2 s');
    await pages.dave.close();

    // Dave's tracks and subscriptions are gone from the gauges; the counters
    // keep what his tracks forwarded and go on rising.
    const metrics2 = await scrapeMetrics(server.url);
    assert.equal(metrics2.sum('ciphertalk_participants'), 3);
    assert.equal(metrics2.sum('ciphertalk_published_tracks'), 6);
    assert.equal(metrics2.sum('ciphertalk_subscriptions'), 12);
    assert.ok(metrics2.sum('ciphertalk_forwarded_packets_total') > metrics1.sum('ciphertalk_forwarded_packets_total'));
    assert.ok(metrics2.sum('ciphertalk_rtp_packets_total', { direction: 'in' }) > metrics1.sum('ciphertalk_rtp_packets_total', { direction: 'in' }));
    // The room drops dave at his `leave`; his socket's close is counted when
    // the server sees it close, a moment later.
    let closedLeft = 0;
    await waitFor(async () => {
      closedLeft = (await scrapeMetrics(server.url)).sum('ciphertalk_signal_closed_total', { reason: 'left' });
      return closedLeft >= 1;
    }, { timeout: 3000, interval: 100 });
    assert.equal(closedLeft, 1);

    // A late joiner shows remote video within 1 s of connecting: from its
    // subscriber connection reaching 'connected' to the first frame of each
    // remote <video> (requestVideoFrameCallback), timed inside the page.
    const erin = await browser.newPage();
    await erin.goto(`${server.url}/call.html?room=standup&identity=erin`);
    await erin.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
    const { ok: erinOk, stats: es } = await waitForVideoFrom(erin, ['alice', 'bob', 'carol'], { minFrames: 1, timeout: 10000 });
    assert.ok(erinOk, `erin should see everyone: ${JSON.stringify(es)}`);
    const times = await waitFor(async () => {
      const t = await erin.evaluate(() => window.ctFirstFrames());
      return ['alice', 'bob', 'carol'].every((o) => t.firstFrameAt[o]) && t.subscriberConnectedAt ? t : null;
    }, { timeout: 5000 });
    assert.ok(times, 'first frames were shown');
    const firstFrameMs = Math.max(...['alice', 'bob', 'carol'].map((o) => times.firstFrameAt[o])) - times.subscriberConnectedAt;
    console.log(`late joiner showed video from all three ${firstFrameMs.toFixed(0)} ms after connecting`);
    assert.ok(firstFrameMs <= 1000, `late joiner's first frames took ${firstFrameMs.toFixed(0)} ms (limit 1000)`);

    // Alice mutes her microphone: packets stop and the others see the muted state.
    await pages.alice.click('#mic');
    const mutedSeen = await waitFor(() => pages.bob.evaluate(() =>
      document.querySelector('.tile[data-participant="alice"]')?.dataset.audioMuted === 'true'), { timeout: 3000 });
    assert.ok(mutedSeen, 'bob sees alice muted');
    await pages.bob.waitForTimeout(500);
    const m1 = await stats(pages.bob);
    await pages.bob.waitForTimeout(1500);
    const m2 = await stats(pages.bob);
    assert.ok(m2.alice.audioPackets - m1.alice.audioPackets <= 2,
      `no audio from muted alice (got ${m2.alice.audioPackets - m1.alice.audioPackets} packets in 1.5 s)`);
    assert.ok(m2.carol.audioPackets > m1.carol.audioPackets, 'carol is still heard');
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

test('a participant publishing H.264 is decoded as H.264 by the others', { timeout: 90000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = async (identity, codec) => {
      const p = await browser.newPage();
      await p.goto(`${server.url}/call.html?room=codecs&identity=${identity}${codec ? `&codec=${codec}` : ''}`);
      await p.waitForFunction(() => window.ctReady === true, null, { timeout: 20000 });
      return p;
    };
    const hana = await page('hana', 'h264');
    const vic = await page('vic');
    const { ok, stats: s } = await waitForVideoFrom(vic, ['hana'], { minFrames: 30, timeout: 30000 });
    assert.ok(ok, `vic decodes hana: ${JSON.stringify(s)}\n${server.log().slice(-2000)}`);
    assert.equal(s.hana.videoCodec, 'video/H264');
    // The other direction stays on the default codec.
    const { ok: back, stats: h } = await waitForVideoFrom(hana, ['vic'], { minFrames: 30, timeout: 30000 });
    assert.ok(back, JSON.stringify(h));
    assert.equal(h.vic.videoCodec, 'video/VP8');
    // The room announces the codec with the track.
    const codecs = await vic.evaluate(() => [...window.ct.participants.get('hana').tracks.values()].map((t) => `${t.kind}:${t.codec}`).sort());
    assert.deepEqual(codecs, ['audio:opus', 'video:H264']);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

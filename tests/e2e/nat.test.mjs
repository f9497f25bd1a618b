// Calls through the SFU from behind real (namespaced) NATs: the lab's NAT
// types behave as named, a browser behind each type reaches a browser on the
// public side with media both ways (and the server names each path's
// candidate type: srflx, prflx behind a symmetric NAT, relay), behind a NAT that blocks UDP only TURN
// over TCP or TLS gets through, and external STUN/TURN servers given to
// `ciphertalk serve` reach the browser and carry its media (coturn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './lib/browser.mjs';
import { joinCall, waitForVideoFrom } from './lib/call.mjs';
import { createNatLab, describePair, selectedPair, SERVER_IP, PUBLIC_NET } from './lib/nat.mjs';
import { api, token } from './lib/roomapi.mjs';

test('each NAT type of the lab behaves as named', { timeout: 60000 }, async () => {
  const lab = await createNatLab();
  try {
    const types = ['cone', 'symmetric', 'udp-blocked', 'none'];
    for (const type of types) await lab.addClient(type.replace('-', ''), type);
    console.log(lab.describe());
    const seen = await Promise.all(lab.clients.map((c) => c.probeNat()));
    for (const [i, c] of lab.clients.entries()) {
      const s = seen[i];
      console.log(`${c.type.padEnd(12)} udp mappings ${JSON.stringify(s.udp)} tcp ${s.tcp} unsolicited-from-other-port ${s.unsolicited}`);
      assert.equal(s.behaviour, c.type, `${c.name}: ${JSON.stringify(s)}`);
      // TCP always gets out, from the NAT's public address.
      assert.ok(s.tcp?.startsWith(`${c.publicIp}:`), JSON.stringify(s));
      if (c.type === 'cone') assert.equal(s.udp[0], `${c.publicIp}:${s.local}`, 'MASQUERADE keeps the source port');
      // Filtering: a port the client never wrote to cannot reach it through a NAT.
      if (c.type !== 'none') assert.equal(s.unsolicited, false, JSON.stringify(s));
      else assert.equal(s.unsolicited, true, 'the unNATed client hears every port (the probe works)');
    }
  } finally {
    await lab.destroy();
  }
});

test('a browser behind each NAT type calls a public browser through the SFU', { timeout: 150000 }, async () => {
  const lab = await createNatLab();
  try {
    const server = await lab.startServer();
    const origin = lab.origin();
    const pub = await lab.addClient('pub', 'none');
    const pubBrowser = await pub.launchBrowser(origin);
    const matrix = [];
    for (const type of ['cone', 'symmetric', 'udp-blocked']) {
      const client = await lab.addClient(type.replace('-', ''), type);
      const browser = await client.launchBrowser(origin);
      const room = `sfu-${type}`;
      const a = await joinCall(browser, origin, room, `behind-${type}`);
      const b = await joinCall(pubBrowser, origin, room, 'public');
      try {
        // UDP-blocked ICE first waits out its UDP checks before TCP/TLS relaying wins.
        const timeout = type === 'udp-blocked' ? 40000 : 20000;
        const [there, back] = await Promise.all([
          waitForVideoFrom(a, ['public'], { timeout }), waitForVideoFrom(b, [`behind-${type}`], { timeout })]);
        assert.ok(there.ok && back.ok, `${type}: media both ways: ${JSON.stringify({ there: there.stats, back: back.stats })}\n${server.log().slice(-1500)}`);
        const up = await waitFor(() => selectedPair(a, 'window.ct.publisher'));
        const down = await waitFor(() => selectedPair(a, 'window.ct.subscriber'));
        // The server's view of each path: the type of the candidate the browser trickled at the
        // address its checks come from. Behind a symmetric NAT the mapping towards the SFU is not the
        // one STUN saw, so no candidate stands for it: peer-reflexive (RFC 8445 §7.3.1.3).
        const admin = token({ room, grant: 'admin' });
        const serverType = async (who) => (await api(server, 'GET', `/api/rooms/${room}/participants/${who}/stats`, { bearer: admin })).body;
        const expected = { cone: 'srflx', symmetric: 'prflx', 'udp-blocked': 'relay' }[type];
        const seen = await waitFor(async () => { const s = await serverType(`behind-${type}`); return s?.candidate_type === expected && s; }, { timeout: 5000 });
        assert.ok(seen, `${type}: the server names the path ${expected}: ${JSON.stringify(await serverType(`behind-${type}`))}`);
        assert.equal(seen.subscriber_connection.candidate_type, expected, JSON.stringify(seen));
        assert.equal((await serverType('public')).candidate_type, 'host', 'the public browser sends from its host address');
        matrix.push({ type, up, down, server: expected });
        for (const pair of [up, down]) {
          assert.ok(pair, `${type}: a selected candidate pair`);
          // The SFU is ICE-lite with one public host candidate.
          assert.equal(pair.remote.address, SERVER_IP);
          if (type === 'udp-blocked') {
            assert.equal(pair.local.type, 'relay', `${type}: ${describePair(pair)}`);
            assert.ok(['tcp', 'tls'].includes(pair.local.relayProtocol), `${type}: ${describePair(pair)}`);
          } else {
            assert.notEqual(pair.local.type, 'relay', `${type}: a direct path to the SFU: ${describePair(pair)}`);
            assert.equal(pair.local.protocol, 'udp');
          }
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
        await client.closeBrowsers();
      }
    }
    console.log(lab.describe());
    console.log('SFU path by NAT type (the NATed browser\'s selected pairs: local <-> SFU):');
    for (const { type, up, down, server: seen } of matrix) console.log(`  ${type.padEnd(12)} publish ${describePair(up).padEnd(28)} subscribe ${describePair(down).padEnd(28)} server's view ${seen}`);
  } finally {
    await lab.destroy();
  }
});

// coturn in the public network with a static long-term user, handed out by
// --ice-server; CipherTalk's own TURN is off, so a relayed call can only use it.
test('external STUN/TURN servers are handed to the browser and carry its media', { timeout: 90000 }, async () => {
  const lab = await createNatLab();
  const coturnIp = `${PUBLIC_NET}.2`;
  let coturn;
  try {
    await lab.addAddress(coturnIp);
    let coturnLog = '';
    coturn = lab.spawnPublic('turnserver', ['-n', '--listening-ip', coturnIp, '--relay-ip', coturnIp, '--listening-port', '3478',
      '--lt-cred-mech', '--user', 'extuser:extpass', '--realm', 'example.org', '--no-tls', '--no-dtls', '--no-cli',
      '--min-port', '49152', '--max-port', '49300', '--log-file', 'stdout', '--simple-log']);
    coturn.stdout.on('data', (d) => { coturnLog += d; });
    coturn.stderr.on('data', (d) => { coturnLog += d; });
    const external = [`stun:${coturnIp}:3478`, `turn:${coturnIp}:3478?transport=udp`, `turn:${coturnIp}:3478?transport=tcp`];
    const server = await lab.startServer(['--no-turn', ...external.flatMap((u) => ['--ice-server', u]),
      '--ice-server-username', 'extuser', '--ice-server-credential', 'extpass']);
    const origin = lab.origin();
    const [alice, bob] = [await lab.addClient('alice', 'symmetric'), await lab.addClient('bob', 'cone')];
    const a = await joinCall(await alice.launchBrowser(origin), origin, 'external-turn', 'alice', { query: '&relay=1' });
    const b = await joinCall(await bob.launchBrowser(origin), origin, 'external-turn', 'bob');

    const config = await a.evaluate(() => window.ct.publisher.getConfiguration().iceServers);
    console.log('iceServers of the page\'s RTCPeerConnection:', JSON.stringify(config));
    assert.ok(config.some((c) => c.urls.includes(external[0]) && !c.username), 'the STUN server, without credentials');
    assert.ok(config.some((c) => c.urls.includes(external[1]) && c.username === 'extuser' && c.credential === 'extpass'), 'the TURN server with its credentials');
    assert.ok(!config.some((c) => c.urls.some((u) => u.includes(`${SERVER_IP}:`))), 'no embedded TURN with --no-turn');

    const [there, back] = await Promise.all([waitForVideoFrom(a, ['bob'], { timeout: 30000 }), waitForVideoFrom(b, ['alice'], { timeout: 30000 })]);
    assert.ok(there.ok && back.ok, `media through coturn: ${JSON.stringify([there.stats, back.stats])}\n${server.log().slice(-1500)}\n${coturnLog.slice(-1500)}`);
    const pair = await waitFor(() => selectedPair(a, 'window.ct.publisher'));
    console.log(`alice (symmetric NAT, relay only) publishes over ${describePair(pair)} via ${pair.local.address}`);
    assert.equal(pair.local.type, 'relay');
    assert.equal(pair.local.address, coturnIp, 'relayed by the external TURN server');
  } finally {
    await lab.destroy();
    coturn?.kill('SIGKILL');
  }
});

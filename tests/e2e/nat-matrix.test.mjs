// Direct (P2P) calls between two browsers behind the NAT lab's NATs
// (lib/nat.mjs), through the app in a room with direct connections
// (/?room=R&p2p=1 under --dev): cone <-> cone connects directly with
// server-reflexive candidates; symmetric <-> symmetric only through TURN
// (with STUN but without TURN it finds no direct path); UDP-blocked <-> cone connects
// through TURN over TCP or TLS. Prints the matrix with the selected
// candidate pairs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './lib/browser.mjs';
import { joinApp, tileVideoPlaying } from './lib/app.mjs';
import { binary } from './lib/server.mjs';
import { createNatLab, describePair, selectedPair, PUBLIC_NET } from './lib/nat.mjs';

const STUN_IP = `${PUBLIC_NET}.2`;

let lab;
let server;
const matrix = [];

const pathOf = (page) => page.getByTestId('connection-path').getAttribute('data-path');
const directPc = (peer) => `window.ct.p2p.links.get(${JSON.stringify(peer)})?.pc`;

async function waitForPaths(pages, want, timeout) {
  const ok = await waitFor(async () => (await Promise.all(pages.map(pathOf))).every((p) => p === want), { timeout, interval: 500 });
  const states = () => Promise.all(pages.map((p) => p.evaluate(() => ({ mode: window.ct.p2p.mode,
    ice: [...window.ct.p2p.links.values()].map((l) => `${l.peer}: ${l.pc.iceConnectionState}/${l.pc.connectionState}`) }))));
  assert.ok(ok, `every page shows "${want}": ${await Promise.all(pages.map(pathOf))} ${JSON.stringify(await states())}`);
}

async function waitForVideoBothWays([a, b], [idA, idB], what) {
  for (const [page, other] of [[a, idB], [b, idA]]) {
    assert.ok(await waitFor(() => tileVideoPlaying(page, other), { timeout: 20000 }), `${what}: the tile of ${other} renders`);
  }
}

// Two browsers, behind NATs of typeA and typeB, join one direct-connection
// room; returns their pages (closed by the caller through closeBrowsers).
async function call(typeA, typeB, room) {
  const [a, b] = [await lab.addClient(`${room}a`, typeA), await lab.addClient(`${room}b`, typeB)];
  const origin = lab.origin();
  const pages = [];
  for (const [client, identity] of [[a, `${room}-a`], [b, `${room}-b`]]) {
    pages.push(await joinApp(await client.launchBrowser(origin), origin, { room, identity, name: identity, query: { p2p: '1' } }));
  }
  return { clients: [a, b], pages, ids: [`${room}-a`, `${room}-b`] };
}

async function close({ clients }) {
  await Promise.all(clients.map((c) => c.closeBrowsers()));
}

describe('direct calls through NATs', { timeout: 300000 }, () => {
  before(async () => {
    lab = await createNatLab();
    server = await lab.startServer();
  });
  after(async () => {
    console.log(lab?.describe());
    console.log('P2P matrix (A\'s direct connection to B: A\'s candidate <-> B\'s):');
    for (const row of matrix) console.log(`  ${row.pair.padEnd(34)} ${row.path.padEnd(8)} ${row.detail}`);
    await lab?.destroy();
  });

  test('cone <-> cone connects directly with server-reflexive candidates', async () => {
    const c = await call('cone', 'cone', 'cc');
    try {
      await waitForPaths(c.pages, 'direct', 30000);
      await waitForVideoBothWays(c.pages, c.ids, 'cone <-> cone');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'cone <-> cone', path: 'direct', detail: describePair(pair) });
      assert.ok(pair.local.type !== 'relay' && pair.remote.type !== 'relay', describePair(pair));
      // B is reached at its NAT's public address: a server-reflexive (or, learnt in the checks, peer-reflexive) candidate.
      assert.ok(['srflx', 'prflx'].includes(pair.remote.type), describePair(pair));
      assert.equal(pair.remote.address, c.clients[1].publicIp);
    } finally {
      await close(c);
    }
  });

  test('symmetric <-> symmetric connects only through TURN', async () => {
    const c = await call('symmetric', 'symmetric', 'ss');
    try {
      await waitForPaths(c.pages, 'relayed', 40000);
      await waitForVideoBothWays(c.pages, c.ids, 'symmetric <-> symmetric');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'symmetric <-> symmetric', path: 'relayed', detail: describePair(pair) });
      assert.ok(pair.local.type === 'relay' || pair.remote.type === 'relay', describePair(pair));
    } finally {
      await close(c);
    }
  });

  test('UDP-blocked <-> cone connects through TURN over TCP or TLS', async () => {
    const c = await call('udp-blocked', 'cone', 'uc');
    try {
      await waitForPaths(c.pages, 'relayed', 60000);
      await waitForVideoBothWays(c.pages, c.ids, 'UDP-blocked <-> cone');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'udp-blocked <-> cone', path: 'relayed', detail: describePair(pair) });
      assert.equal(pair.local.type, 'relay', describePair(pair));
      assert.ok(['tcp', 'tls'].includes(pair.local.relayProtocol), describePair(pair));
    } finally {
      await close(c);
    }
  });

  test('symmetric <-> symmetric without TURN finds no direct path', async () => {
    // STUN only: `ciphertalk turn` on a second address answers Binding
    // requests; the server hands out nothing else.
    await lab.addAddress(STUN_IP);
    const stun = lab.spawnPublic(binary, ['turn', '--listen', STUN_IP, '--port', '3478', '--tls-port', '0', '--dev', '--secret', 'unused']);
    let stunLog = '';
    stun.stdout.on('data', (d) => { stunLog += d; });
    stun.stderr.on('data', (d) => { stunLog += d; });
    assert.ok(await waitFor(() => stunLog.includes('turn: listening'), { timeout: 10000, interval: 100 }), stunLog);
    assert.equal(await server.stop(), 0);
    server = await lab.startServer(['--no-turn', '--ice-server', `stun:${STUN_IP}:3478`]);
    const c = await call('symmetric', 'symmetric', 'sn');
    try {
      // Each NAT gives every destination its own port, so neither peer's
      // server-reflexive address reaches the other: for 20 s no page may
      // show a direct or relayed path, and ICE selects no pair.
      const seen = new Set();
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline) {
        for (const p of await Promise.all(c.pages.map(pathOf))) seen.add(p);
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.deepEqual([...seen], ['server'], `paths seen: ${[...seen]}`);
      assert.equal(await selectedPair(c.pages[0], directPc(c.ids[1])), null);
      const srflx = await c.pages[0].evaluate(async (expr) => {
        let n = 0;
        (await new Function(`return ${expr}`)().getStats()).forEach((s) => { if (s.type === 'local-candidate' && s.candidateType === 'srflx') n++; });
        return n;
      }, directPc(c.ids[1]));
      assert.ok(srflx > 0, 'the peers had server-reflexive candidates (STUN worked), and still no path');
      const state = await c.pages[0].evaluate((expr) => new Function(`return ${expr}`)()?.iceConnectionState, directPc(c.ids[1]));
      assert.ok(['checking', 'disconnected', 'failed'].includes(state), state);
      matrix.push({ pair: 'symmetric <-> symmetric, no TURN', path: 'none', detail: `no pair selected in 20 s (ICE ${state})` });
    } finally {
      await close(c);
    }
  });
});

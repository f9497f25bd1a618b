// Raw /rtc signaling clients for tests that speak the protocol without a
// browser: a development token, and a WebSocket that records what it gets.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { waitFor } from './browser.mjs';

export async function devToken(server, room, identity) {
  const r = await fetch(`${server.url}/api/dev/token?room=${room}&identity=${identity}`);
  return (await r.json()).token;
}

// A signaling connection that records every message it receives.
export function connect(server) {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/rtc');
  const client = {
    ws, got: [], closeCode: null,
    send: (m) => ws.send(JSON.stringify(m)),
    has: (pred) => client.got.some(pred),
    of: (type) => client.got.filter((m) => m.type === type),
    // Waits for a message matching `pred` and returns it.
    async until(pred, what, timeout = 5000) {
      const ok = await waitFor(() => client.has(pred), { timeout, interval: 50 });
      assert.ok(ok, `${what}: got ${JSON.stringify(client.got.map((m) => m.type + (m.code ? `:${m.code}` : '')))}`);
      return client.got.find(pred);
    },
  };
  ws.on('message', (d) => client.got.push(JSON.parse(d.toString())));
  ws.on('close', (code) => { client.closeCode = code; });
  ws.on('error', () => {});
  return new Promise((resolve) => ws.on('open', () => resolve(client)));
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerStats, ServerStatsError } from '../src/sdk/server-stats';
import type { CipherTalkClient } from '../src/sdk/client';
import type { ClientMessage, ServerMessage } from '../src/sdk/protocol';

// A client as ServerStats uses it: send() records, deliver() plays a server message to the listeners.
class FakeClient {
  sent: ClientMessage[] = [];
  private readonly listeners = new Map<string, Set<(m: ServerMessage) => void>>();
  send(m: ClientMessage): void { this.sent.push(m); }
  on(type: string, handler: (m: ServerMessage) => void): () => void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(handler);
    this.listeners.set(type, set);
    return () => set.delete(handler);
  }
  deliver(m: ServerMessage): void { for (const h of this.listeners.get(m.type) ?? []) h(m); }
}

const stats = (request_id: string): ServerMessage => ({
  type: 'stats', request_id, participant: 'bob', connection_quality: 'good', rtt_ms: 5, bandwidth_estimate_bps: null,
  publisher_connection: { connected: true, candidate_type: 'host' }, subscriber_connection: { connected: true, candidate_type: 'host' },
  subscribed: [],
});

afterEach(() => { vi.useRealTimers(); });

describe('ServerStats', () => {
  it('sends get_stats and resolves each request with the reply that names it', async () => {
    const client = new FakeClient();
    const s = new ServerStats(client as unknown as CipherTalkClient);
    const first = s.request('bob');
    const second = s.request();
    expect(client.sent).toEqual([
      { type: 'get_stats', request_id: 's1', participant: 'bob' },
      { type: 'get_stats', request_id: 's2' },
    ]);
    client.deliver(stats('s2'));
    client.deliver(stats('s1'));
    expect((await first).request_id).toBe('s1');
    expect((await second).request_id).toBe('s2');
  });

  it('rejects with the error code of its own request only', async () => {
    const client = new FakeClient();
    const s = new ServerStats(client as unknown as CipherTalkClient);
    const admitted = s.request('bob');
    const refused = s.request('bob');
    client.deliver({ type: 'error', code: 'rate_limited', message: 'slow down', request: 'get_stats', request_id: 's2' });
    client.deliver({ type: 'error', code: 'not_joined', message: 'x', request: 'offer' });
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    client.deliver(stats('s1'));
    expect((await admitted).request_id).toBe('s1');
  });

  it('gives up after the timeout, and close() fails what waits', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    const s = new ServerStats(client as unknown as CipherTalkClient, 1000);
    const lost = s.request();
    vi.advanceTimersByTime(1001);
    await expect(lost).rejects.toBeInstanceOf(ServerStatsError);
    const waiting = s.request();
    s.close();
    await expect(waiting).rejects.toMatchObject({ code: 'closed' });
    client.deliver(stats('s2'));  // after close: nobody listens
  });
});

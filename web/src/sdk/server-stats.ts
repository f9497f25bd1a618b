// Asks the server for its view of the call (`get_stats`, docs/protocol.md):
// each request gets the `stats` reply or the error that names its request_id
// ("rate_limited" beyond a few a second, "participant_not_found"), or fails
// after a timeout. A connection that is replaced meanwhile loses its
// requests to the timeout.
//   const stats = new ServerStats(client);
//   const view = await stats.request('bob');  // what the server sends me of bob
import type { CipherTalkClient } from './client';
import type { StatsMessage } from './server-stats-types';

export class ServerStatsError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

interface Pending { resolve: (m: StatsMessage) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }

export class ServerStats {
  private next = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly client: CipherTalkClient, private readonly timeoutMs = 5000) {
    this.unsubscribe = [
      client.on('stats', (m) => this.settle(m.request_id, (p) => p.resolve(m))),
      client.on('error', (m) => {
        if (m.request === 'get_stats' && m.request_id !== undefined)
          this.settle(m.request_id, (p) => p.reject(new ServerStatsError(m.code, m.message)));
      }),
    ];
  }

  /** The server's view of what it sends this client of `participant`, or of this client itself. */
  request(participant?: string): Promise<StatsMessage> {
    const id = `s${this.next++}`;
    return new Promise<StatsMessage>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, (p) => p.reject(new ServerStatsError('timeout', 'no stats reply'))), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.client.send({ type: 'get_stats', request_id: id, ...(participant !== undefined ? { participant } : {}) });
    });
  }

  /** Stops listening; requests still waiting fail. */
  close(): void {
    for (const off of this.unsubscribe) off();
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new ServerStatsError('closed', 'closed')));
  }

  private settle(id: string, how: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    how(p);
  }
}

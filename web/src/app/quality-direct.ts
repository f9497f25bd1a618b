// The quality indicators of a direct (P2P) call: the server sees none of its
// media (it says "unknown" for those participants), so each peer's tile
// shows its direct connection as graded from that connection's own stats
// (sdk/p2p-quality.ts), and our own indicator the worst of them. Back on the
// SFU this has nothing to say and the server's verdict shows again.
import { directSample, gradeDirectWindow, QualityTrend, type CipherTalkClient, type ConnectionQuality, type DirectSample } from '../sdk';

export class DirectQuality {
  private readonly samples = new Map<string, DirectSample>();
  private readonly trends = new Map<string, QualityTrend>();
  /** Peers whose direct connection was up at some point: it going down since is lost, not "not yet". */
  private readonly seenUp = new Set<string>();

  constructor(private readonly client: CipherTalkClient) {}

  /**
   * The quality to show for `identity` (a peer, or us): undefined when its
   * media does not go direct (the server judges it), "unknown" while the
   * direct connection has not been judged yet.
   */
  get(identity: string): ConnectionQuality | 'unknown' | undefined {
    const p2p = this.client.p2p;
    if (p2p.mode !== 'p2p') return undefined;
    if (identity !== this.client.identity) return p2p.peers.includes(identity) ? this.trends.get(identity)?.current ?? 'unknown' : undefined;
    const verdicts = p2p.peers.map((peer) => this.trends.get(peer)?.current);
    if (!verdicts.length || verdicts.includes(undefined) || verdicts.includes(null)) return 'unknown';
    return (['lost', 'poor', 'good', 'excellent'] as const).find((q) => verdicts.includes(q)) ?? 'unknown';
  }

  /** Reads every direct connection's stats once: one window each. */
  async poll(): Promise<void> {
    const connections = this.client.p2p.connections();
    for (const peer of [...this.trends.keys()]) {
      if (connections.has(peer)) continue;
      this.trends.delete(peer);
      this.samples.delete(peer);
      this.seenUp.delete(peer);
    }
    await Promise.all([...connections].map(async ([peer, pc]) => {
      const state = pc.connectionState;
      if (state === 'connected') this.seenUp.add(peer);
      if (!this.seenUp.has(peer)) return; // still connecting: nothing to judge
      const trend = this.trends.get(peer) ?? new QualityTrend();
      this.trends.set(peer, trend);
      if (state !== 'connected') { trend.update('lost'); return; }
      const report = await pc.getStats().catch(() => null);
      if (!report) return;
      const cur = directSample(report.values(), Date.now());
      const expecting = [...(this.client.participants.get(peer)?.tracks.values() ?? [])].some((t) => !t.muted);
      const verdict = gradeDirectWindow(this.samples.get(peer), cur, expecting);
      this.samples.set(peer, cur);
      if (verdict) trend.update(verdict);
    }));
  }
}

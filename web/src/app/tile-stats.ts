// "Stats for nerds" on each remote tile: what this browser receives of that
// participant, from the subscriber connection's getStats — codec, frame size
// and rate, bitrate, loss, jitter — and the simulcast layer it gets. A small
// button on the tile opens it; it polls once a second while open. Beside
// the page's own numbers it shows the server's view (tile-stats-server.ts),
// asked for once a second at most (get_stats).
import { formatBitrate, ServerStats, type CipherTalkClient, type StatsMessage } from '../sdk';
import { h } from './dom';
import { serverTileRows } from './tile-stats-server';

const POLL_MS = 1000;

/** The subset of RTCStats fields read here. */
interface StatsEntry {
  type: string;
  id: string;
  kind?: string;
  trackIdentifier?: string;
  codecId?: string;
  mimeType?: string;
  bytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
}

/** One received stream's counters at one moment. */
export interface StreamSample { at: number; bytes: number; packets: number; lost: number }

export interface TileStreamStats {
  kind: string;
  codec: string;
  width?: number;
  height?: number;
  fps?: number;
  bitrateBps: number | null;
  loss: number | null;
  jitterMs: number | null;
  sample: StreamSample;
}

/** The inbound streams of `trackIds` in a getStats report, with rates against the previous samples (by kind). */
export function tileStreamStats(entries: StatsEntry[], trackIds: Set<string>, previous: Map<string, StreamSample>,
  at: number): TileStreamStats[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const out: TileStreamStats[] = [];
  for (const e of entries) {
    if (e.type !== 'inbound-rtp' || !e.trackIdentifier || !trackIds.has(e.trackIdentifier)) continue;
    const sample = { at, bytes: e.bytesReceived ?? 0, packets: e.packetsReceived ?? 0, lost: Math.max(0, e.packetsLost ?? 0) };
    const prev = previous.get(e.kind ?? '');
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const packets = prev ? sample.packets - prev.packets : 0;
    const lost = prev ? sample.lost - prev.lost : 0;
    out.push({
      kind: e.kind ?? 'unknown',
      codec: (e.codecId && byId.get(e.codecId)?.mimeType?.split('/')[1]) || 'unknown',
      width: e.frameWidth, height: e.frameHeight, fps: e.framesPerSecond,
      bitrateBps: prev && seconds > 0 && sample.bytes >= prev.bytes ? Math.round(((sample.bytes - prev.bytes) * 8) / seconds) : null,
      loss: prev && packets >= 0 && lost >= 0 && packets + lost > 0 ? lost / (packets + lost) : null,
      jitterMs: e.jitter === undefined ? null : Math.round(e.jitter * 1000 * 10) / 10,
      sample,
    });
  }
  return out;
}

export class TileStatsView {
  private readonly open = new Map<string, { panel: HTMLElement; timer: ReturnType<typeof setInterval>; previous: Map<string, StreamSample>; asking: boolean }>();
  private server: ServerStats | null = null;
  constructor(private readonly client: CipherTalkClient) {}

  /** Adds the toggle button to a remote participant's tile. */
  attach(identity: string, tile: HTMLElement): void {
    const button = h('button', {
      type: 'button', class: 'tile-stats-toggle', 'data-testid': `tile-stats-toggle-${identity}`,
      'aria-expanded': 'false', 'aria-label': 'Stats for nerds', title: 'Stats for nerds',
    }, 'i');
    button.addEventListener('click', () => this.toggle(identity, tile, button));
    tile.append(button);
  }

  forget(identity: string): void {
    const o = this.open.get(identity);
    if (o) clearInterval(o.timer);
    this.open.delete(identity);
  }

  private toggle(identity: string, tile: HTMLElement, button: HTMLElement): void {
    const o = this.open.get(identity);
    if (o) {
      o.panel.remove();
      this.forget(identity);
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const panel = h('section', { class: 'tile-stats', 'data-testid': `tile-stats-${identity}`, 'aria-label': 'Stats for nerds' },
      h('p', {}, 'Measuring…'));
    tile.append(panel);
    button.setAttribute('aria-expanded', 'true');
    const entry = { panel, previous: new Map<string, StreamSample>(), asking: false, timer: setInterval(() => void this.poll(identity), POLL_MS) };
    this.open.set(identity, entry);
    void this.poll(identity);
  }

  private async poll(identity: string): Promise<void> {
    const o = this.open.get(identity);
    const pc = this.client.subscriber;
    if (!o || !pc) return;
    // One server request at a time per panel: a slow reply is not stacked on.
    const asked = o.asking ? Promise.resolve(undefined) : this.askServer(identity, o);
    const [entries, server] = await Promise.all([pc.getStats().then((r) => [...r.values()] as StatsEntry[]).catch(() => []), asked]);
    const remote = [...this.client.remoteTracks.values()].filter((t) => t.info.publisher === identity);
    const streams = tileStreamStats(entries, new Set(remote.map((t) => t.track.id)), o.previous, Date.now());
    for (const s of streams) o.previous.set(s.kind, s.sample);
    if (this.open.get(identity) !== o) return;
    const video = remote.find((t) => t.info.kind === 'video');
    const previousServer = o.panel.querySelector('[data-source="server"]');
    o.panel.replaceChildren(...streams.map((s) => this.render(s, s.kind === 'video' ? video?.info.rids : undefined)));
    if (streams.length === 0) o.panel.replaceChildren(h('p', {}, 'Nothing received'));
    // The server's view: the new one, or the last while a request is out or was refused.
    const serverView = server ? this.renderServer(identity, server) : previousServer;
    if (serverView) o.panel.append(serverView);
  }

  private async askServer(identity: string, o: { asking: boolean }): Promise<StatsMessage | null> {
    o.asking = true;
    this.server ??= new ServerStats(this.client);
    try {
      return await this.server.request(identity);
    } catch {
      return null;  // refused or no reply: the page's own numbers still show, with the last view
    } finally {
      o.asking = false;
    }
  }

  private renderServer(identity: string, reply: StatsMessage): HTMLElement {
    return h('dl', { 'data-source': 'server', 'data-testid': `tile-server-stats-${identity}`, 'aria-label': 'The server’s view' },
      ...serverTileRows(reply).flatMap((r) => [h('dt', {}, r.name), h('dd', { 'data-stat': r.key }, r.value)]));
  }

  private render(s: TileStreamStats, rids: string[] | undefined): HTMLElement {
    const dash = '–';
    const row = (name: string, key: string, value: string): HTMLElement[] => [h('dt', {}, name), h('dd', { 'data-stat': key }, value)];
    const layers = rids && rids.length > 0 ? `${rids.length} simulcast layers` : 'single stream';
    return h('dl', { 'data-kind': s.kind },
      ...row('Kind', 'kind', s.kind),
      ...row('Codec', 'codec', s.codec),
      ...(s.kind === 'video' ? [
        ...row('Resolution', 'resolution', s.width && s.height ? `${s.width}×${s.height}` : dash),
        ...row('Frame rate', 'fps', s.fps !== undefined ? `${Math.round(s.fps)} fps` : dash),
        ...row('Layer', 'layer', s.height ? `${s.height}p of ${layers}` : layers),
      ] : []),
      ...row('Bitrate', 'bitrate', s.bitrateBps === null ? dash : formatBitrate(s.bitrateBps)),
      ...row('Loss', 'loss', s.loss === null ? dash : `${(s.loss * 100).toFixed(1)} %`),
      ...row('Jitter', 'jitter', s.jitterMs === null ? dash : `${s.jitterMs} ms`));
  }
}

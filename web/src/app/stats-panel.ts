// Our own link on our tile: the downlink estimate the server sends (`bandwidth`),
// folded into our quality indicator, and a small stats panel the indicator
// opens (estimate, bitrates, round trip, loss, each received video's size).
import {
  formatBitrate, ownLinkQuality, trafficRates, trafficSample,
  type CipherTalkClient, type ConnectionQuality, type TrafficSample,
} from '../sdk';
import { h } from './dom';

const PANEL_INTERVAL_MS = 1000;

export class OwnLinkView {
  /** On our tile: the latest estimate, e.g. "↓ 1.8 Mbit/s"; hidden before the first. */
  readonly estimate = h('span', { class: 'downlink', 'data-testid': 'bandwidth-estimate', hidden: true });
  private readonly panel = h('section', { class: 'stats-panel', id: 'stats-panel', 'data-testid': 'stats-panel', 'aria-label': 'Connection statistics', hidden: true });
  private readonly rows = h('dl', {});
  private readonly videos = h('ul', { 'aria-label': 'Received videos' });
  private estimateBps: number | undefined;
  // Video sids the server paused for our bandwidth (`track_paused`).
  private readonly paused = new Set<string>();
  private indicator: HTMLElement | null = null;
  private stage: HTMLElement | null = null;
  private base: ConnectionQuality | 'unknown' = 'unknown';
  private last: TrafficSample | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly client: CipherTalkClient) {
    this.panel.append(h('h2', {}, 'Your connection'), this.rows, this.videos);
    const on: typeof client.on = (type, handler) => { const off = client.on(type, handler); this.unsubscribe.push(off); return off; };
    on('bandwidth', ({ estimate_bps }) => {
      this.estimateBps = estimate_bps;
      this.estimate.textContent = `↓ ${formatBitrate(estimate_bps)}`;
      this.estimate.dataset.bps = String(estimate_bps);
      this.estimate.title = `The server can send you up to ${formatBitrate(estimate_bps)}`;
      this.estimate.hidden = false;
      this.render();
    });
    on('track_paused', ({ sid, paused }) => {
      if (paused) this.paused.add(sid);
      else this.paused.delete(sid);
      this.render();
    });
    // A paused track that goes away no longer starves us.
    const forget = (): void => {
      const live = new Set([...client.participants.values()].flatMap((p) => [...p.tracks.keys()]));
      for (const sid of [...this.paused]) if (!live.has(sid)) this.paused.delete(sid);
      this.render();
    };
    on('track_unpublished', forget);
    on('participant_left', forget);
  }

  /**
   * Takes over our tile's quality indicator (it becomes the button that opens
   * the panel), shows the estimate on the tile and the panel in `container`;
   * `stage` holds the tiles whose video sizes the panel lists.
   */
  attach(tile: HTMLElement, indicator: HTMLElement, container: HTMLElement, stage: HTMLElement): void {
    this.indicator = indicator;
    this.stage = stage;
    indicator.setAttribute('role', 'button');
    indicator.tabIndex = 0;
    indicator.setAttribute('data-testid', 'own-quality');
    indicator.setAttribute('aria-expanded', 'false');
    indicator.setAttribute('aria-controls', this.panel.id);
    indicator.addEventListener('click', () => this.toggle());
    indicator.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.toggle(); }
    });
    this.panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { this.toggle(false); indicator.focus(); } });
    tile.append(this.estimate);
    container.append(this.panel);
  }

  /** Our quality as judged from stats (or by the server); the indicator adds the downlink to it. */
  render(base: ConnectionQuality | 'unknown' = this.base): void {
    this.base = base;
    const el = this.indicator;
    if (!el) return;
    const { quality, label } = ownLinkQuality(base, { estimateBps: this.estimateBps, pausedForBandwidth: this.paused.size });
    el.dataset.quality = quality;
    el.setAttribute('aria-label', label);
    el.title = label;
    // Known quality or not, a known estimate keeps the indicator on screen (it opens the panel).
    el.classList.toggle('has-estimate', this.estimateBps !== undefined);
  }

  toggle(open = this.panel.hidden): void {
    this.panel.hidden = !open;
    this.indicator?.setAttribute('aria-expanded', String(open));
    clearInterval(this.timer);
    this.timer = undefined;
    if (!open) return;
    this.last = undefined;
    this.renderPanel(null);
    void this.poll();
    this.timer = setInterval(() => void this.poll(), PANEL_INTERVAL_MS);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.unsubscribe.forEach((off) => off());
    this.panel.remove();
  }

  private async poll(): Promise<void> {
    const [pub, sub] = await Promise.all([this.client.publisher, this.client.subscriber]
      .map((pc) => pc?.getStats().then((r) => [...r.values()]).catch(() => null) ?? Promise.resolve(null)));
    const cur = trafficSample(pub ?? null, sub ?? null, Date.now());
    const rates = trafficRates(this.last, cur);
    this.last = cur;
    if (!this.panel.hidden) this.renderPanel(rates);
  }

  private renderPanel(rates: ReturnType<typeof trafficRates>): void {
    const dash = '–';
    const row = (name: string, key: string, value: string): HTMLElement[] =>
      [h('dt', {}, name), h('dd', { 'data-stat': key }, value)];
    this.rows.replaceChildren(
      ...row('Downlink estimate', 'estimate', this.estimateBps === undefined ? dash : formatBitrate(this.estimateBps)),
      ...row('Sending', 'send', rates ? formatBitrate(rates.sendBps) : dash),
      ...row('Receiving', 'receive', rates ? formatBitrate(rates.receiveBps) : dash),
      ...row('Round trip', 'rtt', rates?.rttMs != null ? `${rates.rttMs} ms` : dash),
      ...row('Packet loss', 'loss', rates?.loss != null ? `${(rates.loss * 100).toFixed(1)} %` : dash),
      ...(this.paused.size > 0 ? row('Paused', 'paused', `${this.paused.size} video${this.paused.size === 1 ? '' : 's'}: not enough bandwidth`) : []));
    const tiles = [...(this.stage?.querySelectorAll<HTMLElement>('.tile:not(.self)') ?? [])];
    this.videos.replaceChildren(...tiles.map((tile) => {
      const v = tile.querySelector('video');
      const size = v && v.videoWidth > 0 ? `${v.videoWidth}×${v.videoHeight}` : 'no video';
      return h('li', { 'data-video-of': tile.dataset.participant ?? tile.dataset.screen ?? '' },
        h('span', {}, tile.getAttribute('aria-label') ?? ''), h('span', { 'data-stat': 'frame-size' }, size));
    }));
  }
}

// Adaptive stream: the client tells the server how it shows each video it
// receives (docs/protocol.md, `update_track_settings`), so the server sends
// the smallest simulcast layer that fills the tile and nothing for a tile
// nobody can see. A tile is watched with ResizeObserver (its size),
// IntersectionObserver (on screen or scrolled away) and the document's
// visibility (a background tab); reports are debounced so a resize in
// progress sends one message, and only changes are sent.

export interface TileReport { sid: string; width: number; height: number; visible: boolean }

/** What the observer needs from the page; the defaults are the browser's. */
export interface AdaptiveStreamEnvironment {
  ResizeObserver?: typeof ResizeObserver;
  IntersectionObserver?: typeof IntersectionObserver;
  document?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  devicePixelRatio?: () => number;
  setTimeout?: (f: () => void, ms: number) => unknown;
  clearTimeout?: (t: unknown) => void;
}

interface Tile {
  element: HTMLElement;
  width: number;
  height: number;
  onScreen: boolean;
  sent?: string;
  timer?: unknown;
}

export class AdaptiveStream {
  private readonly tiles = new Map<string, Tile>();
  private readonly env: Required<AdaptiveStreamEnvironment>;
  private readonly resize: ResizeObserver | null;
  private readonly intersection: IntersectionObserver | null;
  private readonly onVisibility = (): void => { for (const sid of this.tiles.keys()) this.schedule(sid, 0); };

  constructor(private readonly report: (r: TileReport) => void, private readonly debounceMs = 250, env: AdaptiveStreamEnvironment = {}) {
    const g = globalThis as unknown as Required<AdaptiveStreamEnvironment> & { devicePixelRatio?: number };
    this.env = {
      ResizeObserver: env.ResizeObserver ?? g.ResizeObserver,
      IntersectionObserver: env.IntersectionObserver ?? g.IntersectionObserver,
      document: env.document ?? g.document,
      devicePixelRatio: env.devicePixelRatio ?? (() => g.devicePixelRatio ?? 1),
      setTimeout: env.setTimeout ?? ((f, ms) => setTimeout(f, ms)),
      clearTimeout: env.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)),
    };
    this.resize = this.env.ResizeObserver ? new this.env.ResizeObserver((entries) => {
      for (const e of entries) this.resized(e.target as HTMLElement, e.contentRect.width, e.contentRect.height);
    }) : null;
    this.intersection = this.env.IntersectionObserver ? new this.env.IntersectionObserver((entries) => {
      for (const e of entries) this.intersected(e.target as HTMLElement, e.isIntersecting);
    }) : null;
    this.env.document?.addEventListener('visibilitychange', this.onVisibility);
  }

  /** Reports the tile that shows track `sid` from now on; returns a function that stops it. */
  observe(sid: string, element: HTMLElement): () => void {
    this.unobserve(sid);
    const rect = element.getBoundingClientRect?.();
    this.tiles.set(sid, { element, width: rect?.width ?? 0, height: rect?.height ?? 0, onScreen: true });
    this.resize?.observe(element);
    this.intersection?.observe(element);
    this.schedule(sid, 0);
    return () => this.unobserve(sid);
  }

  unobserve(sid: string): void {
    const tile = this.tiles.get(sid);
    if (!tile) return;
    if (tile.timer !== undefined) this.env.clearTimeout(tile.timer);
    this.tiles.delete(sid);
    if (![...this.tiles.values()].some((t) => t.element === tile.element)) {
      this.resize?.unobserve(tile.element);
      this.intersection?.unobserve(tile.element);
    }
  }

  /** Stops watching everything. */
  close(): void {
    for (const sid of [...this.tiles.keys()]) this.unobserve(sid);
    this.resize?.disconnect();
    this.intersection?.disconnect();
    this.env.document?.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Sends every tile's state again (after a reconnect, or a new subscriber offer). */
  resend(): void {
    for (const [sid, tile] of this.tiles) {
      tile.sent = undefined;
      this.schedule(sid, 0);
    }
  }

  private resized(element: HTMLElement, width: number, height: number): void {
    for (const [sid, tile] of this.tiles) {
      if (tile.element !== element) continue;
      tile.width = width;
      tile.height = height;
      this.schedule(sid, this.debounceMs);
    }
  }

  private intersected(element: HTMLElement, onScreen: boolean): void {
    for (const [sid, tile] of this.tiles) {
      if (tile.element !== element) continue;
      tile.onScreen = onScreen;
      this.schedule(sid, this.debounceMs);
    }
  }

  private schedule(sid: string, delayMs: number): void {
    const tile = this.tiles.get(sid);
    if (!tile) return;
    if (tile.timer !== undefined) this.env.clearTimeout(tile.timer);
    tile.timer = this.env.setTimeout(() => { tile.timer = undefined; this.flush(sid); }, delayMs);
  }

  private flush(sid: string): void {
    const tile = this.tiles.get(sid);
    if (!tile) return;
    const ratio = this.env.devicePixelRatio();
    const width = Math.round(tile.width * ratio);
    const height = Math.round(tile.height * ratio);
    const pageVisible = (this.env.document?.visibilityState ?? 'visible') === 'visible';
    // A tile with no area (display: none) shows nothing either.
    const visible = pageVisible && tile.onScreen && width > 0 && height > 0;
    const report: TileReport = { sid, width, height, visible };
    const key = JSON.stringify(report);
    if (key === tile.sent) return;
    tile.sent = key;
    this.report(report);
  }
}

// Make before break across a move (move.ts): the old room's remote tracks
// stay on the page until the same publisher's track of that kind and source
// in the new room has decoded, so what a person sees does not go blank while
// the new connections start. A new track that has an old one to replace is
// held back (no `track` event) until then; the swap is `track_removed` for
// the old track, then `track` for the new one. Whoever is still only on the
// old room's connections when the handover ends leaves the page.
import type { CipherTalkClient } from './client';
import type { TrackInfo } from './protocol';

export interface ShownTrack { info: TrackInfo; track: MediaStreamTrack }
interface Waiting { info: TrackInfo; track: MediaStreamTrack; replaces: ShownTrack }

/** The longest a move keeps the old room's media on the page. */
export const HANDOVER_LIMIT_MS = 5000;
const DECODE_POLL_MS = 100;

const screen = (t: TrackInfo): boolean => t.source === 'screen_share' || t.source === 'screen_share_audio';
const sameSlot = (a: TrackInfo, b: TrackInfo): boolean => a.publisher === b.publisher && a.kind === b.kind && screen(a) === screen(b);

export class MoveHandover {
  /** Resolves once every old track is replaced, or at the limit. */
  readonly settled: Promise<void>;
  private old: ShownTrack[];
  private readonly people: Set<string>;
  private readonly waiting: Waiting[] = [];
  private settle: () => void = () => undefined;
  private readonly limit: ReturnType<typeof setTimeout>;
  private poll: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private over = false;

  constructor(private readonly client: CipherTalkClient, old: ShownTrack[], people: string[]) {
    this.old = [...old];
    this.people = new Set(people);
    this.settled = new Promise((resolve) => { this.settle = resolve; });
    this.limit = setTimeout(() => this.settle(), HANDOVER_LIMIT_MS);
    if (!this.old.length) this.settle();
  }

  /** Whether the old room shows `identity` still. */
  shows(identity: string): boolean { return !this.over && this.people.has(identity); }

  /** A track of the new room: true when it is held back until it decodes (and shown then). */
  takes(info: TrackInfo, track: MediaStreamTrack): boolean {
    if (this.over) return false;
    const replaces = this.old.find((o) => sameSlot(o.info, info) && !this.waiting.some((w) => w.replaces === o));
    if (!replaces) return false;
    this.waiting.push({ info, track, replaces });
    this.poll ??= setInterval(() => void this.checkDecoded(), DECODE_POLL_MS);
    return true;
  }

  /** Joined the new room: a move to another room drops at once the old room's people who are not in it. */
  joined(sameRoom: boolean): void {
    if (sameRoom || this.over) return;
    for (const identity of [...this.people]) if (!this.client.participants.has(identity)) this.leave(identity);
    this.maybeSettled();
  }

  /** Ends the handover: what waits is shown, what was not replaced goes. */
  finish(): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.limit);
    if (this.poll) clearInterval(this.poll);
    for (const w of this.waiting.splice(0)) this.swap(w);
    for (const o of this.old.splice(0)) this.remove(o);
    for (const identity of this.people) if (!this.client.participants.has(identity)) this.dispatch('participant_left', { type: 'participant_left', identity, reason: 'moved' });
    this.people.clear();
    this.settle();
  }

  private async checkDecoded(): Promise<void> {
    const pc = this.client.subscriber;
    if (this.polling || this.over || !pc) return;
    this.polling = true;
    try {
      for (const w of [...this.waiting]) {
        if (!(await this.decoded(pc, w.track)) || this.over) continue;
        this.waiting.splice(this.waiting.indexOf(w), 1);
        this.swap(w);
      }
    } finally {
      this.polling = false;
    }
    this.maybeSettled();
  }

  // Video: a frame decoded; audio: packets arrived (nothing to see, but no reason to cut it earlier).
  private async decoded(pc: RTCPeerConnection, track: MediaStreamTrack): Promise<boolean> {
    let ok = false;
    const report = await pc.getStats(track).catch(() => null);
    report?.forEach((s: RTCInboundRtpStreamStats) => {
      if (s.type === 'inbound-rtp' && ((s.framesDecoded ?? 0) > 0 || (track.kind === 'audio' && (s.packetsReceived ?? 0) > 0))) ok = true;
    });
    return ok;
  }

  private swap(w: Waiting): void {
    this.old = this.old.filter((o) => o !== w.replaces);
    this.remove(w.replaces);
    this.dispatch('track', { participant: w.info.publisher, track: w.track, info: w.info });
  }

  private remove(o: ShownTrack): void {
    this.client.adaptiveStream.unobserve(o.info.sid);
    this.dispatch('track_removed', { participant: o.info.publisher, info: o.info });
  }

  private leave(identity: string): void {
    for (const o of this.old.filter((t) => t.info.publisher === identity)) this.remove(o);
    this.old = this.old.filter((t) => t.info.publisher !== identity);
    this.people.delete(identity);
    this.dispatch('participant_left', { type: 'participant_left', identity, reason: 'moved' });
  }

  private maybeSettled(): void {
    if (!this.old.length && !this.waiting.length) this.settle();
  }

  private dispatch(type: string, detail: unknown): void {
    this.client.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

// The signaling connection's lifecycle as a pure state machine, so the
// client's reconnect behaviour can be tested without sockets or timers.
//
//   idle ──connect──▶ connecting ──joined──▶ connected
//                          │                    │ socket closed
//                          │ closed             ▼
//                          ▼              reconnecting ──joined──▶ connected
//                    disconnected ◀── window over / refused ──┘
//
// While reconnecting, every closed or failed socket schedules another resume
// attempt, with a growing delay, until the reconnect window (the server keeps a
// participant for signal.reconnect_window, 20 s by default) is over.
//
// Relocating (`reconnect`, docs/protocol.md): the server asked the client to
// take its signaling to another node. The client closes its socket on purpose;
// the resume starts at once, says nothing of a lost connection, and every
// attempt until one joins is `resume_only` (a refusal means: join afresh).

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
// room_deleted and removed_by_admin: the room service API (docs/api.md) closed the room or removed you.
export type DisconnectReason = 'left' | 'removed' | 'refused' | 'reconnect_failed' | 'room_deleted' | 'removed_by_admin';

export type ReconnectEvent =
  | { type: 'connect' }
  | { type: 'joined' }
  /** `fatal`: the server refused us (policy close), retrying cannot help. */
  | { type: 'socket_closed'; now: number; fatal?: boolean }
  | { type: 'leave' }
  /** A move (move.ts): the client joins another room afresh. */
  | { type: 'move' }
  /** `reconnect`: the signaling goes to another node; the socket closed next is closed on purpose. */
  | { type: 'relocate' }
  | { type: 'removed'; reason?: string };

export type ReconnectEffect =
  | { kind: 'none' }
  | { kind: 'reconnecting' }
  | { kind: 'retry'; delayMs: number; attempt: number }
  | { kind: 'reconnected' }
  | { kind: 'disconnected'; reason: DisconnectReason };

export interface ReconnectOptions {
  windowMs: number;
  /** Delay before resume attempt n (0-based). */
  delayMs?: (attempt: number) => number;
}

export const defaultRetryDelay = (attempt: number): number => Math.min(250 * 2 ** attempt, 2000);

export class ReconnectMachine {
  state: ConnectionState = 'idle';
  /** When the connection was lost (ms, the clock of the `now` given to events). */
  lostAt: number | null = null;
  attempts = 0;
  /** Following a `reconnect`: resumes are resume_only until one joins. */
  relocating = false;
  private readonly windowMs: number;
  private readonly delayMs: (attempt: number) => number;

  constructor({ windowMs, delayMs = defaultRetryDelay }: ReconnectOptions) {
    this.windowMs = windowMs;
    this.delayMs = delayMs;
  }

  /** Applies one event and returns what the client must do (in order). */
  handle(event: ReconnectEvent): ReconnectEffect[] {
    switch (event.type) {
      case 'connect':
        if (this.state === 'idle' || this.state === 'disconnected') this.reset('connecting');
        return [];
      case 'joined':
        if (this.state === 'connecting') { this.reset('connected'); return []; }
        if (this.state === 'reconnecting') { this.reset('connected'); return [{ kind: 'reconnected' }]; }
        return [];
      case 'leave':
        return this.finish('left');
      case 'move':
        if (this.state !== 'idle' && this.state !== 'disconnected') this.reset('connecting');
        return [];
      case 'relocate':
        if (this.state === 'connected' || this.state === 'reconnecting') this.relocating = true;
        return [];
      case 'removed':
        return this.finish(event.reason === 'room_deleted' || event.reason === 'removed_by_admin' ? event.reason : 'removed');
      case 'socket_closed':
        return this.onClosed(event.now, event.fatal === true);
    }
  }

  private onClosed(now: number, fatal: boolean): ReconnectEffect[] {
    switch (this.state) {
      case 'connecting':
        return this.finish('refused');
      case 'connected':
        if (fatal) return this.finish('refused');
        this.state = 'reconnecting';
        this.lostAt = now;
        this.attempts = 0;
        // Closed on purpose to resume elsewhere: nothing was lost, no waiting.
        if (this.relocating) return [{ kind: 'retry', delayMs: 0, attempt: 0 }];
        return [{ kind: 'reconnecting' }, this.nextRetry(now)];
      case 'reconnecting': {
        if (fatal) return this.finish('refused');
        this.attempts += 1;
        const retry = this.nextRetry(now);
        return retry.kind === 'retry' ? [retry] : this.finish('reconnect_failed');
      }
      default:
        return [];
    }
  }

  private nextRetry(now: number): ReconnectEffect {
    const delayMs = this.delayMs(this.attempts);
    if (this.lostAt !== null && now + delayMs - this.lostAt >= this.windowMs) return { kind: 'none' };
    return { kind: 'retry', delayMs, attempt: this.attempts };
  }

  private finish(reason: DisconnectReason): ReconnectEffect[] {
    if (this.state === 'disconnected' || this.state === 'idle') return [];
    this.reset('disconnected');
    return [{ kind: 'disconnected', reason }];
  }

  private reset(state: ConnectionState): void {
    this.state = state;
    this.relocating = false;
    this.lostAt = null;
    this.attempts = 0;
  }
}

// Breakout rooms in the call page: the administrator's controls (open rooms,
// move people, close them all) and, for whoever was moved, a banner that
// says where they are now. The client follows the server's `move` on its
// own (sdk/move.ts); this view only sends the administrator's requests and
// shows the server's `breakout_state`.
import type { BreakoutRoomInfo, CipherTalkClient } from '../sdk';
import { h } from './dom';

const MAIN_ROOM = '';

export class BreakoutView {
  /** Shown to administrators (the roomAdmin grant) only. */
  readonly panel = h('section', { class: 'breakout-panel', 'data-testid': 'breakout-panel', 'aria-label': 'Breakout rooms', hidden: true });
  readonly banner = h('div', { class: 'moved-banner', role: 'status', 'aria-live': 'polite', 'data-testid': 'moved-banner', hidden: true });
  private readonly names = h('div', { class: 'breakout-names' });
  private readonly people = h('ul', { class: 'breakout-people' });
  private readonly closeButton = h('button', { type: 'button', class: 'btn', 'data-testid': 'breakout-close', hidden: true, onclick: () => this.client.send({ type: 'breakout_close' }) }, 'Close breakout rooms');
  private rooms: BreakoutRoomInfo[] = [];
  private bannerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: CipherTalkClient, private readonly nameOf: (identity: string) => string) {
    for (let i = 0; i < 2; i++) this.addNameInput();
    this.panel.append(
      h('h3', {}, 'Breakout rooms'), this.names,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => this.addNameInput() }, 'Add room'),
        h('button', { type: 'button', class: 'btn primary', 'data-testid': 'breakout-open', onclick: () => this.open() }, 'Open'),
        this.closeButton),
      this.people);
    client.on('joined', (msg) => { this.panel.hidden = msg.participant.permissions.canAdmin !== true; this.render(); });
    client.on('participant_joined', () => this.render());
    client.on('participant_left', () => this.render());
    client.on('breakout_state', (msg) => { this.rooms = msg.rooms; this.render(); });
    client.on('moved', ({ room, reason }) => this.showMoved(room, reason));
  }

  private addNameInput(): void {
    const n = this.names.children.length + 1;
    this.names.append(h('input', { type: 'text', 'data-testid': 'breakout-room-name', 'aria-label': `Breakout room ${n} name`, value: `room-${n}`, maxlength: 32, pattern: '[A-Za-z0-9_\\-]+' }));
  }

  private open(): void {
    const rooms = [...this.names.querySelectorAll('input')].map((i) => i.value.trim()).filter((v) => v);
    if (rooms.length) this.client.send({ type: 'breakout_open', rooms });
  }

  // Everyone the administrator can move: those in the main room and in each breakout room.
  private render(): void {
    this.closeButton.hidden = this.rooms.length === 0;
    const where = new Map<string, string>();
    for (const id of this.client.participants.keys()) where.set(id, MAIN_ROOM);
    for (const r of this.rooms) for (const id of r.participants) where.set(id, r.name);
    where.delete(this.client.identity ?? '');
    this.people.replaceChildren(...[...where].map(([identity, room]) => {
      const select = h('select', { 'data-testid': `breakout-move-${identity}`, 'aria-label': `Room for ${this.nameOf(identity)}` },
        h('option', { value: MAIN_ROOM }, 'Main room'),
        ...this.rooms.map((r) => h('option', { value: r.name }, r.name)));
      select.value = room;
      select.disabled = this.rooms.length === 0;
      select.addEventListener('change', () => this.client.send({ type: 'breakout_move', identity, room: select.value }));
      return h('li', {}, h('span', {}, this.nameOf(identity)), select);
    }));
  }

  private showMoved(room: string, reason: string): void {
    const short = room.slice(room.indexOf('~') + 1);
    this.banner.textContent = reason === 'breakout' && room.includes('~') ? `You are in breakout room ${short}`
      : reason === 'return' ? 'You are back in the main room' : `You were moved to room ${room}`;
    this.banner.hidden = false;
    clearTimeout(this.bannerTimer);
    this.bannerTimer = setTimeout(() => { this.banner.hidden = true; }, 8000);
  }
}

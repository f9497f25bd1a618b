// What the call shows about end-to-end encryption: the status in the top
// bar, the group code, a lock on each tile whose frames decrypt, the
// "encrypted with" list next to the people, a loud banner when someone's
// identity key changed, and the details dialog with the safety number and
// its QR code (docs/security.md, "Verification").
import QRCode from 'qrcode';
import type { CipherTalkClient, DecryptState, E2eeMembership, E2eeState } from '../sdk';
import { formatSafetyNumber } from '../sdk/e2ee';
import { h } from './dom';

const STATUS_TEXT: Record<E2eeState, string> = {
  encrypted: 'end-to-end encrypted',
  starting: 'setting up end-to-end encryption…',
  failed: 'encryption failed: a track you send may not be encrypted',
  off: 'not end-to-end encrypted',
};

const LOCK_SVG = '<svg viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/></svg>';

interface TileBadges { lock: HTMLButtonElement; failing: HTMLElement; timer?: ReturnType<typeof setTimeout> }

/** Frames of someone who just joined fail until their key arrives: "Cannot decrypt" only when it lasts. */
const FAILING_GRACE_MS = 1500;

export class SecurityView {
  /** Top bar: the room's encryption status. */
  readonly status = h('span', { class: 'e2ee-status', 'data-testid': 'e2ee-status', 'data-state': 'unknown', role: 'status', hidden: true });
  /** Top bar: the group code everyone compares. */
  readonly groupCode = h('button', { type: 'button', class: 'group-code', 'data-testid': 'group-code', hidden: true, title: 'Everyone in the call sees the same code when everyone holds the same keys' });
  /** Under the top bar: a changed identity key, loudly. */
  readonly warning = h('div', { class: 'identity-warning', role: 'alert', 'data-testid': 'identity-warning', hidden: true });
  /** In the people panel: whom our keys go to, and what does not match the server's list. */
  readonly summary = h('section', { class: 'e2ee-summary', 'data-testid': 'e2ee-members', hidden: true });
  /** The details of one participant (safety number, QR code). */
  readonly dialog = h('div', { class: 'modal-backdrop', hidden: true });
  private readonly tiles = new Map<string, TileBadges>();
  private readonly changed = new Set<string>();
  private membership: E2eeMembership = { members: [], notInKeyExchange: [], groupCode: '' };
  private state: E2eeState | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private detailsFor: string | null = null;

  constructor(private readonly client: CipherTalkClient, private readonly nameOf: (identity: string) => string) {
    const on: typeof client.on = (type, handler) => { const off = client.on(type, handler); this.unsubscribe.push(off); return off; };
    on('e2ee_state', ({ state }) => this.renderStatus(state));
    on('e2ee_members', (m) => { this.membership = m; this.renderMembers(); });
    on('e2ee_decrypt_state', ({ participant, state }) => this.renderTile(participant, state));
    on('identity_changed', ({ identity }) => { this.changed.add(identity); this.renderWarning(); });
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.closeDetails(); });
    this.dialog.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.closeDetails(); });
  }

  get encrypted(): boolean {
    return this.state !== null && this.state !== 'off';
  }

  /** Puts the lock (and the "cannot decrypt" badge) on a remote participant's tile. */
  decorateTile(identity: string, label: HTMLElement): void {
    const lock = h('button', { type: 'button', class: 'tile-lock', 'data-testid': 'tile-lock', hidden: true, html: LOCK_SVG, onclick: () => void this.openDetails(identity) });
    const failing = h('span', { class: 'tile-undecryptable', 'data-testid': 'tile-undecryptable', role: 'status', hidden: true }, 'Cannot decrypt');
    label.prepend(lock);
    label.append(failing);
    this.tiles.set(identity, { lock, failing });
    this.renderTile(identity, this.client.e2ee?.decryptState(identity) ?? null);
  }

  forgetTile(identity: string): void {
    clearTimeout(this.tiles.get(identity)?.timer);
    this.tiles.delete(identity);
  }

  /** A "Verify" button for the people list; null for ourselves or in a plain room. */
  verifyButton(identity: string, self: boolean): HTMLElement | null {
    if (self || !this.encrypted) return null;
    const member = this.membership.members.find((m) => m.identity === identity);
    const label = member?.trust === 'changed' ? 'Key changed' : 'Verify';
    return h('button', { type: 'button', class: member?.trust === 'changed' ? 'verify changed' : 'verify', 'data-testid': 'verify', 'data-identity': identity, onclick: () => void this.openDetails(identity) }, label);
  }

  async openDetails(identity: string): Promise<void> {
    const session = this.client.e2ee;
    if (!session) return;
    this.detailsFor = identity;
    const name = this.nameOf(identity);
    const number = await session.safetyNumber(identity);
    if (this.detailsFor !== identity) return;
    const member = this.membership.members.find((m) => m.identity === identity);
    const close = h('button', { type: 'button', class: 'btn', onclick: () => this.closeDetails() }, 'Close');
    const body: (Node | null)[] = [];
    if (number === null) {
      body.push(h('p', { class: 'e2ee-mismatch' }, `${name} has not joined the key exchange: they cannot decrypt this call, and you cannot verify them.`));
    } else {
      const qr = h('div', { class: 'safety-qr', 'data-testid': 'safety-qr', role: 'img', 'aria-label': `QR code of the safety number with ${name}` });
      qr.innerHTML = await QRCode.toString(number, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
      body.push(
        h('p', {}, `Compare this number with ${name}, in person or over a channel you trust (or scan the code on their screen). If it matches, nobody, the server included, can read what you two send in this call.`),
        h('p', { class: 'safety-number', 'data-testid': 'safety-number' }, formatSafetyNumber(number)),
        qr,
        h('p', { class: 'key-state' }, member?.keyReceived ? `You hold ${name}'s key: their media decrypts here.` : `Waiting for ${name}'s key.`),
      );
      if (member?.trust === 'changed') {
        body.push(h('p', { class: 'e2ee-mismatch' }, `${name}'s identity key changed since you last met in a call from this browser.`),
          h('button', { type: 'button', class: 'btn primary', 'data-testid': 'accept-identity', onclick: () => void this.accept(identity) }, 'The numbers match: trust the new key'));
      }
    }
    this.dialog.replaceChildren(h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': `Verify ${name}`, 'data-testid': 'participant-details', 'data-identity': identity },
      h('h2', {}, `Verify ${name}`), ...body, h('div', { class: 'actions' }, close)));
    this.dialog.hidden = false;
    close.focus();
  }

  closeDetails(): void {
    this.detailsFor = null;
    this.dialog.hidden = true;
    this.dialog.replaceChildren();
  }

  dispose(): void {
    this.unsubscribe.forEach((off) => off());
    for (const t of this.tiles.values()) clearTimeout(t.timer);
    this.closeDetails();
  }

  private async accept(identity: string): Promise<void> {
    await this.client.e2ee?.acceptIdentity(identity);
    this.changed.delete(identity);
    this.renderWarning();
    this.closeDetails();
  }

  private renderStatus(state: E2eeState): void {
    this.state = state;
    this.status.hidden = false;
    this.status.dataset.state = state;
    this.status.replaceChildren(...(state === 'encrypted' ? [h('span', { class: 'icon', 'aria-hidden': 'true', html: LOCK_SVG })] : []), STATUS_TEXT[state]);
    this.status.title = state === 'encrypted'
      ? 'Media and chat are encrypted in your browser with keys the server never sees.'
      : state === 'off' ? 'The server forwards this call without end-to-end encryption.' : '';
    this.summary.hidden = state === 'off';
  }

  private renderTile(identity: string, state: DecryptState | null): void {
    const badges = this.tiles.get(identity);
    if (!badges) return;
    badges.lock.hidden = state !== 'decrypting';
    badges.lock.setAttribute('aria-label', `${this.nameOf(identity)}: end-to-end encrypted. Verify`);
    badges.lock.title = 'Frames decrypt with this participant\'s key. Click to verify.';
    clearTimeout(badges.timer);
    if (state !== 'failing') badges.failing.hidden = true;
    else if (badges.failing.hidden) badges.timer = setTimeout(() => { badges.failing.hidden = this.client.e2ee?.decryptState(identity) !== 'failing'; }, FAILING_GRACE_MS);
  }

  private renderMembers(): void {
    const m = this.membership;
    this.groupCode.hidden = !m.groupCode;
    this.groupCode.textContent = m.groupCode ? `code ${m.groupCode}` : '';
    const hidden = m.members.filter((x) => !x.inRoster);
    const parts: (HTMLElement | null)[] = [
      h('h3', {}, 'End-to-end encryption'),
      h('p', { 'data-testid': 'encrypted-with' }, m.members.length
        ? `Encrypted with ${m.members.map((x) => this.nameOf(x.identity)).join(', ')}.`
        : 'Nobody else holds the keys yet.'),
      m.groupCode ? h('p', { class: 'dim' }, `Group code ${m.groupCode}: the same on every screen means everyone holds the same keys.`) : null,
      hidden.length ? h('p', { class: 'e2ee-mismatch', 'data-testid': 'e2ee-hidden' }, `Not shown by the server, but holding the keys: ${hidden.map((x) => x.identity).join(', ')}.`) : null,
      m.notInKeyExchange.length ? h('p', { class: 'e2ee-mismatch', 'data-testid': 'e2ee-not-in-exchange' }, `Listed by the server, but not in the key exchange (cannot decrypt): ${m.notInKeyExchange.map((id) => this.nameOf(id)).join(', ')}.`) : null,
    ];
    this.summary.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  private renderWarning(): void {
    const who = [...this.changed];
    this.warning.hidden = who.length === 0;
    if (!who.length) return;
    const names = who.map((id) => this.nameOf(id)).join(', ');
    this.warning.replaceChildren(
      h('strong', {}, `Security key changed: ${names}`),
      h('span', {}, ` ${who.length > 1 ? 'These people' : 'This person'} joined with a different identity key than this browser saw before. It may be a new device, or someone pretending to be them. Compare the safety number before you say anything private.`),
      h('button', { type: 'button', class: 'btn', onclick: () => void this.openDetails(who[0]!) }, 'Verify'));
  }
}

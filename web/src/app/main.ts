// The CipherTalk app: lobby, then the call, then the end screen.
//
// URL parameters: room, name (pre-fill the lobby), autojoin=1 (join straight
// away), token (an access token from the app's backend; without one the page
// asks a `ciphertalk serve --dev` server for a development token), identity
// (optional; otherwise derived from the name, unique per browser tab),
// e2ee=1 (ask for the room to be end-to-end encrypted; a `--dev` server
// honours it when this join creates the room). On a development server two
// test hooks: e2eeTestWrongKey=1 (this page decrypts with wrong keys) and
// e2eeTestKeepKeys=1 (the page keeps its keys after leaving).
import './styles.css';
import { CipherTalkClient, fetchDevToken, signalingUrl, type DisconnectReason } from '../sdk';
import { CallView } from './call';
import { h } from './dom';
import { Lobby, type LobbyChoice } from './lobby';

declare global {
  interface Window {
    ct?: CipherTalkClient;
    ctReady?: boolean;
    ctApp?: { identity: string; room: string; view: CallView };
  }
}

const app = document.getElementById('app')!;
const params = new URLSearchParams(location.search);
// The token is a credential: keep it out of the address bar, history and screenshots.
const token = params.get('token');
if (token) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}

function identityFor(room: string, name: string): string {
  const given = params.get('identity');
  if (given) return given;
  const key = `ciphertalk:identity:${room}:${name}`;
  const stored = sessionStorage.getItem(key);
  if (stored) return stored;
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'guest';
  const identity = `${slug}-${Math.random().toString(36).slice(2, 6)}`;
  sessionStorage.setItem(key, identity);
  return identity;
}

function showLobby(room: string, name: string, autojoin: boolean, error?: string): void {
  const lobby = new Lobby({ room, name, autojoin, error });
  app.replaceChildren(lobby.element);
  document.title = 'CipherTalk';
  void lobby.start();
  void lobby.choice.then(join);
}

async function join(choice: LobbyChoice): Promise<void> {
  const { room, name } = choice;
  const query = new URLSearchParams({ room, name, ...(params.get('e2ee') === '1' ? { e2ee: '1' } : {}) });
  history.replaceState(null, '', `/?${query}`);
  const identity = identityFor(room, name);
  let client: CipherTalkClient;
  try {
    const access = token ?? await fetchDevToken(room, identity, name).catch(() => {
      throw new Error('This server needs an access token: open the link your app gave you.');
    });
    // Test hooks only where the page fetched its own development token.
    const hook = (flag: string): boolean => !token && params.get(flag) === '1';
    client = new CipherTalkClient({
      url: signalingUrl(), token: access,
      e2ee: { require: params.get('e2ee') === '1', testWrongKey: hook('e2eeTestWrongKey'), testKeepKeysAfterLeave: hook('e2eeTestKeepKeys') },
    });
  } catch (e) {
    choice.stream.getTracks().forEach((t) => t.stop());
    showLobby(room, name, false, (e as Error).message);
    return;
  }
  window.ct = client;
  const view = new CallView({
    client, identity, name, room, stream: choice.stream, micOn: choice.micOn, cameraOn: choice.cameraOn,
    onEnded: (reason) => showEnded(room, name, reason),
  });
  window.ctApp = { identity, room, view };
  // A move (breakout rooms, another server) keeps the page: the address bar follows, so a reload lands there.
  client.on('moved', ({ room: now }) => {
    history.replaceState(null, '', `/?${new URLSearchParams({ room: now, name, ...(params.get('e2ee') === '1' ? { e2ee: '1' } : {}) })}`);
    document.title = `${now} · CipherTalk`;
    const label = view.element.querySelector<HTMLElement>('.topbar .room');
    if (label) { label.textContent = now; label.title = now; }
    if (window.ctApp) window.ctApp.room = now;
  });
  app.replaceChildren(view.element);
  document.title = `${room} · CipherTalk`;
  try {
    await client.connect();
    if (choice.stream.getTracks().length) await client.publish(choice.stream);
    else await client.openDataChannels();
    window.ctReady = true;
  } catch (e) {
    client.leave();
    choice.stream.getTracks().forEach((t) => t.stop());
    const code = (e as { code?: string }).code;
    showLobby(room, name, false, (code && joinErrors[code]) ?? `Could not join: ${(e as Error).message}`);
  }
}

const joinErrors: Record<string, string> = {
  room_full: 'This room is full.',
  e2ee_unsupported: 'This call is end-to-end encrypted, and this browser cannot encrypt video calls. Join from a current version of Chrome, Edge, Firefox or Safari.',
};

const endings: Record<DisconnectReason, [string, string]> = {
  left: ['You left the call', 'Thanks for joining.'],
  removed: ['You joined from another tab', 'This tab was disconnected because you joined the room elsewhere.'],
  refused: ['The server refused the connection', 'Your access may have expired. Ask for a new link.'],
  reconnect_failed: ['Connection lost', 'CipherTalk could not reconnect to the call.'],
  room_deleted: ['The room was closed', 'The call ended: the room was closed by its host.'],
  removed_by_admin: ['You were removed from the call', 'A host removed you from this call.'],
};

function showEnded(room: string, name: string, reason: DisconnectReason): void {
  window.ctReady = false;
  const [title, text] = endings[reason];
  const rejoin = h('button', { type: 'button', class: 'btn primary', onclick: () => showLobby(room, name, true) }, 'Rejoin');
  app.replaceChildren(h('main', { class: 'ended' }, h('div', {},
    h('h1', {}, title), h('p', {}, text),
    h('div', { class: 'actions' }, rejoin,
      h('button', { type: 'button', class: 'btn', onclick: () => showLobby(room, name, false) }, 'Back to lobby')))));
  document.title = 'CipherTalk';
  rejoin.focus();
}

showLobby(params.get('room') ?? '', params.get('name') ?? '', params.get('autojoin') === '1');

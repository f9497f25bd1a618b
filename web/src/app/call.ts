// The call: tiles on a stage, the control bar, the participant list and chat.
import {
  CHAT_TOPIC, decodeChat, encodeChat, inboundSamples, outboundSample, qualityFromStats,
  type CipherTalkClient, type ConnectionQuality, type DisconnectReason, type StatsSample, type TrackInfo,
} from '../sdk';
import { avatarColor, initials } from './avatar';
import { h, icon, icons } from './dom';
import { chooseStage } from './layout';
import { setToggle } from './lobby';
import { RecordingControl } from './recording';
import { ConnectionPathIndicator } from './connection-path';
import { DirectQuality } from './quality-direct';
import { SecurityView } from './security';
import { OwnLinkView } from './stats-panel';
import { TileStatsView } from './tile-stats';
import { BreakoutView } from './breakout';

export interface CallOptions {
  client: CipherTalkClient;
  identity: string;
  name: string;
  room: string;
  stream: MediaStream;
  micOn: boolean;
  cameraOn: boolean;
  onEnded: (reason: DisconnectReason) => void;
}

interface Member {
  identity: string;
  name: string;
  self: boolean;
  tile: HTMLElement;
  video: HTMLVideoElement;
  label: HTMLElement;
  quality: HTMLElement;
  stream: MediaStream;
}

interface Screen { identity: string; tile: HTMLElement; stream: MediaStream }

const STATS_INTERVAL_MS = 2000;

export class CallView {
  readonly element: HTMLElement;
  private readonly client: CipherTalkClient;
  private readonly members = new Map<string, Member>();
  private readonly screens = new Map<string, Screen>();
  private micOn: boolean;
  private cameraOn: boolean;
  private screenStream: MediaStream | null = null;
  private readonly stage = h('main', { class: 'stage grid', 'aria-label': 'Participants' });
  private readonly screenArea = h('div', { class: 'screen-area' });
  private readonly tiles = h('div', { class: 'tiles' });
  private readonly count = h('span', { class: 'count' });
  private readonly presenting = h('span', { class: 'presenting', hidden: true }, 'You are presenting');
  private readonly banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'assertive', 'data-testid': 'reconnecting', hidden: true },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Connection lost. Reconnecting…');
  private readonly panel = h('aside', { class: 'panel', hidden: true });
  private readonly panelTitle = h('h2', { id: 'panel-title' });
  private readonly peopleList = h('ul', { class: 'people', 'aria-label': 'People in the call' });
  private readonly peopleView: HTMLElement;
  private readonly security: SecurityView;
  private readonly messages = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages' });
  private readonly chatEmpty = h('p', { class: 'empty' }, 'Messages sent here are seen by everyone in the call.');
  private readonly chatInput = h('input', { type: 'text', 'data-testid': 'chat-input', 'aria-label': 'Message', placeholder: 'Send a message', maxlength: 2000, autocomplete: 'off' });
  private readonly chatView: HTMLElement;
  private readonly micButton: HTMLButtonElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly screenButton: HTMLButtonElement;
  private readonly peopleButton: HTMLButtonElement;
  private readonly chatButton: HTMLButtonElement;
  private readonly unreadBadge = h('span', { class: 'badge', hidden: true });
  private unread = 0;
  private panelMode: 'people' | 'chat' | null = null;
  private speaking = new Set<string>();
  // The server's judgement (sent on change only) wins over ours from getStats.
  private readonly serverQuality = new Map<string, ConnectionQuality>();
  private readonly lastSamples = new Map<string, StatsSample>();
  private readonly statsQuality = new Map<string, ConnectionQuality>();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly resizeObserver = new ResizeObserver(() => this.layout());
  private readonly unsubscribe: (() => void)[] = [];
  private readonly recordingControl: RecordingControl;
  private readonly connectionPath: ConnectionPathIndicator;
  private readonly ownLink: OwnLinkView;
  private readonly directQuality: DirectQuality; // a direct call's, from its own connections
  private readonly tileStats: TileStatsView;
  private readonly breakout: BreakoutView;

  constructor(private readonly options: CallOptions) {
    this.client = options.client;
    this.micOn = options.micOn;
    this.cameraOn = options.cameraOn;
    this.security = new SecurityView(this.client, (id) => this.members.get(id)?.name ?? this.client.participants.get(id)?.info.name ?? id);
    this.security.groupCode.addEventListener('click', () => { if (this.panelMode !== 'people') this.openPanel('people'); });
    this.peopleView = h('div', { class: 'people-view' }, this.security.summary, this.peopleList);

    this.micButton = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-mic', 'aria-label': 'Microphone', onclick: () => this.toggleMic() });
    this.cameraButton = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-camera', 'aria-label': 'Camera', onclick: () => this.toggleCamera() });
    this.screenButton = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-screen', 'aria-label': 'Share screen', 'aria-pressed': 'false', title: 'Share your screen', onclick: () => void this.toggleScreen() }, icon(icons.screen));
    if (!navigator.mediaDevices?.getDisplayMedia) { this.screenButton.disabled = true; this.screenButton.title = 'Screen sharing is not available in this browser'; }
    this.peopleButton = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-participants', 'aria-label': 'Participants', 'aria-expanded': 'false', 'aria-controls': 'side-panel', title: 'People', onclick: () => this.openPanel('people') }, icon(icons.people));
    this.chatButton = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-chat', 'aria-label': 'Chat', 'aria-expanded': 'false', 'aria-controls': 'side-panel', title: 'Chat', onclick: () => this.openPanel('chat') }, icon(icons.chat), this.unreadBadge);
    this.recordingControl = new RecordingControl(this.client);
    this.connectionPath = new ConnectionPathIndicator(this.client);
    this.ownLink = new OwnLinkView(this.client);
    this.directQuality = new DirectQuality(this.client);
    this.tileStats = new TileStatsView(this.client);
    this.breakout = new BreakoutView(this.client, (id) => this.members.get(id)?.name ?? id);
    const leaveButton = h('button', { type: 'button', class: 'round leave', 'data-testid': 'leave', 'aria-label': 'Leave call', title: 'Leave call', onclick: () => this.leave() }, icon(icons.leave));

    const composer = h('form', { class: 'composer' }, this.chatInput,
      h('button', { type: 'submit', class: 'round', 'data-testid': 'chat-send', 'aria-label': 'Send message', title: 'Send' }, icon(icons.send)));
    composer.addEventListener('submit', (e) => { e.preventDefault(); this.sendChat(); });
    this.messages.append(this.chatEmpty);
    this.chatView = h('div', { class: 'chat-view', style: 'display:flex;flex-direction:column;flex:1;min-height:0' }, this.messages, composer);
    this.panel.id = 'side-panel';
    this.panel.setAttribute('aria-labelledby', 'panel-title');
    this.panel.append(
      h('header', {}, this.panelTitle,
        h('button', { type: 'button', class: 'round', 'aria-label': 'Close panel', title: 'Close', onclick: () => this.closePanel() }, icon(icons.close))),
      this.peopleView, this.chatView);
    this.panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.closePanel(); });

    this.stage.append(this.screenArea, this.tiles);
    this.element = h('div', { class: 'call' },
      h('header', { class: 'topbar' },
        h('div', { class: 'brand' }, h('span', { class: 'brand-mark', html: '<svg viewBox="0 0 24 24" fill="#fff"><path d="M4 5.5h16v10H9.5L5.5 19v-3.5H4z"/></svg>' }), h('span', { class: 'brand-text' }, 'CipherTalk')),
        h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
        h('span', { class: 'room', title: options.room }, options.room),
        this.count, this.recordingControl.indicator, this.connectionPath.element, this.security.status, this.security.groupCode, h('span', { class: 'spacer' }), this.presenting),
      this.banner, this.breakout.banner, this.breakout.panel,
      this.security.warning,
      this.security.dialog,
      this.stage,
      this.panel,
      h('footer', { class: 'controls', role: 'toolbar', 'aria-label': 'Call controls' },
        h('div', { class: 'group' }, this.micButton, this.cameraButton, this.screenButton),
        h('span', { class: 'divider', 'aria-hidden': 'true' }),
        h('div', { class: 'group' }, this.peopleButton, this.chatButton, this.recordingControl.button),
        h('span', { class: 'divider', 'aria-hidden': 'true' }),
        leaveButton));

    for (const t of options.stream.getAudioTracks()) t.enabled = this.micOn;
    for (const t of options.stream.getVideoTracks()) t.enabled = this.cameraOn;
    const self = this.addMember(options.identity, options.name, true);
    self.video.srcObject = options.stream;
    self.video.muted = true;
    this.ownLink.attach(self.tile, self.quality, this.element, this.stage);
    this.renderControls();
    this.listen();
    this.resizeObserver.observe(this.stage);
    this.statsTimer = setInterval(() => void this.pollStats(), STATS_INTERVAL_MS);
  }

  // ---------- client events ----------

  private listen(): void {
    const c = this.client;
    const on: typeof c.on = (type, handler) => { const off = c.on(type, handler); this.unsubscribe.push(off); return off; };
    on('joined', (msg) => {
      // Also after a resume: the snapshot is the room as it is now.
      const present = new Set(msg.participants.map((p) => p.identity));
      for (const id of [...this.members.keys()]) if (!this.members.get(id)!.self && !present.has(id) && !this.client.handover?.shows(id)) this.removeMember(id);
      for (const p of msg.participants) this.addMember(p.identity, p.name || p.identity, false);
      this.refreshAll();
    });
    on('participant_joined', ({ participant }) => { this.addMember(participant.identity, participant.name || participant.identity, false); this.refreshAll(); });
    on('participant_updated', ({ participant }) => {
      if (participant.identity === this.client.identity) return;
      this.addMember(participant.identity, participant.name || participant.identity, false);
      this.renderPeople();
    });
    on('participant_left', ({ identity }) => { this.removeMember(identity); this.removeScreen(identity); this.refreshAll(); });
    on('track_published', ({ track }) => this.refreshMember(track.publisher));
    on('track_unpublished', ({ publisher }) => this.refreshMember(publisher));
    on('track_muted', ({ publisher, sid, muted }) => {
      // An administrator muted one of ours (docs/api.md): the controls follow.
      const own = publisher === this.options.identity ? this.client.localTracks.get(sid) : undefined;
      if (own?.info.source === 'microphone' && this.micOn === muted) this.toggleMic();
      else if (own?.info.source === 'camera' && this.cameraOn === muted) this.toggleCamera();
      this.refreshMember(publisher);
      this.renderPeople();
    });
    on('track', ({ participant, track, info }) => this.onTrack(participant, track, info));
    on('track_removed', ({ participant, info }) => this.onTrackRemoved(participant, info));
    on('active_speakers', ({ speakers }) => {
      this.speaking = new Set(speakers.map((s) => s.identity));
      for (const m of this.members.values()) m.tile.classList.toggle('speaking', this.speaking.has(m.identity));
    });
    on('connection_quality', ({ updates }) => {
      for (const u of updates) if (u.quality === 'unknown') this.serverQuality.delete(u.identity); else this.serverQuality.set(u.identity, u.quality);
      this.renderQuality();
    });
    on('data', ({ from, topic, payload, fromServer }) => {
      if (topic !== CHAT_TOPIC) return;
      const msg = decodeChat(payload);
      if (!msg) return;
      if (!fromServer) { this.appendChat(this.members.get(from)?.name ?? from, msg.text, msg.timestamp, false); return; }
      // From the server's API, not a participant: in an encrypted call, say it was not encrypted.
      const el = this.appendChat('Server', msg.text, msg.timestamp, false);
      el.classList.add('from-server');
      if (this.client.e2ee) el.querySelector('.meta')?.append(h('span', { class: 'mark', 'data-testid': 'chat-not-encrypted', title: 'Sent by the server, not end-to-end encrypted' }, 'not end-to-end encrypted'));
    });
    on('reconnecting', () => { this.banner.hidden = false; });
    on('reconnected', () => { this.banner.hidden = true; });
    on('disconnected', ({ reason }) => { if (reason !== 'left') this.end(reason); });
    on('e2ee_members', () => this.renderPeople());
    on('track_paused', ({ sid, paused }) => this.showPaused(sid, paused));
  }

  // The server paused a video for bandwidth (`track_paused`): its tile says so instead of freezing.
  private showPaused(sid: string, paused: boolean): void {
    const owner = [...this.client.participants.values()].find((p) => p.tracks.has(sid));
    const track = owner?.tracks.get(sid);
    if (!owner || !track || track.kind !== 'video') return;
    const id = owner.info.identity;
    const tile = track.source === 'screen_share' ? this.screens.get(id)?.tile : this.members.get(id)?.tile;
    tile?.querySelector('[data-testid="tile-paused"]')?.remove();
    if (tile && paused) tile.append(h('div', { class: 'paused', 'data-testid': 'tile-paused', role: 'status' }, 'Paused: low bandwidth'));
  }

  private onTrack(identity: string, track: MediaStreamTrack, info: TrackInfo): void {
    if (info.source === 'screen_share' || info.source === 'screen_share_audio') {
      const screen = this.screenFor(identity);
      for (const old of screen.stream.getTracks()) if (old.kind === track.kind) screen.stream.removeTrack(old);
      screen.stream.addTrack(track);
      const video = screen.tile.querySelector('video')!;
      video.srcObject = screen.stream;
      video.play().catch(() => {});
      // Adaptive stream: the server sends the layer this tile can show, nothing while it is hidden.
      if (track.kind === 'video') this.client.adaptiveStream.observe(info.sid, video);
      this.layout();
      return;
    }
    const member = this.members.get(identity) ?? this.addMember(identity, this.client.participants.get(identity)?.info.name || identity, false);
    for (const old of member.stream.getTracks()) if (old.kind === track.kind) member.stream.removeTrack(old);
    member.stream.addTrack(track);
    // A fresh srcObject assignment makes the element pick up the changed stream.
    member.video.srcObject = member.stream;
    member.video.play().catch(() => {});
    if (track.kind === 'video') this.client.adaptiveStream.observe(info.sid, member.video);
    this.refreshMember(identity);
  }

  private onTrackRemoved(identity: string, info: TrackInfo): void {
    if (info.source === 'screen_share') { this.removeScreen(identity); return; }
    const member = this.members.get(identity);
    if (!member) return;
    for (const t of member.stream.getTracks()) if (t.kind === info.kind) member.stream.removeTrack(t);
    this.refreshMember(identity);
  }

  // ---------- tiles ----------

  private addMember(identity: string, name: string, self: boolean): Member {
    const existing = this.members.get(identity);
    if (existing) {
      if (existing.name !== name && !self) { existing.name = name; existing.tile.querySelector('.name')!.textContent = name; }
      return existing;
    }
    const video = h('video', { autoplay: true, playsinline: true });
    const stream = new MediaStream();
    if (!self) video.srcObject = stream;
    const label = h('div', { class: 'label' }, h('span', { class: 'name' }, self ? `${name} (you)` : name));
    const quality = h('div', { class: 'quality', 'data-quality': 'unknown', role: 'img', 'aria-label': 'Connection quality unknown' }, h('i'), h('i'), h('i'));
    const tile = h('div', {
      class: self ? 'tile self' : 'tile', 'data-participant': identity, 'data-name': name, 'data-camera': 'off',
      role: 'group', 'aria-label': self ? `${name} (you)` : name,
    }, video, h('div', { class: 'avatar', style: `--avatar:${avatarColor(identity)}`, 'aria-hidden': 'true' }, initials(name)), label, quality);
    const member: Member = { identity, name, self, tile, video, label, quality, stream };
    if (!self) this.security.decorateTile(identity, label);
    if (!self) this.tileStats.attach(identity, tile);
    this.members.set(identity, member);
    if (self) this.tiles.prepend(tile);
    else this.tiles.append(tile);
    this.refreshMember(identity);
    this.layout();
    return member;
  }

  private removeMember(identity: string): void {
    const m = this.members.get(identity);
    if (!m || m.self) return;
    m.video.srcObject = null;
    m.tile.remove();
    this.members.delete(identity);
    this.security.forgetTile(identity);
    this.tileStats.forget(identity);
    this.lastSamples.delete(identity);
    this.statsQuality.delete(identity);
    this.serverQuality.delete(identity);
    this.layout();
  }

  private screenFor(identity: string): Screen {
    let screen = this.screens.get(identity);
    if (screen) return screen;
    const name = this.members.get(identity)?.name ?? identity;
    const tile = h('div', { class: 'tile screen', 'data-screen': identity, 'data-testid': 'screen-share', role: 'group', 'aria-label': `${name}'s screen` },
      h('video', { autoplay: true, playsinline: true, muted: true }),
      h('div', { class: 'label' }, icon(icons.screen), h('span', { class: 'name' }, `${name}'s screen`)));
    screen = { identity, tile, stream: new MediaStream() };
    this.screens.set(identity, screen);
    this.layout();
    return screen;
  }

  private removeScreen(identity: string): void {
    const screen = this.screens.get(identity);
    if (!screen) return;
    screen.tile.remove();
    this.screens.delete(identity);
    this.layout();
  }

  // What the room says about a member's microphone and camera.
  private mediaState(m: Member): { micOn: boolean; cameraOn: boolean } {
    if (m.self) return { micOn: this.micOn && this.options.stream.getAudioTracks().length > 0, cameraOn: this.cameraOn && this.options.stream.getVideoTracks().length > 0 };
    const tracks = [...(this.client.participants.get(m.identity)?.tracks.values() ?? [])];
    const mic = tracks.find((t) => t.source === 'microphone');
    const cam = tracks.find((t) => t.source === 'camera');
    const hasVideo = m.stream.getVideoTracks().length > 0;
    return { micOn: !!mic && !mic.muted, cameraOn: !!cam && !cam.muted && hasVideo };
  }

  private refreshMember(identity: string): void {
    const m = this.members.get(identity);
    if (!m) return;
    const { micOn, cameraOn } = this.mediaState(m);
    m.tile.dataset.camera = cameraOn ? 'on' : 'off';
    m.tile.dataset.mic = micOn ? 'on' : 'off';
    let indicator = m.label.querySelector<HTMLElement>('[data-testid="muted-indicator"]');
    if (!micOn && !indicator) {
      indicator = h('span', { class: 'muted-indicator', 'data-testid': 'muted-indicator', role: 'img', 'aria-label': 'Microphone muted', title: 'Microphone muted' }, icon(icons.micOff));
      m.label.prepend(indicator);
    } else if (micOn && indicator) {
      indicator.remove();
    }
  }

  private refreshAll(): void {
    for (const id of this.members.keys()) this.refreshMember(id);
    const n = this.members.size;
    this.count.textContent = `${n} ${n === 1 ? 'person' : 'people'}`;
    this.renderPeople();
    this.layout();
  }

  // Chooses the grid (or the screen-share spotlight) for the stage's current size.
  private layout(): void {
    const latest = [...this.screens.values()].pop();
    for (const s of this.screens.values()) {
      const parent = s === latest ? this.screenArea : this.tiles;
      if (s.tile.parentElement !== parent) parent.append(s.tile);
    }
    const style = getComputedStyle(this.stage);
    const width = this.stage.clientWidth - parseFloat(style.paddingLeft || '0') - parseFloat(style.paddingRight || '0');
    const height = this.stage.clientHeight;
    if (width <= 0 || height <= 0) return;
    const tileCount = this.members.size + Math.max(0, this.screens.size - 1);
    const stage = chooseStage(tileCount, !!latest, { width, height });
    this.stage.classList.toggle('grid', stage.mode === 'grid');
    this.stage.classList.toggle('spotlight', stage.mode === 'spotlight');
    this.stage.classList.toggle('strip-right', stage.mode === 'spotlight' && stage.strip === 'right');
    this.stage.classList.toggle('strip-bottom', stage.mode === 'spotlight' && stage.strip === 'bottom');
    const s = this.stage.style;
    s.setProperty('--tile-w', `${stage.grid.tileWidth}px`);
    s.setProperty('--tile-h', `${stage.grid.tileHeight}px`);
    s.setProperty('--grid-w', `${stage.grid.cols * stage.grid.tileWidth + (stage.grid.cols - 1) * 8 + 1}px`);
    if (stage.mode === 'spotlight') {
      s.setProperty('--strip-w', `${stage.stripSize.width}px`);
      s.setProperty('--strip-h', `${stage.stripSize.height}px`);
      s.setProperty('--main-h', `${stage.main.height}px`);
    }
  }

  // ---------- quality ----------

  private async pollStats(): Promise<void> {
    await this.directQuality.poll();
    const now = Date.now();
    const sub = this.client.subscriber;
    if (sub) {
      const midOwner = new Map([...this.client.remoteTracks].map(([mid, r]) => [mid, r.info.publisher]));
      const report = await sub.getStats().catch(() => null);
      if (report) {
        const samples = inboundSamples(report.values(), (mid) => midOwner.get(mid), now);
        for (const m of this.members.values()) {
          if (m.self) continue;
          const cur = samples.get(m.identity);
          if (!cur) continue;
          const { micOn, cameraOn } = this.mediaState(m);
          const q = qualityFromStats(this.lastSamples.get(m.identity), cur, { expectingMedia: micOn || cameraOn });
          if (q) this.statsQuality.set(m.identity, q);
          this.lastSamples.set(m.identity, cur);
        }
      }
    }
    const pub = this.client.publisher;
    if (pub) {
      const report = await pub.getStats().catch(() => null);
      const cur = report && outboundSample(report.values(), now);
      if (cur) {
        const q = qualityFromStats(this.lastSamples.get(this.options.identity), cur, { expectingMedia: this.micOn || this.cameraOn });
        if (q) this.statsQuality.set(this.options.identity, q);
        this.lastSamples.set(this.options.identity, cur);
      }
    }
    this.renderQuality();
  }

  private renderQuality(): void {
    for (const m of this.members.values()) {
      const q = this.directQuality.get(m.identity) ?? this.serverQuality.get(m.identity) ?? this.statsQuality.get(m.identity) ?? 'unknown';
      if (m.self) { this.ownLink.render(q); continue; } // with our downlink estimate
      if (m.quality.dataset.quality !== q) {
        m.quality.dataset.quality = q;
        m.quality.setAttribute('aria-label', `Connection quality ${q}`);
        m.quality.title = `Connection: ${q}`;
      }
    }
  }

  // ---------- controls ----------

  private renderControls(): void {
    const hasMic = this.options.stream.getAudioTracks().length > 0;
    const hasCamera = this.options.stream.getVideoTracks().length > 0;
    setToggle(this.micButton, this.micOn && hasMic, icons.mic, icons.micOff, 'microphone');
    setToggle(this.cameraButton, this.cameraOn && hasCamera, icons.camera, icons.cameraOff, 'camera');
    this.micButton.disabled = !hasMic;
    this.cameraButton.disabled = !hasCamera;
    const sharing = !!this.screenStream;
    this.screenButton.setAttribute('aria-pressed', String(sharing));
    this.screenButton.classList.toggle('active', sharing);
    this.screenButton.title = sharing ? 'Stop sharing your screen' : 'Share your screen';
    this.presenting.hidden = !sharing;
  }

  private toggleMic(): void {
    this.micOn = !this.micOn;
    this.client.setMuted('microphone', !this.micOn);
    for (const t of this.options.stream.getAudioTracks()) t.enabled = this.micOn;
    this.renderControls();
    this.refreshMember(this.options.identity);
    this.renderPeople();
  }

  private toggleCamera(): void {
    this.cameraOn = !this.cameraOn;
    this.client.setMuted('camera', !this.cameraOn);
    for (const t of this.options.stream.getVideoTracks()) t.enabled = this.cameraOn;
    this.renderControls();
    this.refreshMember(this.options.identity);
    this.renderPeople();
  }

  private async toggleScreen(): Promise<void> {
    if (this.screenStream) { await this.stopScreen(); return; }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch {
      return; // the person cancelled the picker
    }
    this.screenStream = stream;
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopScreen());
    this.renderControls();
    try {
      await this.client.publish(stream, { source: 'screen_share' });
    } catch {
      await this.stopScreen();
    }
  }

  private async stopScreen(): Promise<void> {
    const stream = this.screenStream;
    if (!stream) return;
    this.screenStream = null;
    stream.getTracks().forEach((t) => t.stop());
    this.renderControls();
    await this.client.unpublish('screen_share').catch(() => {});
  }

  private openPanel(mode: 'people' | 'chat'): void {
    if (this.panelMode === mode) { this.closePanel(); return; }
    this.panelMode = mode;
    this.panel.hidden = false;
    this.panelTitle.textContent = mode === 'people' ? 'People' : 'Chat';
    this.peopleView.hidden = mode !== 'people';
    this.chatView.hidden = mode !== 'chat';
    this.peopleButton.setAttribute('aria-expanded', String(mode === 'people'));
    this.chatButton.setAttribute('aria-expanded', String(mode === 'chat'));
    this.peopleButton.classList.toggle('active', mode === 'people');
    this.chatButton.classList.toggle('active', mode === 'chat');
    if (mode === 'chat') {
      this.unread = 0;
      this.unreadBadge.hidden = true;
      this.chatInput.focus();
      this.messages.scrollTop = this.messages.scrollHeight;
    } else {
      this.renderPeople();
    }
    this.layout();
  }

  private closePanel(): void {
    const opener = this.panelMode === 'chat' ? this.chatButton : this.peopleButton;
    this.panelMode = null;
    this.panel.hidden = true;
    for (const b of [this.peopleButton, this.chatButton]) { b.setAttribute('aria-expanded', 'false'); b.classList.remove('active'); }
    opener.focus();
    this.layout();
  }

  private renderPeople(): void {
    const items = [...this.members.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
    this.peopleList.replaceChildren(...items.map((m) => {
      const { micOn, cameraOn } = this.mediaState(m);
      const stateIcon = (on: boolean, onSvg: string, offSvg: string, what: string): HTMLElement => {
        const el = icon(on ? onSvg : offSvg);
        el.classList.toggle('off', !on);
        el.setAttribute('role', 'img');
        el.removeAttribute('aria-hidden');
        el.setAttribute('aria-label', `${what} ${on ? 'on' : 'off'}`);
        return el;
      };
      return h('li', { 'data-participant-item': m.identity },
        h('span', { class: 'avatar-sm', style: `--avatar:${avatarColor(m.identity)}`, 'aria-hidden': 'true' }, initials(m.name)),
        h('span', { class: 'who' }, m.name, m.self ? h('span', { class: 'you' }, ' (you)') : null,
          this.client.participants.get(m.identity)?.info.kind === 'ingress' ? h('span', { class: 'you' }, ' (broadcast)') : null),
        this.security.verifyButton(m.identity, m.self),
        h('span', { class: 'state' }, stateIcon(micOn, icons.mic, icons.micOff, 'Microphone'), stateIcon(cameraOn, icons.camera, icons.cameraOff, 'Camera')));
    }));
    this.peopleButton.title = `People (${this.members.size})`;
  }

  // ---------- chat ----------

  private sendChat(): void {
    const text = this.chatInput.value.trim();
    if (!text) return;
    this.chatInput.value = '';
    const message = { id: randomId(), text, timestamp: Date.now() };
    const el = this.appendChat('You', text, message.timestamp, true);
    this.client.publishData(encodeChat(message), { reliable: true, topic: CHAT_TOPIC }).catch(() => {
      el.classList.add('failed');
      el.append(h('span', { class: 'status' }, 'Not delivered'));
    });
  }

  private appendChat(author: string, text: string, timestamp: number, mine: boolean): HTMLElement {
    this.chatEmpty.remove();
    const time = new Date(timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const el = h('div', { class: mine ? 'msg mine' : 'msg', 'data-testid': 'chat-message' },
      h('div', { class: 'meta' }, h('b', {}, author), h('time', { datetime: new Date(timestamp).toISOString() }, time)),
      h('div', { class: 'text' }, text));
    const atBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 40;
    this.messages.append(el);
    if (atBottom || mine) this.messages.scrollTop = this.messages.scrollHeight;
    if (!mine && this.panelMode !== 'chat') {
      this.unread++;
      this.unreadBadge.textContent = this.unread > 9 ? '9+' : String(this.unread);
      this.unreadBadge.hidden = false;
    }
    return el;
  }

  // ---------- leaving ----------

  private leave(): void {
    this.client.leave();
    this.end('left');
  }

  private end(reason: DisconnectReason): void {
    clearInterval(this.statsTimer);
    this.resizeObserver.disconnect();
    this.unsubscribe.forEach((off) => off());
    this.security.dispose();
    this.recordingControl.dispose();
    this.connectionPath.dispose();
    this.ownLink.dispose();
    this.options.stream.getTracks().forEach((t) => t.stop());
    this.screenStream?.getTracks().forEach((t) => t.stop());
    for (const m of this.members.values()) m.video.srcObject = null;
    this.options.onEnded(reason);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

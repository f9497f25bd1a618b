// The lobby: room and display name, a camera and microphone preview with
// device selection, and the join button.
import { h, icon, icons } from './dom';

export interface LobbyChoice {
  room: string;
  name: string;
  stream: MediaStream;
  micOn: boolean;
  cameraOn: boolean;
}

export interface LobbyOptions {
  room: string;
  name: string;
  autojoin: boolean;
  error?: string;
}

/** Opens camera and microphone, falling back to whichever of them works. */
export async function openMedia(cameraId?: string, micId?: string): Promise<MediaStream> {
  // 1280x720 where the camera allows: published in three simulcast layers (sdk/simulcast.ts).
  const video: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, ...(cameraId ? { deviceId: { exact: cameraId } } : {}) };
  const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, ...(micId ? { deviceId: { exact: micId } } : {}) };
  for (const constraints of [{ video, audio }, { audio }, { video }] as MediaStreamConstraints[]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch { /* try with less */ }
  }
  return new MediaStream();
}

export class Lobby {
  readonly element: HTMLElement;
  private stream: MediaStream = new MediaStream();
  private micOn = true;
  private cameraOn = true;
  private readonly video = h('video', { autoplay: true, playsinline: true, muted: true });
  private readonly previewOff = h('div', { class: 'preview-off', hidden: true }, 'Camera is off');
  private readonly micButton: HTMLButtonElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly cameraSelect = h('select', { id: 'lobby-camera' });
  private readonly micSelect = h('select', { id: 'lobby-mic' });
  private readonly roomInput: HTMLInputElement;
  private readonly nameInput: HTMLInputElement;
  private readonly joinButton: HTMLButtonElement;
  private readonly errorLine = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'join-error' });
  private readonly meterBars = Array.from({ length: 5 }, () => h('i'));
  private meterStop: (() => void) | null = null;
  private resolveChoice!: (c: LobbyChoice) => void;
  readonly choice: Promise<LobbyChoice> = new Promise((r) => { this.resolveChoice = r; });

  constructor(private readonly options: LobbyOptions) {
    this.video.muted = true;
    this.micButton = h('button', { type: 'button', class: 'round', 'aria-label': 'Microphone', 'aria-pressed': 'true', title: 'Turn microphone off', onclick: () => this.toggleMic() }, icon(icons.mic));
    this.cameraButton = h('button', { type: 'button', class: 'round', 'aria-label': 'Camera', 'aria-pressed': 'true', title: 'Turn camera off', onclick: () => this.toggleCamera() }, icon(icons.camera));
    this.roomInput = h('input', { id: 'lobby-room', name: 'room', required: true, autocomplete: 'off', maxlength: 64, placeholder: 'e.g. standup', value: options.room });
    this.nameInput = h('input', { id: 'lobby-name', name: 'name', required: true, autocomplete: 'name', maxlength: 48, placeholder: 'How others see you', value: options.name });
    this.joinButton = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'join' }, 'Join call');
    this.errorLine.textContent = options.error ?? '';
    this.cameraSelect.addEventListener('change', () => void this.restartPreview());
    this.micSelect.addEventListener('change', () => void this.restartPreview());

    const form = h('form', { class: 'join-form', 'aria-label': 'Join a call', novalidate: true },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', html: '<svg viewBox="0 0 24 24" fill="#fff"><path d="M4 5.5h16v10H9.5L5.5 19v-3.5H4z"/></svg>' }), 'CipherTalk'),
      h('h1', {}, 'Ready to join?'),
      h('p', { class: 'lead' }, 'Check your camera and microphone, then step in.'),
      h('label', { class: 'field', for: 'lobby-room' }, 'Room', this.roomInput),
      h('label', { class: 'field', for: 'lobby-name' }, 'Your name', this.nameInput),
      h('div', { class: 'devices' },
        h('label', { class: 'field', for: 'lobby-camera' }, 'Camera', this.cameraSelect),
        h('label', { class: 'field', for: 'lobby-mic' }, 'Microphone', this.micSelect)),
      this.joinButton,
      this.errorLine);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });

    this.element = h('main', { class: 'lobby' },
      h('section', { class: 'lobby-card' },
        h('div', { class: 'preview', 'aria-label': 'Camera preview' },
          this.video, this.previewOff,
          h('div', { class: 'meter', 'aria-hidden': 'true' }, ...this.meterBars),
          h('div', { class: 'preview-controls' }, this.micButton, this.cameraButton)),
        form));
  }

  async start(): Promise<void> {
    await this.restartPreview();
    await this.listDevices();
    if (this.options.autojoin) this.submit();
    else (this.roomInput.value ? this.nameInput : this.roomInput).focus();
  }

  private async restartPreview(): Promise<void> {
    this.stream.getTracks().forEach((t) => t.stop());
    this.stream = await openMedia(this.cameraSelect.value || undefined, this.micSelect.value || undefined);
    for (const t of this.stream.getAudioTracks()) t.enabled = this.micOn;
    for (const t of this.stream.getVideoTracks()) t.enabled = this.cameraOn;
    this.video.srcObject = this.stream;
    this.video.play().catch(() => {});
    this.render();
    this.startMeter();
  }

  private async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, current: string | undefined, fallback: string): void => {
      const list = devices.filter((d) => d.kind === kind && d.deviceId);
      select.replaceChildren(...list.map((d, i) => h('option', { value: d.deviceId }, d.label || `${fallback} ${i + 1}`)));
      if (!list.length) select.append(h('option', { value: '' }, `No ${fallback.toLowerCase()} found`));
      if (current && list.some((d) => d.deviceId === current)) select.value = current;
      select.disabled = list.length < 2;
    };
    fill(this.cameraSelect, 'videoinput', this.stream.getVideoTracks()[0]?.getSettings().deviceId, 'Camera');
    fill(this.micSelect, 'audioinput', this.stream.getAudioTracks()[0]?.getSettings().deviceId, 'Microphone');
  }

  private toggleMic(): void {
    this.micOn = !this.micOn;
    for (const t of this.stream.getAudioTracks()) t.enabled = this.micOn;
    this.render();
  }

  private toggleCamera(): void {
    this.cameraOn = !this.cameraOn;
    for (const t of this.stream.getVideoTracks()) t.enabled = this.cameraOn;
    this.render();
  }

  private render(): void {
    const hasMic = this.stream.getAudioTracks().length > 0;
    const hasCamera = this.stream.getVideoTracks().length > 0;
    setToggle(this.micButton, this.micOn && hasMic, icons.mic, icons.micOff, 'microphone');
    setToggle(this.cameraButton, this.cameraOn && hasCamera, icons.camera, icons.cameraOff, 'camera');
    this.micButton.disabled = !hasMic;
    this.cameraButton.disabled = !hasCamera;
    this.previewOff.hidden = this.cameraOn && hasCamera;
    this.previewOff.textContent = hasCamera ? 'Camera is off' : 'No camera available';
  }

  // A small input level meter, so people see their microphone works.
  private startMeter(): void {
    this.meterStop?.();
    this.meterStop = null;
    const track = this.stream.getAudioTracks()[0];
    if (!track || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    let frame = 0;
    const tick = (): void => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      const level = track.enabled ? Math.min(1, peak / 64) : 0;
      this.meterBars.forEach((bar, i) => {
        const on = level > (i + 0.5) / this.meterBars.length;
        bar.classList.toggle('on', on);
        bar.style.height = `${30 + (on ? 70 * ((i + 1) / this.meterBars.length) : 0)}%`;
      });
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    this.meterStop = () => { cancelAnimationFrame(frame); void ctx.close(); };
  }

  private submit(): void {
    const room = this.roomInput.value.trim();
    const name = this.nameInput.value.trim();
    if (!room) { this.errorLine.textContent = 'Enter a room name.'; this.roomInput.focus(); return; }
    if (!name) { this.errorLine.textContent = 'Enter your name.'; this.nameInput.focus(); return; }
    this.errorLine.textContent = '';
    this.joinButton.disabled = true;
    this.joinButton.textContent = 'Joining…';
    this.meterStop?.();
    this.resolveChoice({ room, name, stream: this.stream, micOn: this.micOn, cameraOn: this.cameraOn });
  }
}

/** A round on/off toggle: pressed while the device is on. */
export function setToggle(button: HTMLButtonElement, on: boolean, onIcon: string, offIcon: string, what: string): void {
  button.setAttribute('aria-pressed', String(on));
  button.classList.toggle('off', !on);
  button.title = on ? `Turn ${what} off` : `Turn ${what} on`;
  button.replaceChildren(icon(on ? onIcon : offIcon));
}

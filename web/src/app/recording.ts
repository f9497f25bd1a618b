// The room's recording in the call view: an indicator everyone sees while the
// room is recorded (also when joining a room already being recorded), and a
// record button for those whose token grants roomRecord.
import type { CipherTalkClient } from '../sdk';
import { h, icon } from './dom';

const RECORD_ICON = '<circle cx="12" cy="12" r="7"/><circle cx="12" cy="12" r="3.5" fill="currentColor"/>';

export class RecordingControl {
  readonly indicator = h('span', { class: 'recording-indicator', 'data-testid': 'recording-indicator', role: 'status', 'aria-label': 'This call is being recorded', title: 'This call is being recorded', hidden: true },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'label' }, 'Recording'));
  readonly button: HTMLButtonElement;
  private readonly unsubscribe: (() => void)[] = [];
  private waiting = false;  // a request is on its way: one click, one request

  constructor(private readonly client: CipherTalkClient) {
    this.button = h('button', { type: 'button', class: 'round', 'data-testid': 'toggle-recording', 'aria-label': 'Record', 'aria-pressed': 'false', hidden: true, onclick: () => this.toggle() }, icon(RECORD_ICON));
    const refresh = () => { this.waiting = false; this.render(); };
    this.unsubscribe.push(client.on('joined', refresh), client.on('recording', refresh),
      client.on('error', (e) => { if (e.code.startsWith('recording_')) refresh(); }));
    this.render();
  }

  private toggle(): void {
    if (this.waiting) return;
    this.waiting = true;
    if (this.client.recording.active) this.client.stopRecording(); else this.client.startRecording();
    this.render();
  }

  private render(): void {
    const { active, allowed } = this.client.recording;
    this.indicator.hidden = !active;
    this.button.hidden = !allowed;
    this.button.disabled = this.waiting;
    this.button.classList.toggle('recording', active);
    this.button.setAttribute('aria-pressed', String(active));
    this.button.title = active ? 'Stop recording' : 'Record this call';
    this.button.setAttribute('aria-label', active ? 'Stop recording' : 'Record');
  }

  dispose(): void { this.unsubscribe.forEach((off) => off()); }
}

// Which path this participant's media takes, in the call's top bar:
// "direct" (a direct connection: host or server-reflexive candidates on both
// ends), "relayed" (a direct connection through TURN) or "server" (through the
// SFU). Read from the selected ICE candidate pairs (client.p2p.path()).
import type { CipherTalkClient } from '../sdk';
import type { ConnectionPath } from '../sdk/p2p';
import { h } from './dom';

const LABELS: Record<ConnectionPath, string> = {
  direct: 'Direct connection',
  relayed: 'Direct connection, relayed through TURN',
  server: 'Through the server',
};
const POLL_MS = 500;

export class ConnectionPathIndicator {
  readonly element = h('span', { class: 'connection-path', 'data-testid': 'connection-path', 'data-path': 'server', role: 'status', title: LABELS.server }, 'server');
  private readonly timer: ReturnType<typeof setInterval>;
  private reading = false;

  constructor(private readonly client: CipherTalkClient) {
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  private async refresh(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const path = await this.client.p2p.path();
      if (this.element.dataset.path === path) return;
      this.element.dataset.path = path;
      this.element.textContent = path;
      this.element.title = LABELS[path];
    } catch { /* a connection closing under us: the next poll reads again */ } finally {
      this.reading = false;
    }
  }

  dispose(): void { clearInterval(this.timer); }
}

// Runs one of the GStreamer webrtcbin clients (tests/e2e/whip_client.py,
// tests/e2e/whep_client.py; their shared HTTP and ICE code is
// tests/e2e/lib/gst_webrtc.py) and collects the JSON events it prints, one a line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const e2e = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

// `script`: 'whip_client.py' or 'whep_client.py'; `args`: URL, token and
// maybe seconds. Events named in `unlogged` (long SDP) stay out of `log`.
// The client ends at its seconds, or when stop() closes its stdin; either
// way it DELETEs its session first.
export function startGstClient(script, args, { unlogged = [] } = {}) {
  const child = spawn('/usr/bin/python3', [path.join(e2e, script), ...args.map(String)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const client = { child, events: [], log: '' };
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    try {
      const event = JSON.parse(line);
      client.events.push(event);
      if (!unlogged.includes(event.event)) client.log += line + '\n';
    } catch { client.log += line + '\n'; }
  });
  child.stderr.on('data', (d) => { client.log += d; });
  client.event = (name) => client.events.find((e) => e.event === name);
  client.done = new Promise((resolve) => child.once('close', resolve));
  // Closes stdin (the client DELETEs and exits) and resolves with the exit code; killed after 10 s.
  client.stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.stdin.end();
    const code = await client.done;
    clearTimeout(timer);
    return code;
  };
  client.kill = () => { if (child.exitCode === null) child.kill('SIGKILL'); return client.done; };
  return client;
}

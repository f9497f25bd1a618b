// The echo test page (/echo.html): a WHIP-shaped offer/answer over HTTP
// (docs/protocol.md), the server reflects our media back. window.echoStats()
// is what the end-to-end tests read.

declare global {
  interface Window { echoStats: () => Promise<EchoStats> }
}

interface EchoStats {
  videoFramesDecoded: number; videoPacketsReceived: number; audioPacketsReceived: number; nackCount: number;
  videoBytesSent: number; srtpCipher: string; dtlsCipher: string; tlsVersion: string; connectionState: string;
  frameWidth: number; frameHeight: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
let pc: RTCPeerConnection | null = null;
let resourceUrl: string | null = null;
let statsTimer: ReturnType<typeof setInterval> | undefined;

function setState(text: string): void { $('state').textContent = text; }

// Optional ICE servers from the URL, for testing a TURN relay:
// ?turn=<turn: or turns: URL>&user=..&pass=..&relay=1 (relay=1: relay candidates only).
function rtcConfigFromUrl(): RTCConfiguration {
  const params = new URLSearchParams(location.search);
  const config: RTCConfiguration = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
  if (params.get('turn')) {
    config.iceServers = [{ urls: params.getAll('turn'), username: params.get('user') || undefined, credential: params.get('pass') || undefined }];
  }
  if (params.get('relay') === '1') config.iceTransportPolicy = 'relay';
  return config;
}

async function start(): Promise<void> {
  $<HTMLButtonElement>('start').disabled = true;
  try {
    setState('asking for camera and microphone');
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    $<HTMLVideoElement>('local').srcObject = media;
    const conn = new RTCPeerConnection(rtcConfigFromUrl());
    pc = conn;
    const remote = new MediaStream();
    $<HTMLVideoElement>('remote').srcObject = remote;
    conn.ontrack = (ev) => remote.addTrack(ev.track);
    conn.onconnectionstatechange = () => setState(conn.connectionState);
    for (const track of media.getTracks()) conn.addTransceiver(track, { direction: 'sendrecv' });
    const offer = await conn.createOffer();
    await conn.setLocalDescription(offer);
    setState('negotiating');
    // WHIP-style exchange: the server is ICE-lite and learns our address from
    // our connectivity checks, so there is no need to wait for gathering.
    const res = await fetch('/echo', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: conn.localDescription!.sdp });
    if (res.status !== 201) throw new Error(`server said ${res.status}: ${await res.text()}`);
    resourceUrl = new URL(res.headers.get('Location') ?? '', location.href).toString();
    await conn.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    $<HTMLButtonElement>('stop').disabled = false;
    statsTimer = setInterval(showStats, 1000);
  } catch (err) {
    setState('failed: ' + (err instanceof Error ? err.message : String(err)));
    $<HTMLButtonElement>('start').disabled = false;
  }
}

async function stop(): Promise<void> {
  $<HTMLButtonElement>('stop').disabled = true;
  clearInterval(statsTimer);
  if (resourceUrl) await fetch(resourceUrl, { method: 'DELETE' }).catch(() => {});
  resourceUrl = null;
  pc?.close();
  pc = null;
  for (const v of [$<HTMLVideoElement>('local'), $<HTMLVideoElement>('remote')]) {
    (v.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
    v.srcObject = null;
  }
  setState('stopped');
  $<HTMLButtonElement>('start').disabled = false;
}

// A summary of getStats() that the page shows and tests read.
async function echoStats(): Promise<EchoStats> {
  const out: EchoStats = { videoFramesDecoded: 0, videoPacketsReceived: 0, audioPacketsReceived: 0, nackCount: 0,
    videoBytesSent: 0, srtpCipher: '', dtlsCipher: '', tlsVersion: '', connectionState: pc ? pc.connectionState : 'closed',
    frameWidth: 0, frameHeight: 0 };
  if (!pc) return out;
  const report = await pc.getStats();
  report.forEach((s: any) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.videoFramesDecoded += s.framesDecoded || 0;
      out.videoPacketsReceived += s.packetsReceived || 0;
      out.nackCount += s.nackCount || 0;
      out.frameWidth = s.frameWidth || out.frameWidth;
      out.frameHeight = s.frameHeight || out.frameHeight;
    }
    if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPacketsReceived += s.packetsReceived || 0;
    if (s.type === 'outbound-rtp' && s.kind === 'video') out.videoBytesSent += s.bytesSent || 0;
    if (s.type === 'transport') {
      out.srtpCipher = s.srtpCipher || out.srtpCipher;
      out.dtlsCipher = s.dtlsCipher || out.dtlsCipher;
      out.tlsVersion = s.tlsVersion || out.tlsVersion;
    }
  });
  return out;
}
window.echoStats = echoStats;

async function showStats(): Promise<void> {
  const s = await echoStats();
  const body = $<HTMLTableElement>('stats').tBodies[0]!;
  body.replaceChildren(...Object.entries(s).map(([k, v]) => {
    const row = document.createElement('tr');
    const th = document.createElement('th');
    const td = document.createElement('td');
    th.textContent = k;
    td.textContent = String(v);
    row.append(th, td);
    return row;
  }));
}

$('start').addEventListener('click', () => void start());
$('stop').addEventListener('click', () => void stop());
if (new URLSearchParams(location.search).get('autostart') === '1') void start();

export {};

// The server's side of a tile's "stats for nerds" (the `stats` reply to
// get_stats about the tile's participant): what the server sends me of that
// participant — the layer, bitrate, loss my browser reported, my NACKs and
// PLIs — that participant's uplink quality, and my own path to the server.
import { formatBitrate, type ServerPublishedTrackStats, type StatsMessage } from '../sdk';

export interface ServerTileRow { name: string; key: string; value: string }

const DASH = '–';

/** The forwarded simulcast layer as a person reads it: "640×360 (2 of 3)", "→ 3" while switching. */
export function layerLabel(layer: number | null, target: number | null, paused: boolean, published?: ServerPublishedTrackStats): string {
  if (paused) return 'paused (bandwidth)';
  if (layer === null) return DASH;
  const layers = published?.layers ?? [];
  const size = layers[layer] && layers[layer]!.width > 0 ? `${layers[layer]!.width}×${layers[layer]!.height} ` : '';
  if (layers.length <= 1) return size ? size.trim() : 'single stream';
  const switching = target !== null && target !== layer ? ` → ${target + 1}` : '';
  return `${size}(${layer + 1} of ${layers.length})${switching}`;
}

export function serverTileRows(reply: StatsMessage): ServerTileRow[] {
  const video = reply.subscribed.find((t) => t.kind === 'video');
  const audio = reply.subscribed.find((t) => t.kind === 'audio');
  const publishedVideo = reply.publisher?.published.find((t) => t.sid === video?.sid);
  const losses = reply.subscribed.map((t) => t.loss).filter((l): l is number => l !== null);
  const upstreamLoss = Math.max(0, ...(reply.publisher?.published.map((t) => t.loss) ?? []));
  const percent = (f: number): string => `${(f * 100).toFixed(1)} %`;
  const path = reply.subscriber_connection.candidate_type ?? reply.publisher_connection.candidate_type;
  const rows: ServerTileRow[] = [];
  if (video) {
    rows.push({ name: 'Layer sent to me', key: 'server-layer', value: layerLabel(video.layer, video.target_layer, video.paused, publishedVideo) });
    rows.push({ name: 'Video sent to me', key: 'server-video-bitrate', value: formatBitrate(video.bitrate_bps) });
  }
  if (audio) rows.push({ name: 'Audio sent to me', key: 'server-audio-bitrate', value: formatBitrate(audio.bitrate_bps) });
  rows.push(
    { name: 'Loss I reported', key: 'server-loss', value: losses.length ? percent(Math.max(...losses)) : DASH },
    { name: 'My NACKs / PLIs', key: 'server-feedback', value: `${reply.subscribed.reduce((n, t) => n + t.nacks, 0)} / ${reply.subscribed.reduce((n, t) => n + t.plis, 0)}` },
  );
  if (reply.publisher) {
    rows.push({ name: 'Their uplink', key: 'server-publisher-quality', value: `${reply.publisher.connection_quality}, ${percent(upstreamLoss)} loss` });
  }
  rows.push(
    { name: 'My round trip', key: 'server-rtt', value: reply.rtt_ms === null ? DASH : `${Math.round(reply.rtt_ms)} ms` },
    { name: 'My connection', key: 'server-quality', value: reply.connection_quality },
    { name: 'My candidate', key: 'server-candidate', value: path ?? DASH },
  );
  return rows;
}

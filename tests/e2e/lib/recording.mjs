// Reading a recording's folder (docs/recording.md) in tests.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

// The tracks `who` has in a recording's manifest: one Opus and one VP8, each
// with its media file in `folder`.
export function personTracks(manifest, folder, who) {
  const tracks = manifest.tracks.filter((t) => t.participant === who);
  assert.deepEqual(tracks.map((t) => t.codec).sort(), ['VP8', 'opus'], `${who}: one Opus and one VP8 track in the manifest`);
  const files = readdirSync(folder);
  for (const t of tracks) assert.ok(files.includes(t.file), `${t.file} exists (${files.join(', ')})`);
  return tracks;
}

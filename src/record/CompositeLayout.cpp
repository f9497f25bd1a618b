#include "record/CompositeLayout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace ct::record {
namespace {

std::string seconds(int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return text;
}

int even(int n) { return n & ~1; }

void place_tiles(CompositeLayout& layout, const CompositeOptions& options) {
  const int n = int(layout.tiles.size());
  if (n == 0) return;
  layout.columns = int(std::ceil(std::sqrt(double(n))));
  layout.rows = (n + layout.columns - 1) / layout.columns;
  const int width = even(options.width / layout.columns);
  const int height = even(options.height / layout.rows);
  const int top = (options.height - layout.rows * height) / 2;
  for (int i = 0; i < n; ++i) {
    const int row = i / layout.columns, column = i % layout.columns;
    // A last row that is not full is centred.
    const int in_row = std::min(layout.columns, n - row * layout.columns);
    const int left = (options.width - layout.columns * width) / 2 + (layout.columns - in_row) * width / 2;
    auto& tile = layout.tiles[size_t(i)];
    tile.x = left + column * width;
    tile.y = top + row * height;
    tile.width = width;
    tile.height = height;
  }
}

void build_filter_graph(CompositeLayout& layout, const CompositeOptions& options) {
  std::string graph = "color=c=0x202020:s=" + std::to_string(options.width) + "x" +
                      std::to_string(options.height) + ":r=" + std::to_string(options.fps) +
                      ":d=" + seconds(layout.duration_ms) + ",format=yuv420p[bg]";
  std::string canvas = "bg";
  std::vector<std::string> audio;
  int overlays = 0;
  for (size_t i = 0; i < layout.inputs.size(); ++i) {
    const auto& input = layout.inputs[i];
    const std::string in = std::to_string(i);
    if (input.video) {
      const auto& tile = layout.tiles[size_t(input.tile)];
      const std::string w = std::to_string(tile.width), h = std::to_string(tile.height);
      // The tile shows the file from its offset on; a size change mid-file
      // (the sender adapting) is taken by scale, letterboxed into the tile.
      graph += ";[" + in + ":v]setpts=PTS+" + seconds(input.offset_ms) + "/TB,scale=w=" + w + ":h=" + h +
               ":force_original_aspect_ratio=decrease,pad=" + w + ":" + h +
               ":(ow-iw)/2:(oh-ih)/2,setsar=1[v" + in + "]";
      const std::string next = "c" + std::to_string(++overlays);
      graph += ";[" + canvas + "][v" + in + "]overlay=x=" + std::to_string(tile.x) +
               ":y=" + std::to_string(tile.y) + ":eof_action=pass[" + next + "]";
      canvas = next;
    } else {
      // aresample fills the gaps lost packets left; adelay puts the track
      // at its offset (all channels).
      graph += ";[" + in + ":a]aresample=async=1,adelay=delays=" + std::to_string(input.offset_ms) +
               ":all=1[a" + in + "]";
      audio.push_back("[a" + in + "]");
    }
  }
  graph += ";[" + canvas + "]null[vout]";
  if (!audio.empty()) {
    graph += ";";
    for (const auto& a : audio) graph += a;
    // normalize=0: each voice keeps its level instead of 1/N of it.
    graph += "amix=inputs=" + std::to_string(audio.size()) +
             ":duration=longest:dropout_transition=0:normalize=0,apad[aout]";
  }
  layout.filter_graph = std::move(graph);
}

}  // namespace

CompositeLayout CompositeLayout::make(const RecordingManifest& manifest, const CompositeOptions& options,
                                      const std::function<bool(const std::string&)>& has_file) {
  CompositeLayout layout;
  const auto duration = manifest.duration_ms();
  if (!duration) {
    layout.error = "the recording never stopped (no stopped_at): run `ciphertalk recover` on it first";
    return layout;
  }
  layout.duration_ms = *duration;
  if (layout.duration_ms <= 0) {
    layout.error = "the recording lasted no time";
    return layout;
  }
  const std::string extension = options.output.extension().string();
  if (extension != ".mp4" && extension != ".webm") {
    layout.error = options.output.string() + ": the composite is an .mp4 or a .webm file";
    return layout;
  }
  if (options.width < 16 || options.height < 16 || options.width > 7680 || options.height > 4320 ||
      options.fps < 1 || options.fps > 120) {
    layout.error = "the composite's size must be 16x16 to 7680x4320, its frame rate 1 to 120";
    return layout;
  }

  // Tracks in the order they start, so slots fill in order of appearance.
  std::vector<const RecordingManifest::Track*> tracks;
  for (const auto& t : manifest.tracks) {
    const std::string who = t.participant + " " + t.sid + " (" + t.kind + ")";
    if (t.file.empty() || !has_file(t.file)) {
      layout.skipped.push_back(who + ": no media file");
    } else if (!t.offset_ms()) {
      layout.skipped.push_back(who + ": no packet arrived, so no start offset");
    } else if (*t.offset_ms() >= layout.duration_ms) {
      layout.skipped.push_back(who + ": starts after the recording's end");
    } else {
      tracks.push_back(&t);
    }
  }
  // Ties keep the manifest's order (pointers into one vector order it).
  std::sort(tracks.begin(), tracks.end(), [](const auto* a, const auto* b) {
    return *a->offset_ms() != *b->offset_ms() ? *a->offset_ms() < *b->offset_ms() : a < b;
  });
  std::map<std::pair<std::string, std::string>, int> slots;
  for (const auto* t : tracks) {
    Input input;
    input.file = t->file;
    input.video = t->is_video();
    input.offset_ms = std::max<int64_t>(*t->offset_ms(), 0);
    input.skip_ms = std::max<int64_t>(-*t->offset_ms(), 0);
    if (input.video) {
      const auto [slot, added] = slots.try_emplace({t->participant, t->source}, int(layout.tiles.size()));
      if (added) layout.tiles.push_back({t->participant, t->source});
      input.tile = slot->second;
    }
    layout.inputs.push_back(std::move(input));
  }
  if (layout.inputs.empty()) {
    layout.error = "no track has a media file to compose";
    return layout;
  }
  place_tiles(layout, options);
  build_filter_graph(layout, options);

  auto& args = layout.ffmpeg_arguments;
  args = {"-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-y"};
  bool has_audio = false;
  for (const auto& input : layout.inputs) {
    if (input.skip_ms > 0) args.insert(args.end(), {"-ss", seconds(input.skip_ms)});
    // Keep the graph when a video's size changes: scale adapts; a rebuilt
    // graph would lose the other tracks' state.
    if (input.video) args.insert(args.end(), {"-reinit_filter", "0"});
    has_audio |= !input.video;
    // "file:" so that a name is never read as another protocol.
    args.insert(args.end(), {"-i", "file:" + (options.folder / input.file).string()});
  }
  args.insert(args.end(), {"-filter_complex", layout.filter_graph, "-map", "[vout]"});
  if (has_audio) args.insert(args.end(), {"-map", "[aout]"});
  if (extension == ".mp4") {
    args.insert(args.end(), {"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"});
    if (has_audio) args.insert(args.end(), {"-c:a", "aac", "-b:a", "128k"});
    args.insert(args.end(), {"-movflags", "+faststart"});
  } else {
    args.insert(args.end(), {"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M"});
    if (has_audio) args.insert(args.end(), {"-c:a", "libopus", "-b:a", "96k"});
  }
  args.insert(args.end(), {"-t", seconds(layout.duration_ms), "file:" + options.output.string()});
  return layout;
}

}  // namespace ct::record

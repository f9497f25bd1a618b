#pragma once
// What `ciphertalk compose` asks FFmpeg to make of a recording folder: one
// grid video with every track's audio mixed, each track at its offset on
// the recording's timeline. Pure: from the manifest (and which media files
// exist) to FFmpeg's arguments, so the layout and the filter graph are
// tested without running anything.
//
// The grid has one slot per participant and source (camera, screen) that
// has video in the recording, for the whole composite, in the order the
// slots first show video: a tile keeps its place as others come and go,
// and shows the background before its video starts and after it ends
// (overlay's eof_action=pass). A participant who republishes the camera
// gets the same slot back.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "record/RecordingManifest.hpp"

namespace ct::record {

struct CompositeOptions {
  std::filesystem::path folder;  // the recording folder: the tracks' files are read from it
  std::filesystem::path output;  // .mp4 (H.264 + AAC) or .webm (VP8 + Opus)
  int width = 1280;
  int height = 720;
  int fps = 25;
};

struct CompositeLayout {
  struct Tile {
    std::string participant, source;
    int x = 0, y = 0, width = 0, height = 0;
  };
  struct Input {
    std::string file;       // as in the manifest
    bool video = false;     // else audio
    int64_t offset_ms = 0;  // where the file's time zero sits in the composite, ≥ 0
    int64_t skip_ms = 0;    // how much of the file's start lies before the recording's
    int tile = -1;          // video: index into tiles
  };

  std::vector<Tile> tiles;
  std::vector<Input> inputs;
  std::vector<std::string> skipped;  // tracks left out, and why
  int columns = 0, rows = 0;
  int64_t duration_ms = 0;
  std::string filter_graph;
  std::vector<std::string> ffmpeg_arguments;  // without the program's name
  std::string error;                          // non-empty: nothing to compose

  // `has_file(name)`: whether the folder holds a media file of that name.
  static CompositeLayout make(const RecordingManifest& manifest, const CompositeOptions& options,
                              const std::function<bool(const std::string&)>& has_file);
};

}  // namespace ct::record

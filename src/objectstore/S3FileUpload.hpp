#pragma once
// Puts one local file into S3 and checks that it arrived: a single PUT up to
// the multipart threshold, a multipart upload above it (S3 wants parts of at
// least 5 MiB, all but the last), then a HEAD whose Content-Length must be
// the file's size. A multipart upload that fails is aborted, so the store
// keeps no orphan parts (as far as the store can still be reached).
#include <cstdint>
#include <filesystem>
#include <string>

#include "objectstore/S3Client.hpp"

namespace ct::objectstore {

class S3FileUpload {
 public:
  static constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's lower limit for every part but the last
  static constexpr uint64_t kMaxParts = 10000;          // and its upper limit on the number of parts

  struct Settings {
    uint64_t multipart_threshold = 16ull << 20;  // larger files go multipart
    uint64_t part_size = 8ull << 20;             // raised to kMinPartSize, or to fit kMaxParts
  };
  struct Outcome {
    S3Result result;  // of the request that failed, or of the verifying HEAD
    uint64_t size = 0;
    unsigned parts = 0;  // 0: a single PUT
    bool ok() const { return result.ok(); }
  };

  // The part size actually used for a file of `file_size` bytes.
  static uint64_t part_size_for(uint64_t file_size, const Settings& settings);

  static Outcome upload(S3Client& client, const std::filesystem::path& file, const std::string& key,
                        const Settings& settings);
};

}  // namespace ct::objectstore

#include "objectstore/S3FileUpload.hpp"

#include <algorithm>
#include <fstream>
#include <vector>

namespace ct::objectstore {
namespace {

bool read_exactly(std::ifstream& in, std::vector<uint8_t>& buffer, uint64_t size) {
  buffer.resize(size);
  in.read(reinterpret_cast<char*>(buffer.data()), std::streamsize(size));
  return uint64_t(in.gcount()) == size;
}

}  // namespace

uint64_t S3FileUpload::part_size_for(uint64_t file_size, const Settings& settings) {
  uint64_t part = std::max(settings.part_size, kMinPartSize);
  const uint64_t fit = (file_size + kMaxParts - 1) / kMaxParts;
  return std::max(part, fit);
}

S3FileUpload::Outcome S3FileUpload::upload(S3Client& client, const std::filesystem::path& file,
                                           const std::string& key, const Settings& settings) {
  Outcome out;
  std::error_code ec;
  out.size = std::filesystem::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (ec || !in) {
    out.result.error = "cannot read " + file.string();
    return out;
  }
  std::vector<uint8_t> buffer;
  if (out.size <= settings.multipart_threshold) {
    if (!read_exactly(in, buffer, out.size)) {
      out.result.error = "cannot read " + file.string();
      return out;
    }
    out.result = client.put_object(key, buffer);
    if (!out.ok()) return out;
  } else {
    const uint64_t part_size = part_size_for(out.size, settings);
    S3Result created = client.create_multipart_upload(key);
    if (!created.ok()) {
      out.result = std::move(created);
      return out;
    }
    std::vector<std::string> etags;
    for (uint64_t offset = 0; offset < out.size; offset += part_size) {
      const uint64_t length = std::min(part_size, out.size - offset);
      if (!read_exactly(in, buffer, length)) {
        out.result = S3Result{};
        out.result.error = "cannot read " + file.string();
        break;
      }
      out.result = client.upload_part(key, created.upload_id, unsigned(etags.size() + 1), buffer);
      if (!out.ok()) break;
      etags.push_back(out.result.etag);
    }
    if (out.ok()) out.result = client.complete_multipart_upload(key, created.upload_id, etags);
    if (!out.ok()) {
      client.abort_multipart_upload(key, created.upload_id);  // best effort; the failure is what we report
      return out;
    }
    out.parts = unsigned(etags.size());
  }
  // Confirmed only when the store says it holds the whole object.
  S3Result head = client.head_object(key);
  if (head.ok() && head.content_length != out.size) {
    head.error = "stored object has " + (head.content_length ? std::to_string(*head.content_length) : "no") +
                 " bytes, the file " + std::to_string(out.size);
  }
  out.result = std::move(head);
  return out;
}

}  // namespace ct::objectstore

#pragma once
// The S3 requests a recording upload needs, over libcurl: PutObject,
// HeadObject, DeleteObject, ListObjectsV2 and the multipart upload
// (create, upload part, complete, abort). libcurl signs each request with
// AWS Signature Version 4 (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"); we add the
// x-amz-content-sha256 header S3 requires (the body's SHA-256; libcurl 7.88
// does not add it). Bodies are held in memory: a single PUT or one part.
//
// Each request is retried by the RetryPolicy (transport errors, 5xx, 429,
// SlowDown); the waits and transfers end early once the cancel flag is set.
// One client is used by one thread at a time; it keeps its connection open
// between requests.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "objectstore/RetryPolicy.hpp"
#include "objectstore/S3Responses.hpp"
#include "objectstore/S3Target.hpp"

namespace ct::objectstore {

struct S3Result {
  long status = 0;      // the last answer's HTTP status; 0: no answer
  std::string error;    // empty on success: what went wrong, for logs and the upload state
  std::string s3_code;  // <Error><Code> of the answer, if any
  std::string body;
  std::string etag;                        // the ETag header
  std::optional<uint64_t> content_length;  // HeadObject
  std::string upload_id;                   // CreateMultipartUpload
  unsigned attempts = 0;
  bool ok() const { return error.empty(); }
};

// Counted over every request of the clients that share it (any thread may read).
struct S3Counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> bytes_sent{0};  // request bodies that got a 2xx answer
};

class S3Client {
 public:
  explicit S3Client(S3Target target, RetryPolicy retry = {});
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // While *cancel is true, waits and transfers stop and requests fail at once.
  void set_cancel(const std::atomic<bool>* cancel) { cancel_ = cancel; }
  void set_counters(S3Counters* counters) { counters_ = counters; }
  const S3Target& target() const { return target_; }

  // The request URL of `key` (not yet encoded) with an already encoded,
  // sorted query ("" for none).
  std::string url(std::string_view key, std::string_view query = {}) const;
  // SigV4's UriEncode: everything but A-Z a-z 0-9 - . _ ~ (and '/' when
  // `keep_slash`, for object keys) as %XX, upper-case hex.
  static std::string uri_encode(std::string_view text, bool keep_slash);
  static std::string sha256_hex(std::span<const uint8_t> bytes);

  S3Result put_object(const std::string& key, std::span<const uint8_t> body);
  S3Result head_object(const std::string& key);
  S3Result delete_object(const std::string& key);
  S3Result create_multipart_upload(const std::string& key);
  S3Result upload_part(const std::string& key, const std::string& upload_id, unsigned part_number,
                       std::span<const uint8_t> body);
  // `etags`: the ETag of part 1, 2, ... in order.
  S3Result complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                     const std::vector<std::string>& etags);
  S3Result abort_multipart_upload(const std::string& key, const std::string& upload_id);
  // One page of ListObjectsV2 under `prefix`; fills `page` on success.
  S3Result list_objects(const std::string& prefix, const std::string& continuation_token,
                        ListObjectsPage& page);

 private:
  struct Request {
    std::string_view method;
    std::string_view key;
    std::string query;                 // encoded, sorted by name (libcurl signs it as given)
    std::span<const uint8_t> body;     // sent for PUT and POST
    std::vector<std::string> headers;  // besides the ones every request has
  };
  S3Result perform(const Request& request);
  void perform_once(const Request& request, S3Result& result);
  bool cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
  // Sleeps in short steps; false if cancelled meanwhile.
  bool wait(std::chrono::milliseconds delay) const;

  S3Target target_;
  RetryPolicy retry_;
  const std::atomic<bool>* cancel_ = nullptr;
  S3Counters* counters_ = nullptr;
  struct Easy;  // the libcurl handle, kept for connection reuse
  std::unique_ptr<Easy> easy_;
};

}  // namespace ct::objectstore

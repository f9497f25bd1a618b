#pragma once
// What S3 answers, read from its XML bodies (Amazon S3 API Reference):
// an error (<Error><Code>…), the upload id of CreateMultipartUpload, the
// result of CompleteMultipartUpload (which may be an error inside a 200
// answer), and a ListObjectsV2 page. Each returns nothing for a body that
// is not well-formed or lacks what it must hold.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::objectstore {

struct S3Error {
  std::string code;  // "NoSuchBucket", "SlowDown", "InternalError", ...
  std::string message;
  std::string request_id;
};

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::chrono::system_clock::time_point last_modified;
  std::string etag;
};

struct ListObjectsPage {
  std::vector<S3Object> objects;
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

// <Error>: code and message; nothing if the body is not an S3 error.
std::optional<S3Error> parse_s3_error(std::string_view body);
// <InitiateMultipartUploadResult><UploadId>: the id, never empty.
std::optional<std::string> parse_upload_id(std::string_view body);
// <CompleteMultipartUploadResult><ETag>: the ETag (quotes kept). An <Error>
// body (S3 may send one with status 200) gives nothing: check
// parse_s3_error for the reason.
std::optional<std::string> parse_complete_multipart(std::string_view body);
// <ListBucketResult> of ListObjectsV2.
std::optional<ListObjectsPage> parse_list_objects(std::string_view body);
// ISO 8601 in UTC as S3 writes it: "2026-12-07T00:15:02.000Z" (fraction optional).
std::optional<std::chrono::system_clock::time_point> parse_s3_time(std::string_view text);

}  // namespace ct::objectstore

#pragma once
// One S3-compatible bucket that recordings go to, and how to reach it.
#include <string>

namespace ct::objectstore {

struct S3Target {
  // "http://127.0.0.1:9000", "https://s3.example.net": path-style URLs
  // (ENDPOINT/BUCKET/KEY), as MinIO, Ceph and most other stores expect.
  // Empty: Amazon S3 itself, virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY).
  std::string endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  std::string prefix;  // put before every key, e.g. "recordings/"
  // Server-side encryption asked for on upload (x-amz-server-side-encryption):
  // "" (none), "AES256" (SSE-S3) or "aws:kms" (SSE-KMS with the bucket's key).
  std::string sse;
  std::string access_key_id;
  std::string secret_access_key;

  // For logs and the upload state: where objects go, never the keys.
  std::string name() const { return (endpoint.empty() ? "s3" : endpoint) + "/" + bucket; }
};

}  // namespace ct::objectstore

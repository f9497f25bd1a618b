// A file goes up as one PUT or, above the threshold, as a multipart upload
// of >= 5 MiB parts; it counts as stored only when HEAD reports its size.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "LocalHttpListener.hpp"
#include "objectstore/S3FileUpload.hpp"

namespace ct::objectstore {
namespace {

using test::LocalHttpListener;

struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& name, size_t size) {
    path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    std::ofstream out(path, std::ios::binary);
    for (size_t i = 0; i < size; ++i) out.put(char(i * 31 + 7));
  }
  ~TempFile() { std::filesystem::remove(path); }
};

S3Client client_for(const LocalHttpListener& listener) {
  S3Target t;
  t.endpoint = listener.endpoint();
  t.bucket = "b";
  return S3Client(t, RetryPolicy({2, std::chrono::milliseconds(1), std::chrono::milliseconds(1)}));
}

TEST(S3FileUpload, PartSizeKeepsToS3Limits) {
  S3FileUpload::Settings s{1 << 20, 1 << 20};
  EXPECT_EQ(S3FileUpload::part_size_for(100 << 20, s), S3FileUpload::kMinPartSize);
  s.part_size = 64 << 20;
  EXPECT_EQ(S3FileUpload::part_size_for(100 << 20, s), 64u << 20);
  // 100 GiB in at most 10000 parts.
  const uint64_t huge = 100ull << 30;
  EXPECT_LE((huge + S3FileUpload::part_size_for(huge, s) - 1) / S3FileUpload::part_size_for(huge, s),
            S3FileUpload::kMaxParts);
}

TEST(S3FileUpload, SmallFileIsOnePutThenVerified) {
  TempFile file("ct-small", 1000);
  LocalHttpListener listener;
  listener.script({200, "", {"ETag: \"e\""}});
  listener.script({200, "", {"Content-Length: 1000"}});
  auto client = client_for(listener);
  const auto out = S3FileUpload::upload(client, file.path, "room/R1/a.webm", {});
  ASSERT_TRUE(out.ok()) << out.result.error;
  EXPECT_EQ(out.size, 1000u);
  EXPECT_EQ(out.parts, 0u);
  const auto r = listener.requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].body.size(), 1000u);
  EXPECT_EQ(r[1].method, "HEAD");
}

TEST(S3FileUpload, ASizeMismatchIsNotStored) {
  TempFile file("ct-short", 1000);
  LocalHttpListener listener;
  listener.script({200, "", {"ETag: \"e\""}});
  listener.script({200, "", {"Content-Length: 999"}});
  auto client = client_for(listener);
  const auto out = S3FileUpload::upload(client, file.path, "k", {});
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.result.error, "stored object has 999 bytes, the file 1000");
}

TEST(S3FileUpload, LargeFileGoesMultipartInOrder) {
  const size_t size = 11 << 20;  // 5 + 5 + 1 MiB
  TempFile file("ct-large", size);
  LocalHttpListener listener;
  listener.script(
      {200, "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>", {}});
  listener.script({200, "", {"ETag: \"p1\""}});
  listener.script({200, "", {"ETag: \"p2\""}});
  listener.script({200, "", {"ETag: \"p3\""}});
  listener.script(
      {200, "<CompleteMultipartUploadResult><ETag>\"m-3\"</ETag></CompleteMultipartUploadResult>", {}});
  listener.script({200, "", {"Content-Length: " + std::to_string(size)}});
  auto client = client_for(listener);
  const auto out = S3FileUpload::upload(client, file.path, "k", {1 << 20, 1 << 20});
  ASSERT_TRUE(out.ok()) << out.result.error;
  EXPECT_EQ(out.parts, 3u);
  const auto r = listener.requests();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[1].target, "/b/k?partNumber=1&uploadId=U");
  EXPECT_EQ(r[1].body.size(), 5u << 20);
  EXPECT_EQ(r[3].target, "/b/k?partNumber=3&uploadId=U");
  EXPECT_EQ(r[3].body.size(), 1u << 20);
  std::ifstream in(file.path, std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(r[1].body + r[2].body + r[3].body, whole);
  EXPECT_NE(r[4].body.find("<PartNumber>3</PartNumber><ETag>&quot;p3&quot;</ETag>"), std::string::npos);
}

TEST(S3FileUpload, AFailedPartAbortsTheUpload) {
  TempFile file("ct-abort", 6 << 20);
  LocalHttpListener listener;
  listener.script(
      {200, "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>", {}});
  listener.script({403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>", {}});
  listener.script({204, "", {}});
  auto client = client_for(listener);
  const auto out = S3FileUpload::upload(client, file.path, "k", {1 << 20, 1 << 20});
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.result.s3_code, "AccessDenied");
  const auto r = listener.requests();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].method, "DELETE");
  EXPECT_EQ(r[2].target, "/b/k?uploadId=U");
}

TEST(S3FileUpload, AMissingFileIsAnError) {
  LocalHttpListener listener;
  auto client = client_for(listener);
  const auto out = S3FileUpload::upload(client, "/nonexistent/file.webm", "k", {});
  EXPECT_FALSE(out.ok());
  EXPECT_TRUE(listener.requests().empty());
}

}  // namespace
}  // namespace ct::objectstore

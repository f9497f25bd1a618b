// S3's answers as the API reference shows them, and what is not one.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "objectstore/S3Responses.hpp"

namespace ct::objectstore {
namespace {

using namespace std::chrono;

constexpr std::string_view kListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>rec/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>rec/standup/R1/manifest.json</Key><LastModified>2026-12-07T00:15:02.125Z</LastModified>
    <ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>rec/standup/R1/bob-TR_x1.webm</Key><LastModified>2026-12-07T00:15:03Z</LastModified>
    <ETag>"a-2"</ETag><Size>20971520</Size></Contents>
</ListBucketResult>)";

TEST(S3Responses, ReadsAListObjectsV2Page) {
  const auto page = parse_list_objects(kListing);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "rec/standup/R1/manifest.json");
  EXPECT_EQ(page->objects[0].size, 1024u);
  EXPECT_EQ(page->objects[0].etag, "\"599bab3ed2c697f1d26842727561fd94\"");
  EXPECT_EQ(page->objects[1].size, 20971520u);
  EXPECT_EQ(duration_cast<milliseconds>(page->objects[0].last_modified.time_since_epoch()).count(),
            1796602502125);
  EXPECT_EQ(page->objects[1].last_modified - page->objects[0].last_modified, milliseconds(875));
}

TEST(S3Responses, AnEmptyListingHasNoObjects) {
  const auto page =
      parse_list_objects("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->truncated);
  EXPECT_TRUE(page->objects.empty());
}

TEST(S3Responses, RefusesListingsThatLackWhatTheyMustHold) {
  for (const char* body :
       {"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",  // no token to go on with
        "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size><LastModified>2026-12-07T00:15:03Z</LastModified></"
        "Contents>"
        "</ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size><LastModified>2026-12-07T00:15:03Z</"
        "LastModified>"
        "</Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified>"
        "</Contents></ListBucketResult>",
        "<Error><Code>AccessDenied</Code></Error>"}) {
    EXPECT_FALSE(parse_list_objects(body)) << body;
  }
  const std::string listing(kListing);
  for (size_t n = 0; n + 1 < listing.size(); n += 7) EXPECT_FALSE(parse_list_objects(listing.substr(0, n)));
}

TEST(S3Responses, ReadsErrorsUploadIdsAndCompletions) {
  const auto error = parse_s3_error(
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
      "<RequestId>R</RequestId></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "SlowDown");
  EXPECT_EQ(error->message, "Please reduce your request rate.");
  EXPECT_EQ(error->request_id, "R");
  EXPECT_FALSE(parse_s3_error("<Error><Message>no code</Message></Error>"));
  EXPECT_FALSE(parse_s3_error("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(parse_s3_error(""));

  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                            "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_FALSE(parse_upload_id(
      "<InitiateMultipartUploadResult><UploadId></UploadId></InitiateMultipartUploadResult>"));
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult><UploadId>x</UploadId>"));

  EXPECT_EQ(
      parse_complete_multipart("<CompleteMultipartUploadResult><Location>l</Location><ETag>\"e-3\"</ETag>"
                               "</CompleteMultipartUploadResult>"),
      "\"e-3\"");
  // S3 may report a failed completion with status 200.
  const std::string failed = "<Error><Code>InternalError</Code><Message>try again</Message></Error>";
  EXPECT_FALSE(parse_complete_multipart(failed));
  EXPECT_EQ(parse_s3_error(failed)->code, "InternalError");
}

TEST(S3Responses, ReadsS3Times) {
  const auto t = parse_s3_time("1970-01-02T00:00:01.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(duration_cast<milliseconds>(t->time_since_epoch()).count(), 86401500);
  EXPECT_TRUE(parse_s3_time("2024-02-29T23:59:59Z"));
  for (const char* bad : {"", "2026-12-07", "2026-12-07T00:15:02", "2026-13-07T00:15:02Z",
                          "2026-12-07 00:15:02Z", "2026-12-07T24:00:00Z", "2026-12-07T00:15:02.Z",
                          "2026-12-07T00:15:02.12a4Z", "+026-12-07T00:15:02Z"}) {
    EXPECT_FALSE(parse_s3_time(bad)) << bad;
  }
}

}  // namespace
}  // namespace ct::objectstore

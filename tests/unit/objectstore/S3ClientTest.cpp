// The S3 client against a local listener: the requests it makes (URLs,
// headers, bodies), its retries, and its SigV4 signatures, which must be
// the ones botocore's signer (Debian python3-botocore, run with
// /usr/bin/python3) computes for the same requests.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "LocalHttpListener.hpp"
#include "core/Encoding.hpp"
#include "objectstore/S3Client.hpp"

namespace ct::objectstore {
namespace {

using test::CapturedRequest;
using test::LocalHttpListener;
using test::ScriptedResponse;

S3Target target_for(const LocalHttpListener& listener,
                    std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") {
  S3Target t;
  t.endpoint = listener.endpoint();
  t.bucket = "recordings";
  t.region = "eu-central-1";
  t.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  t.secret_access_key = std::move(secret);
  return t;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

RetryPolicy fast_retries(unsigned attempts) {
  return RetryPolicy({attempts, std::chrono::milliseconds(1), std::chrono::milliseconds(2)});
}

// What botocore's S3SigV4Auth computes for the captured request: the
// signature, over the headers libcurl says it signed, at libcurl's x-amz-date.
constexpr const char* kBotocoreSigner = R"PY(
import json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
d = json.load(open(sys.argv[1]))
req = AWSRequest(method=d["method"], url=d["url"], data=bytes.fromhex(d["body"]), headers=d["headers"])
auth = S3SigV4Auth(Credentials(d["key"], d["secret"]), "s3", d["region"])
req.context["timestamp"] = d["amz_date"]
sts = auth.string_to_sign(req, auth.canonical_request(req))
print(auth.signature(sts, req))
)PY";

struct Authorization {
  std::string credential, signed_headers, signature;
};

Authorization parse_authorization(const std::string& header) {
  static const std::regex pattern(
      R"(AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64}))");
  std::smatch m;
  if (!std::regex_match(header, m, pattern)) return {};
  return {m[1], m[2], m[3]};
}

std::string botocore_signature(const CapturedRequest& r, const std::string& endpoint, const S3Target& t,
                               const std::string& secret) {
  nlohmann::json headers = nlohmann::json::object();
  const auto auth = parse_authorization(r.header("authorization"));
  size_t pos = 0;
  while (pos <= auth.signed_headers.size()) {
    size_t end = auth.signed_headers.find(';', pos);
    if (end == std::string::npos) end = auth.signed_headers.size();
    const std::string name = auth.signed_headers.substr(pos, end - pos);
    if (name != "host") headers[name] = r.header(name);
    pos = end + 1;
  }
  const nlohmann::json input = {{"method", r.method},
                                {"url", endpoint + r.target},
                                {"body", to_hex(bytes_of(r.body))},
                                {"headers", headers},
                                {"key", t.access_key_id},
                                {"secret", secret},
                                {"region", t.region},
                                {"amz_date", r.header("x-amz-date")}};
  const auto dir = std::filesystem::temp_directory_path();
  const auto script = dir / ("ct_sigv4_" + std::to_string(::getpid()) + ".py");
  const auto data = dir / ("ct_sigv4_" + std::to_string(::getpid()) + ".json");
  std::ofstream(script) << kBotocoreSigner;
  std::ofstream(data) << input.dump();
  const std::string command = "/usr/bin/python3 " + script.string() + " " + data.string() + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  std::filesystem::remove(script);
  std::filesystem::remove(data);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST(S3Client, PutsAnObjectWithPathStyleUrlContentHashAndSse) {
  LocalHttpListener listener;
  listener.script({200, "", {"ETag: \"abc\""}});
  auto t = target_for(listener);
  t.prefix = "rec/";
  t.sse = "AES256";
  S3Client client(t);
  const std::string body = "hello, recording";
  const auto result = client.put_object("rec/standup/R 1/bob-TR_x.webm", bytes_of(body));
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.etag, "\"abc\"");
  const auto requests = listener.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/recordings/rec/standup/R%201/bob-TR_x.webm");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.header("x-amz-content-sha256"), S3Client::sha256_hex(bytes_of(body)));
  EXPECT_EQ(r.header("x-amz-server-side-encryption"), "AES256");
  EXPECT_TRUE(std::regex_match(r.header("x-amz-date"), std::regex(R"(\d{8}T\d{6}Z)")));
  const auto auth = parse_authorization(r.header("authorization"));
  EXPECT_EQ(auth.credential,
            "AKIAIOSFODNN7EXAMPLE/" + r.header("x-amz-date").substr(0, 8) + "/eu-central-1/s3/aws4_request");
  EXPECT_NE(auth.signed_headers.find("x-amz-content-sha256"), std::string::npos);
  EXPECT_NE(auth.signed_headers.find("x-amz-server-side-encryption"), std::string::npos);
}

TEST(S3Client, SignaturesAreTheOnesBotocoreComputes) {
  LocalHttpListener listener;
  listener.script({200, "", {"ETag: \"e\""}});
  listener.script({200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", {}});
  listener.script({200, "", {"ETag: \"p1\""}});
  listener.script(
      {200, "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>", {}});
  listener.script({200, "", {"Content-Length: 3000"}});
  listener.script({204, "", {}});
  const auto t = target_for(listener);
  S3Client client(t);
  std::string body(3000, 'x');
  for (size_t i = 0; i < body.size(); ++i) body[i] = char(i * 7);
  ASSERT_TRUE(client.put_object("standup/R1/manifest.json", bytes_of(body)).ok());
  ListObjectsPage page;
  ASSERT_TRUE(client.list_objects("rec/standup/", "a/b+c=", page).ok());
  ASSERT_TRUE(client.upload_part("standup/R1/a.webm", "up/load+id", 2, bytes_of(body)).ok());
  ASSERT_TRUE(client.create_multipart_upload("standup/R1/b c.webm").ok());
  ASSERT_TRUE(client.head_object("standup/R1/a.webm").ok());
  ASSERT_TRUE(client.delete_object("standup/R1/a.webm").ok());
  const auto requests = listener.requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[3].target, "/recordings/standup/R1/b%20c.webm?uploads=");
  EXPECT_EQ(requests[1].target,
            "/recordings?continuation-token=a%2Fb%2Bc%3D&list-type=2&prefix=rec%2Fstandup%2F");
  EXPECT_EQ(requests[2].target, "/recordings/standup/R1/a.webm?partNumber=2&uploadId=up%2Fload%2Bid");
  for (const auto& r : requests) {
    const auto ours = parse_authorization(r.header("authorization")).signature;
    ASSERT_EQ(ours.size(), 64u) << r.header("authorization");
    EXPECT_EQ(botocore_signature(r, listener.endpoint(), t, t.secret_access_key), ours)
        << r.method << " " << r.target;
  }
}

TEST(S3Client, AWrongSecretGivesAnotherSignature) {
  LocalHttpListener listener;
  const auto right = target_for(listener);
  S3Client client(target_for(listener, "not-the-secret"));
  ASSERT_TRUE(client.put_object("k", bytes_of("body")).ok());
  const auto r = listener.requests().at(0);
  const auto ours = parse_authorization(r.header("authorization")).signature;
  EXPECT_NE(botocore_signature(r, listener.endpoint(), right, right.secret_access_key), ours);
  EXPECT_EQ(botocore_signature(r, listener.endpoint(), right, "not-the-secret"), ours);
}

TEST(S3Client, RetriesServerErrorsAndCountsThem) {
  LocalHttpListener listener;
  listener.script({503, "<Error><Code>SlowDown</Code><Message>reduce</Message></Error>", {}});
  listener.script({500, "", {}});
  listener.script({200, "", {"ETag: \"ok\""}});
  S3Counters counters;
  S3Client client(target_for(listener), fast_retries(4));
  client.set_counters(&counters);
  const auto result = client.put_object("k", bytes_of("12345"));
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_EQ(counters.requests.load(), 3u);
  EXPECT_EQ(counters.retries.load(), 2u);
  EXPECT_EQ(counters.bytes_sent.load(), 5u);
  EXPECT_EQ(listener.requests().size(), 3u);
}

TEST(S3Client, GivesUpAfterTheLastAttemptWithTheReason) {
  LocalHttpListener listener;
  for (int i = 0; i < 3; ++i)
    listener.script({503, "<Error><Code>SlowDown</Code><Message>reduce</Message></Error>", {}});
  S3Client client(target_for(listener), fast_retries(3));
  const auto result = client.put_object("k", bytes_of("x"));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.s3_code, "SlowDown");
  EXPECT_EQ(result.error, "HTTP 503 SlowDown: reduce");
  EXPECT_EQ(result.attempts, 3u);
}

TEST(S3Client, DoesNotRetryAccessDenied) {
  LocalHttpListener listener;
  listener.script({403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>", {}});
  S3Client client(target_for(listener), fast_retries(4));
  const auto result = client.put_object("k", bytes_of("x"));
  EXPECT_EQ(result.s3_code, "AccessDenied");
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(listener.requests().size(), 1u);
}

TEST(S3Client, RetriesWhenNothingListens) {
  uint16_t port;
  {
    LocalHttpListener gone;
    port = uint16_t(std::stoi(gone.endpoint().substr(gone.endpoint().rfind(':') + 1)));
  }
  S3Target t;
  t.endpoint = "http://127.0.0.1:" + std::to_string(port);
  t.bucket = "b";
  S3Counters counters;
  S3Client client(t, fast_retries(3));
  client.set_counters(&counters);
  const auto result = client.head_object("k");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_EQ(counters.retries.load(), 2u);
}

TEST(S3Client, StopsRetryingWhenCancelled) {
  LocalHttpListener listener;
  for (int i = 0; i < 3; ++i) listener.script({500, "", {}});
  std::atomic<bool> cancel{true};
  S3Client client(target_for(listener), fast_retries(3));
  client.set_cancel(&cancel);
  const auto result = client.put_object("k", bytes_of("x"));
  EXPECT_EQ(result.error, "cancelled");
  EXPECT_TRUE(listener.requests().empty());
}

TEST(S3Client, HeadReadsTheSizeAndMultipartRequestsCarryTheirQueries) {
  LocalHttpListener listener;
  listener.script({200, "", {"Content-Length: 12345", "ETag: \"x\""}});
  listener.script(
      {200, "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>", {}});
  listener.script({200, "<Error><Code>InternalError</Code><Message>again</Message></Error>", {}});
  listener.script(
      {200, "<CompleteMultipartUploadResult><ETag>\"m-2\"</ETag></CompleteMultipartUploadResult>", {}});
  listener.script({204, "", {}});
  auto t = target_for(listener);
  t.sse = "aws:kms";
  S3Client client(t, fast_retries(3));
  const auto head = client.head_object("a/b");
  ASSERT_TRUE(head.ok()) << head.error;
  EXPECT_EQ(head.content_length, 12345u);
  const auto created = client.create_multipart_upload("a/b");
  ASSERT_TRUE(created.ok()) << created.error;
  EXPECT_EQ(created.upload_id, "U1");
  const auto completed = client.complete_multipart_upload("a/b", "U1", {"\"p1\"", "\"p2\""});
  ASSERT_TRUE(completed.ok()) << completed.error;
  EXPECT_EQ(completed.etag, "\"m-2\"");
  EXPECT_TRUE(client.delete_object("a/b").ok());

  const auto r = listener.requests();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].method, "HEAD");
  EXPECT_EQ(r[1].method, "POST");
  EXPECT_EQ(r[1].target, "/recordings/a/b?uploads=");
  EXPECT_EQ(r[1].header("x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(r[2].target, "/recordings/a/b?uploadId=U1") << "an error inside a 200 answer is retried";
  EXPECT_EQ(r[3].body,
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(r[4].method, "DELETE");
}

TEST(S3Client, AmazonS3ItselfIsAddressedVirtualHosted) {
  S3Target t;
  t.bucket = "my-bucket";
  t.region = "eu-west-1";
  S3Client client(t);
  EXPECT_EQ(client.url("rec/a b.webm"), "https://my-bucket.s3.eu-west-1.amazonaws.com/rec/a%20b.webm");
  EXPECT_EQ(S3Client::uri_encode("a/b c~d_e.f-g+h", true), "a/b%20c~d_e.f-g%2Bh");
  EXPECT_EQ(S3Client::uri_encode("a/b", false), "a%2Fb");
}

}  // namespace
}  // namespace ct::objectstore

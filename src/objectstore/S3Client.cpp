#include "objectstore/S3Client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cctype>
#include <mutex>
#include <thread>

#include "core/Encoding.hpp"

namespace ct::objectstore {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (name == "etag") {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      static_cast<S3Result*>(user)->etag = std::string(value);
    }
  }
  return size * count;
}

int abort_when_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel && cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

struct S3Client::Easy {
  CURL* handle = nullptr;
  ~Easy() {
    if (handle) curl_easy_cleanup(handle);
  }
};

S3Client::S3Client(S3Target target, RetryPolicy retry)
    : target_(std::move(target)), retry_(retry), easy_(std::make_unique<Easy>()) {
  global_init();
  easy_->handle = curl_easy_init();
}

S3Client::~S3Client() = default;

std::string S3Client::uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string S3Client::sha256_hex(std::span<const uint8_t> bytes) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return to_hex(std::span<const uint8_t>(digest, length));
}

std::string S3Client::url(std::string_view key, std::string_view query) const {
  std::string u;
  if (target_.endpoint.empty()) {
    u = "https://" + target_.bucket + ".s3." + target_.region + ".amazonaws.com/";
  } else {
    u = target_.endpoint;
    while (!u.empty() && u.back() == '/') u.pop_back();
    u += "/" + uri_encode(target_.bucket, false);
    if (!key.empty()) u += "/";
  }
  u += uri_encode(key, true);
  if (!query.empty()) u += "?" + std::string(query);
  return u;
}

bool S3Client::wait(std::chrono::milliseconds delay) const {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (cancelled()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
  return !cancelled();
}

S3Result S3Client::perform(const Request& request) {
  S3Result result;
  for (unsigned attempt = 1;; ++attempt) {
    if (cancelled()) {
      result.error = "cancelled";
      return result;
    }
    result = S3Result{};
    result.attempts = attempt;
    if (counters_) counters_->requests.fetch_add(1, std::memory_order_relaxed);
    perform_once(request, result);
    if (result.ok()) {
      if (counters_) counters_->bytes_sent.fetch_add(request.body.size(), std::memory_order_relaxed);
      return result;
    }
    if (!RetryPolicy::retryable(result.status, result.s3_code) || !retry_.may_retry(attempt)) return result;
    if (counters_) counters_->retries.fetch_add(1, std::memory_order_relaxed);
    if (!wait(retry_.delay(attempt))) return result;
  }
}

void S3Client::perform_once(const Request& request, S3Result& result) {
  CURL* curl = easy_->handle;
  if (!curl) {
    result.error = "libcurl could not be initialised";
    return;
  }
  curl_easy_reset(curl);
  const std::string address = url(request.key, request.query);
  const std::string provider = "aws:amz:" + target_.region + ":s3";
  const std::string credentials = target_.access_key_id + ":" + target_.secret_access_key;
  curl_easy_setopt(curl, CURLOPT_URL, address.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, provider.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  // A stalled transfer (under 1 KiB/s for 30 s) fails and is retried.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel_);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result);

  const bool sends_body = request.method == "PUT" || request.method == "POST";
  const std::string method(request.method);  // libcurl keeps the pointer until the transfer ends
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (sends_body) {
    // The body as "post fields" under our method: libcurl then knows it
    // whole, sends its length, and signs its hash.
    static const char kEmpty[] = "";
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     request.body.empty() ? kEmpty : reinterpret_cast<const char*>(request.body.data()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
  }

  curl_slist* headers = nullptr;
  // S3 refuses a SigV4 request without it (AWS S3 API: "Common Request Headers").
  const std::string content_sha = "x-amz-content-sha256: " + sha256_hex(request.body);
  headers = curl_slist_append(headers, content_sha.c_str());
  if (sends_body) headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  // No "Expect:" to suppress 100-continue: libcurl 7.88 would sign that
  // empty header without sending it, and the store would refuse the signature.
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    result.status = 0;
    result.error = code == CURLE_ABORTED_BY_CALLBACK ? "cancelled" : curl_easy_strerror(code);
    return;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  if (request.method == "HEAD") {
    curl_off_t length = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length >= 0) result.content_length = uint64_t(length);
  }
  if (result.status >= 200 && result.status < 300) return;
  if (auto error = parse_s3_error(result.body)) {
    result.s3_code = error->code;
    result.error = "HTTP " + std::to_string(result.status) + " " + error->code +
                   (error->message.empty() ? "" : ": " + error->message);
  } else {
    result.error = "HTTP " + std::to_string(result.status);
  }
}

S3Result S3Client::put_object(const std::string& key, std::span<const uint8_t> body) {
  Request r{"PUT", key, "", body, {}};
  if (!target_.sse.empty()) r.headers.push_back("x-amz-server-side-encryption: " + target_.sse);
  return perform(r);
}

S3Result S3Client::head_object(const std::string& key) { return perform({"HEAD", key, "", {}, {}}); }

S3Result S3Client::delete_object(const std::string& key) { return perform({"DELETE", key, "", {}, {}}); }

S3Result S3Client::create_multipart_upload(const std::string& key) {
  // "uploads=": SigV4's canonical query writes a valueless parameter with "=".
  Request r{"POST", key, "uploads=", {}, {}};
  if (!target_.sse.empty()) r.headers.push_back("x-amz-server-side-encryption: " + target_.sse);
  S3Result result = perform(r);
  if (!result.ok()) return result;
  if (auto id = parse_upload_id(result.body)) {
    result.upload_id = std::move(*id);
  } else {
    result.error = "CreateMultipartUpload: no UploadId in the answer";
  }
  return result;
}

S3Result S3Client::upload_part(const std::string& key, const std::string& upload_id, unsigned part_number,
                               std::span<const uint8_t> body) {
  S3Result result =
      perform({"PUT",
               key,
               "partNumber=" + std::to_string(part_number) + "&uploadId=" + uri_encode(upload_id, false),
               body,
               {}});
  if (result.ok() && result.etag.empty()) result.error = "UploadPart: no ETag in the answer";
  return result;
}

S3Result S3Client::complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                             const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    std::string etag;
    for (char c : etags[i]) etag += c == '"' ? std::string("&quot;") : std::string(1, c);
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etag + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  const std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(xml.data()), xml.size());
  const std::string query = "uploadId=" + uri_encode(upload_id, false);
  for (unsigned attempt = 1;; ++attempt) {
    S3Result result = perform({"POST", key, query, body, {}});
    if (!result.ok()) return result;
    // S3 may answer 200 and still fail the completion in the body.
    if (auto etag = parse_complete_multipart(result.body)) {
      result.etag = *etag;
      return result;
    }
    const auto error = parse_s3_error(result.body);
    result.s3_code = error ? error->code : "";
    result.error = error ? "CompleteMultipartUpload: " + error->code + ": " + error->message
                         : "CompleteMultipartUpload: an answer without a result";
    if (!error || !RetryPolicy::retryable(500, error->code) || !retry_.may_retry(attempt)) return result;
    if (counters_) counters_->retries.fetch_add(1, std::memory_order_relaxed);
    if (!wait(retry_.delay(attempt))) return result;
  }
}

S3Result S3Client::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  return perform({"DELETE", key, "uploadId=" + uri_encode(upload_id, false), {}, {}});
}

S3Result S3Client::list_objects(const std::string& prefix, const std::string& continuation_token,
                                ListObjectsPage& page) {
  // Parameters sorted by name, values encoded: the canonical query of SigV4.
  std::string query;
  if (!continuation_token.empty())
    query += "continuation-token=" + uri_encode(continuation_token, false) + "&";
  query += "list-type=2";
  if (!prefix.empty()) query += "&prefix=" + uri_encode(prefix, false);
  S3Result result = perform({"GET", "", query, {}, {}});
  if (!result.ok()) return result;
  if (auto parsed = parse_list_objects(result.body)) {
    page = std::move(*parsed);
  } else {
    result.error = "ListObjectsV2: an answer that is not a listing";
  }
  return result;
}

}  // namespace ct::objectstore

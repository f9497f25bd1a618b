#include "objectstore/S3Responses.hpp"

#include <charconv>

#include "objectstore/XmlElement.hpp"

namespace ct::objectstore {
namespace {

bool read_number(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

}  // namespace

std::optional<S3Error> parse_s3_error(std::string_view body) {
  const auto root = XmlElement::parse(body);
  if (!root || root->name() != "Error") return std::nullopt;
  S3Error error{root->child_text("Code"), root->child_text("Message"), root->child_text("RequestId")};
  if (error.code.empty()) return std::nullopt;
  return error;
}

std::optional<std::string> parse_upload_id(std::string_view body) {
  const auto root = XmlElement::parse(body);
  if (!root || root->name() != "InitiateMultipartUploadResult") return std::nullopt;
  std::string id = root->child_text("UploadId");
  if (id.empty()) return std::nullopt;
  return id;
}

std::optional<std::string> parse_complete_multipart(std::string_view body) {
  const auto root = XmlElement::parse(body);
  if (!root || root->name() != "CompleteMultipartUploadResult") return std::nullopt;
  std::string etag = root->child_text("ETag");
  if (etag.empty()) return std::nullopt;
  return etag;
}

std::optional<ListObjectsPage> parse_list_objects(std::string_view body) {
  const auto root = XmlElement::parse(body);
  if (!root || root->name() != "ListBucketResult") return std::nullopt;
  ListObjectsPage page;
  const std::string truncated = root->child_text("IsTruncated");
  if (truncated != "true" && truncated != "false" && !truncated.empty()) return std::nullopt;
  page.truncated = truncated == "true";
  page.next_continuation_token = root->child_text("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) return std::nullopt;
  for (const auto& c : root->children()) {
    if (c.name() != "Contents") continue;
    S3Object object;
    object.key = c.child_text("Key");
    if (object.key.empty() || !read_number(c.child_text("Size"), object.size)) return std::nullopt;
    const auto modified = parse_s3_time(c.child_text("LastModified"));
    if (!modified) return std::nullopt;
    object.last_modified = *modified;
    object.etag = c.child_text("ETag");
    page.objects.push_back(std::move(object));
  }
  return page;
}

std::optional<std::chrono::system_clock::time_point> parse_s3_time(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff…]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      t.back() != 'Z')
    return std::nullopt;
  uint64_t year, month, day, hour, minute, second;
  if (!read_number(t.substr(0, 4), year) || !read_number(t.substr(5, 2), month) ||
      !read_number(t.substr(8, 2), day) || !read_number(t.substr(11, 2), hour) ||
      !read_number(t.substr(14, 2), minute) || !read_number(t.substr(17, 2), second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::chrono::milliseconds fraction{0};
  const std::string_view rest = t.substr(19, t.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    uint64_t digits;
    if (!read_number(rest.substr(1), digits)) return std::nullopt;
    uint64_t ms = 0, scale = 100;
    for (size_t i = 1; i < rest.size() && i <= 3; ++i, scale /= 10) ms += uint64_t(rest[i] - '0') * scale;
    fraction = std::chrono::milliseconds(ms);
  }
  const int64_t days = days_from_civil(int64_t(year), unsigned(month), unsigned(day));
  const auto seconds = std::chrono::seconds(days * 86400 + int64_t(hour * 3600 + minute * 60 + second));
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(seconds + fraction));
}

}  // namespace ct::objectstore

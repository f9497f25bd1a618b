#include "app/RecordingStorage.hpp"

#include "objectstore/S3Target.hpp"

namespace ct::app {
namespace {

std::string first_set(const Environment& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = env(name);
    if (value && *value) return value;
  }
  return {};
}

}  // namespace

std::variant<record::RecordingUploaderConfig, std::string> recording_uploader_config(const Config& c,
                                                                                     const Environment& env) {
  record::RecordingUploaderConfig out;
  out.recordings_dir = c.recordings_dir;
  out.keep_local = c.storage_keep_local;
  out.upload.multipart_threshold = c.storage_multipart_threshold;
  out.upload.part_size = c.storage_part_size;
  out.retry_max_delay = std::chrono::duration_cast<std::chrono::milliseconds>(c.storage_retry_max_delay);
  out.retention = c.recording_retention;
  for (size_t i = 0; i < c.storage_targets.size(); ++i) {
    const auto& t = c.storage_targets[i];
    objectstore::S3Target target;
    target.endpoint = t.endpoint;
    target.bucket = t.bucket;
    target.region = t.region.empty() ? "us-east-1" : t.region;
    target.prefix = t.prefix;
    target.sse = t.sse == "none" ? "" : t.sse;
    if (i > 0) {
      target.access_key_id = first_set(env, {"CT_S3_SECONDARY_ACCESS_KEY_ID"});
      target.secret_access_key = first_set(env, {"CT_S3_SECONDARY_SECRET_ACCESS_KEY"});
    }
    if (target.access_key_id.empty() || target.secret_access_key.empty()) {
      target.access_key_id = first_set(env, {"CT_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"});
      target.secret_access_key = first_set(env, {"CT_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"});
    }
    if (target.access_key_id.empty() || target.secret_access_key.empty()) {
      return "object storage " + target.name() +
             " needs keys: set CT_S3_ACCESS_KEY_ID and CT_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and "
             "AWS_SECRET_ACCESS_KEY) in the environment";
    }
    out.targets.push_back(std::move(target));
  }
  return out;
}

}  // namespace ct::app

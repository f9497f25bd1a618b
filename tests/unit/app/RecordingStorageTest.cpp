// Object storage and retention settings: the config file's keys, the flags
// over them, what validate() refuses, and where the keys come from.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "app/Config.hpp"
#include "app/MetricsEndpoint.hpp"
#include "app/RecordingStorage.hpp"

namespace ct::app {
namespace {

Config dev_config() {
  Config c;
  c.apply_dev_defaults();
  return c;
}

Environment env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    auto it = values.find(name);
    return it == values.end() ? nullptr : it->second.c_str();
  };
}

TEST(RecordingStorageConfig, IsOffByDefault) {
  const Config c = dev_config();
  EXPECT_TRUE(c.storage_targets.empty());
  EXPECT_EQ(c.recording_retention.count(), 0);
  EXPECT_FALSE(c.storage_keep_local);
  EXPECT_EQ(c.storage_multipart_threshold, 16u << 20);
  EXPECT_FALSE(c.validate());
}

TEST(RecordingStorageConfig, ReadsTheYamlKeys) {
  Config c = dev_config();
  ASSERT_FALSE(c.load_yaml_text(R"(
recording:
  dir: /srv/rec
  retention: 30d
  storage:
    keep_local: true
    multipart_threshold: 64M
    part_size: 16M
    retry_max_delay: 10m
    targets:
      - endpoint: https://minio.example.net
        bucket: calls
        prefix: ct/
        sse: AES256
      - bucket: calls-backup
        region: eu-west-1
        sse: aws:kms
)"));
  EXPECT_EQ(c.recording_retention.count(), 30 * 86400);
  EXPECT_TRUE(c.storage_keep_local);
  EXPECT_EQ(c.storage_multipart_threshold, 64u << 20);
  EXPECT_EQ(c.storage_part_size, 16u << 20);
  EXPECT_EQ(c.storage_retry_max_delay.count(), 600);
  ASSERT_EQ(c.storage_targets.size(), 2u);
  EXPECT_EQ(c.storage_targets[0].endpoint, "https://minio.example.net");
  EXPECT_EQ(c.storage_targets[0].region, "us-east-1");
  EXPECT_EQ(c.storage_targets[0].prefix, "ct/");
  EXPECT_EQ(c.storage_targets[1].endpoint, "");
  EXPECT_EQ(c.storage_targets[1].region, "eu-west-1");
  EXPECT_EQ(c.storage_targets[1].sse, "aws:kms");
  EXPECT_FALSE(c.validate());
}

TEST(RecordingStorageConfig, FlagsOverrideAndAddTargets) {
  Config c = dev_config();
  ASSERT_FALSE(
      c.load_yaml_text("recording:\n  storage:\n    targets:\n      - bucket: a\n        prefix: p/\n"));
  Config::StorageFlags f;
  f.targets[0].endpoint = "http://127.0.0.1:4569";
  f.targets[1].endpoint = "http://127.0.0.1:4570";
  f.targets[1].bucket = "b";
  f.keep_local = true;
  f.multipart_threshold = "512K";
  f.retention = "12h";
  ASSERT_FALSE(c.apply_storage_flags(f));
  ASSERT_EQ(c.storage_targets.size(), 2u);
  EXPECT_EQ(c.storage_targets[0].bucket, "a");
  EXPECT_EQ(c.storage_targets[0].prefix, "p/");
  EXPECT_EQ(c.storage_targets[0].endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(c.storage_targets[1].bucket, "b");
  EXPECT_EQ(c.storage_multipart_threshold, 512u << 10);
  EXPECT_EQ(c.recording_retention.count(), 12 * 3600);
  EXPECT_TRUE(c.storage_keep_local);
  EXPECT_FALSE(c.validate());
}

TEST(RecordingStorageConfig, RefusesWhatCannotWork) {
  {
    Config c = dev_config();
    Config::StorageFlags f;
    f.targets[1].bucket = "b";
    EXPECT_TRUE(c.apply_storage_flags(f)) << "a second target without a first";
  }
  for (const char* bad : {"x", "16X", "M"}) {
    Config c = dev_config();
    Config::StorageFlags f;
    f.part_size = bad;
    EXPECT_TRUE(c.apply_storage_flags(f)) << bad;
  }
  Config c = dev_config();
  c.storage_targets.push_back({});
  EXPECT_TRUE(c.validate()) << "no bucket";
  c.storage_targets[0].bucket = "b";
  EXPECT_FALSE(c.validate());
  c.storage_targets[0].sse = "rot13";
  EXPECT_TRUE(c.validate());
  c.storage_targets[0].sse = "AES256";
  c.storage_targets[0].endpoint = "ftp://x";
  EXPECT_TRUE(c.validate());
  c.storage_targets[0].endpoint = "";
  c.storage_part_size = 1 << 20;
  EXPECT_TRUE(c.validate()) << "parts under S3's 5 MiB";
  c.storage_part_size = 5 << 20;
  c.recordings_dir.clear();
  EXPECT_TRUE(c.validate()) << "storage without a recordings dir";
  Config r = dev_config();
  EXPECT_TRUE(r.load_yaml_text("recording:\n  retention: forever\n"));
}

TEST(RecordingStorageConfig, KeysComeFromTheEnvironment) {
  Config c = dev_config();
  c.storage_targets.push_back({"http://a", "one", "us-east-1", "p/", "none"});
  c.storage_targets.push_back({"http://b", "two", "", "", "AES256"});
  c.recording_retention = std::chrono::seconds(60);
  auto missing = recording_uploader_config(c, env_of({}));
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_NE(std::get<std::string>(missing).find("CT_S3_ACCESS_KEY_ID"), std::string::npos);

  auto aws =
      recording_uploader_config(c, env_of({{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "AS"}}));
  ASSERT_TRUE(std::holds_alternative<record::RecordingUploaderConfig>(aws));
  const auto& a = std::get<record::RecordingUploaderConfig>(aws);
  ASSERT_EQ(a.targets.size(), 2u);
  EXPECT_EQ(a.targets[0].access_key_id, "A");
  EXPECT_EQ(a.targets[1].secret_access_key, "AS");
  EXPECT_EQ(a.targets[0].sse, "") << "none is no header";
  EXPECT_EQ(a.targets[1].region, "us-east-1");
  EXPECT_EQ(a.retention.count(), 60);

  auto own = recording_uploader_config(c, env_of({{"AWS_ACCESS_KEY_ID", "A"},
                                                  {"AWS_SECRET_ACCESS_KEY", "AS"},
                                                  {"CT_S3_ACCESS_KEY_ID", "C"},
                                                  {"CT_S3_SECRET_ACCESS_KEY", "CS"},
                                                  {"CT_S3_SECONDARY_ACCESS_KEY_ID", "D"},
                                                  {"CT_S3_SECONDARY_SECRET_ACCESS_KEY", "DS"}}));
  const auto& o = std::get<record::RecordingUploaderConfig>(own);
  EXPECT_EQ(o.targets[0].access_key_id, "C");
  EXPECT_EQ(o.targets[0].secret_access_key, "CS");
  EXPECT_EQ(o.targets[1].access_key_id, "D");
  EXPECT_EQ(o.targets[1].secret_access_key, "DS");
}

TEST(RecordingStorageMetrics, AreOneFamilyEachWithoutRoomLabels) {
  MetricsEndpoint::Snapshot s;
  record::RecordingUploader::Stats u;
  u.files_uploaded = 7;
  u.file_upload_failures = 2;
  u.bytes_uploaded = 123456;
  u.retries = 5;
  u.recordings_stored = 3;
  u.recordings_pending = 1;
  u.retention_deleted_local = 4;
  u.retention_deleted_remote = 12;
  s.uploads = u;
  const std::string text = MetricsEndpoint::render(s);
  for (const char* line :
       {"ciphertalk_recording_uploads_total{result=\"ok\"} 7",
        "ciphertalk_recording_uploads_total{result=\"failed\"} 2",
        "ciphertalk_recording_upload_bytes_total 123456", "ciphertalk_recording_upload_retries_total 5",
        "ciphertalk_recordings_stored_total 3", "ciphertalk_recordings_pending_upload 1",
        "ciphertalk_recording_retention_deleted_total{where=\"local\"} 4",
        "ciphertalk_recording_retention_deleted_total{where=\"object_storage\"} 12",
        "# TYPE ciphertalk_recordings_pending_upload gauge"}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos) << line;
  }
  EXPECT_EQ(MetricsEndpoint::render({}).find("ciphertalk_recording"), std::string::npos);
}

}  // namespace
}  // namespace ct::app

#include <gtest/gtest.h>

#include "app/Config.hpp"

using ct::app::Config;

TEST(Config, DevDefaultsNeedNoFile) {
  Config c;
  c.apply_dev_defaults();
  EXPECT_FALSE(c.validate());
  EXPECT_EQ(c.http_port, 7880);
  EXPECT_EQ(c.rtc_port, 7882);
  EXPECT_EQ(c.candidate_ip(), "127.0.0.1");
}

TEST(Config, WildcardBindNeedsAnnouncedAddress) {
  Config c;
  auto err = c.validate();
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("announced_ip"), std::string::npos);
  c.announced_ip = "203.0.113.7";
  auto no_keys = c.validate();
  ASSERT_TRUE(no_keys);
  EXPECT_NE(no_keys->find("keys"), std::string::npos);
  c.keys["prodkey"] = "a-long-production-secret-of-32-bytes!";
  EXPECT_FALSE(c.validate());
  EXPECT_EQ(c.candidate_ip(), "203.0.113.7");
}

TEST(Config, YamlOverridesDefaults) {
  Config c;
  c.apply_dev_defaults();
  ASSERT_FALSE(c.load_yaml_text(R"(
log_level: debug
http:
  port: 9000
rtc:
  port: 40000
  workers: 2
  srtp_profiles: aes-cm
  consent_timeout: 1m
keys:
  k1: s1
room:
  max_participants: 4
  empty_timeout: 5s
signal:
  reconnect_window: 30s
testing:
  drop_forwarded_fraction: 0.05
  drop_received_fraction: 0.04
sfu:
  subscriber_bwe: false
)"));
  EXPECT_EQ(c.keys.at("k1"), "s1");
  EXPECT_EQ(c.keys.at("devkey"), "devsecret");
  EXPECT_EQ(c.max_participants, 4u);
  EXPECT_EQ(c.empty_room_timeout.count(), 5);
  EXPECT_EQ(c.reconnect_window.count(), 30);
  EXPECT_DOUBLE_EQ(c.drop_forwarded_fraction, 0.05);
  EXPECT_DOUBLE_EQ(c.drop_received_fraction, 0.04);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.http_port, 9000);
  EXPECT_EQ(c.rtc_port, 40000);
  EXPECT_EQ(c.workers, 2u);
  EXPECT_EQ(c.srtp_profiles, "aes-cm");
  EXPECT_EQ(c.consent_timeout.count(), 60);
  EXPECT_FALSE(c.subscriber_bwe);
  EXPECT_TRUE(Config().subscriber_bwe);  // on by default
  EXPECT_FALSE(c.validate());
}

TEST(Config, BadYamlGivesAClearError) {
  Config c;
  EXPECT_TRUE(c.load_yaml_text("http: [unclosed"));
  auto unknown = c.load_yaml_text("htp:\n  port: 1\n");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("htp"), std::string::npos);
  EXPECT_TRUE(c.load_yaml_text("http:\n  port: notanumber\n"));
  EXPECT_TRUE(c.load_yaml_text("rtc:\n  consent_timeout: soon\n"));
}

TEST(Config, LogFormatIsTextOrJson) {
  Config c;
  EXPECT_EQ(c.log_format, "text");
  ASSERT_FALSE(c.load_yaml_text("log:\n  format: json\n"));
  EXPECT_EQ(c.log_format, "json");
  auto error = c.load_yaml_text("log:\n  format: xml\n");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("log.format"), std::string::npos);
}

TEST(Config, RejectsImpossibleValues) {
  Config c;
  c.apply_dev_defaults();
  c.workers = 0;
  EXPECT_TRUE(c.validate());
  c.workers = 1;
  c.srtp_profiles = "rot13";
  EXPECT_TRUE(c.validate());
  c.srtp_profiles = "all";
  c.rtc_bind = "not-an-ip";
  EXPECT_TRUE(c.validate());
  c.rtc_bind = "127.0.0.1";
  c.drop_forwarded_fraction = 1.5;
  EXPECT_TRUE(c.validate());
  c.drop_forwarded_fraction = 0;
  c.drop_received_fraction = 1.0;
  EXPECT_TRUE(c.validate());
  c.drop_received_fraction = -0.1;
  EXPECT_TRUE(c.validate());
  c.drop_received_fraction = 0;
  c.keys.clear();
  EXPECT_TRUE(c.validate());
}

TEST(Config, RoomEncryptionIsOffOrRequired) {
  Config c;
  c.apply_dev_defaults();
  EXPECT_EQ(c.room_e2ee, "off");
  ASSERT_FALSE(c.load_yaml_text("room:\n  e2ee: required\n"));
  EXPECT_EQ(c.room_e2ee, "required");
  EXPECT_FALSE(c.validate());
  ASSERT_FALSE(c.load_yaml_text("room:\n  e2ee: \"off\"\n"));
  EXPECT_EQ(c.room_e2ee, "off");
  ASSERT_FALSE(c.load_yaml_text("room:\n  e2ee: maybe\n"));
  auto err = c.validate();
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("room.e2ee"), std::string::npos);
}

TEST(Config, PayloadDumpsAreRefusedWithoutDev) {
  Config dev;
  dev.apply_dev_defaults();
  ASSERT_FALSE(dev.load_yaml_text("debug:\n  dump_payloads_dir: /tmp/ct-dump\n"));
  EXPECT_EQ(dev.debug_dump_payloads_dir, "/tmp/ct-dump");
  EXPECT_FALSE(dev.validate());

  Config production;
  production.announced_ip = "203.0.113.7";
  production.keys["prodkey"] = "a-long-production-secret-of-32-bytes!";
  production.debug_dump_payloads_dir = "/tmp/ct-dump";
  auto err = production.validate();
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("--dev"), std::string::npos);
}

TEST(Config, RecordingIsOffUnlessADirectoryIsGiven) {
  Config production;
  EXPECT_TRUE(production.recordings_dir.empty());
  ASSERT_FALSE(production.load_yaml_text("recording:\n  dir: /var/lib/ciphertalk/recordings\n"));
  EXPECT_EQ(production.recordings_dir, "/var/lib/ciphertalk/recordings");

  Config dev;
  dev.apply_dev_defaults();
  EXPECT_EQ(dev.recordings_dir, "./recordings");
}

TEST(Config, WebhooksNeedHttpUrlsAndAKnownSigningKey) {
  Config c;
  c.apply_dev_defaults();
  EXPECT_TRUE(c.webhook_urls.empty());
  ASSERT_FALSE(c.load_yaml_text(
      "keys:\n  appkey: an-application-secret-of-32-bytes!!\n"
      "webhook:\n  urls: [\"https://app.example/hooks\", \"http://10.0.0.5:8080/ct\"]\n  api_key: appkey\n"));
  EXPECT_EQ(c.webhook_urls,
            (std::vector<std::string>{"https://app.example/hooks", "http://10.0.0.5:8080/ct"}));
  EXPECT_EQ(c.webhook_signing_key(), "appkey");
  EXPECT_FALSE(c.validate());

  c.webhook_api_key.clear();
  EXPECT_EQ(c.webhook_signing_key(), "appkey") << "the first key in sorted order";
  c.webhook_api_key = "nokey";
  auto unknown = c.validate();
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("webhook.api_key"), std::string::npos);

  c.webhook_api_key.clear();
  c.webhook_urls = {"ftp://app.example/"};
  auto scheme = c.validate();
  ASSERT_TRUE(scheme);
  EXPECT_NE(scheme->find("webhook.urls"), std::string::npos);

  Config bad;
  auto err = bad.load_yaml_text("webhook:\n  urls: https://one.example/\n");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("webhook.urls"), std::string::npos);
}

TEST(Config, RoomServiceApiLimitsFromYaml) {
  Config c;
  c.apply_dev_defaults();
  EXPECT_EQ(c.api_requests_per_second, 20);
  EXPECT_EQ(c.api_request_burst, 40);
  ASSERT_FALSE(c.load_yaml_text("api:\n  requests_per_second: 2.5\n  request_burst: 5\n"));
  EXPECT_EQ(c.api_requests_per_second, 2.5);
  EXPECT_EQ(c.api_request_burst, 5);
  EXPECT_FALSE(c.validate());
  c.api_requests_per_second = 0;
  EXPECT_TRUE(c.validate());
  c.api_requests_per_second = 1;
  c.api_request_burst = 0.5;
  EXPECT_TRUE(c.validate());
}

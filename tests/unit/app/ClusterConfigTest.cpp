#include <gtest/gtest.h>

#include "app/Config.hpp"

using ct::app::Config;
using std::chrono::seconds;

TEST(ClusterConfig, AbsentRedisIsOneNode) {
  Config c;
  c.apply_dev_defaults();
  EXPECT_FALSE(c.validate());
  EXPECT_TRUE(c.cluster_redis.empty());
  // A development node without a cluster stops at once; anything else drains for 5 minutes.
  EXPECT_EQ(c.effective_drain_timeout(), seconds(0));
  c.cluster_redis = "redis://127.0.0.1:6379";
  EXPECT_EQ(c.effective_drain_timeout(), seconds(300));
  Config prod;
  EXPECT_EQ(prod.effective_drain_timeout(), seconds(300));
}

TEST(ClusterConfig, YamlKeys) {
  Config c;
  c.apply_dev_defaults();
  ASSERT_FALSE(c.load_yaml_text(R"(
cluster:
  redis: redis://:pw@10.0.0.2:6380/1
  node_id: a
  node_url: http://10.0.0.11:7880
  region: eu
  capacity: 250
drain_timeout: 90s
)"));
  EXPECT_FALSE(c.validate());
  EXPECT_EQ(c.cluster_redis, "redis://:pw@10.0.0.2:6380/1");
  EXPECT_EQ(c.node_id(), "a");
  EXPECT_EQ(c.node_url(), "http://10.0.0.11:7880");
  EXPECT_EQ(c.cluster_region, "eu");
  EXPECT_EQ(c.cluster_capacity, 250u);
  EXPECT_EQ(c.effective_drain_timeout(), seconds(90));
}

TEST(ClusterConfig, DefaultsNameTheNodeByHostAndPort) {
  Config c;
  c.apply_dev_defaults();
  c.http_port = 12000;
  EXPECT_EQ(c.node_url(), "http://127.0.0.1:12000");
  EXPECT_TRUE(c.node_id().ends_with("-12000")) << c.node_id();
}

TEST(ClusterConfig, RefusesWhatCannotWork) {
  Config c;
  c.apply_dev_defaults();
  c.cluster_redis = "127.0.0.1:6379";  // no scheme
  auto err = c.validate();
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("--redis"), std::string::npos) << *err;
  c.cluster_redis = "redis://127.0.0.1:6379";
  c.cluster_node_url = "10.0.0.11:7880";
  ASSERT_TRUE(c.validate());
  c.cluster_node_url.clear();
  c.cluster_capacity = 0;
  ASSERT_TRUE(c.validate());
  c.cluster_capacity = 1;
  EXPECT_FALSE(c.validate());
  EXPECT_TRUE(c.load_yaml_text("cluster: redis://h:1\n"));  // not a mapping
  EXPECT_TRUE(c.load_yaml_text("drain_timeout: soon\n"));
  EXPECT_TRUE(c.set_drain_timeout("-5"));
  EXPECT_FALSE(c.set_drain_timeout("0"));
  EXPECT_EQ(c.effective_drain_timeout(), seconds(0));
}

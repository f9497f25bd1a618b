// Each local track goes to each remote node once, whatever that node's subscriber count.
#include <gtest/gtest.h>

#include "cascade/CascadeFanout.hpp"

namespace ct::cascade {
namespace {

using Nodes = std::vector<std::string>;

TEST(CascadeFanoutTest, ATrackGoesOncePerNodeWhateverItsSubscribers) {
  CascadeFanout fanout;
  EXPECT_TRUE(fanout.add_subscriber("TR_video", "node-b"));
  EXPECT_FALSE(fanout.add_subscriber("TR_video", "node-b"));  // a second subscriber on B: no second stream
  EXPECT_TRUE(fanout.add_subscriber("TR_video", "node-c"));
  EXPECT_TRUE(fanout.add_subscriber("TR_audio", "node-b"));
  EXPECT_EQ(fanout.nodes_of("TR_video"), (Nodes{"node-b", "node-c"}));
  EXPECT_EQ(fanout.nodes_of("TR_audio"), (Nodes{"node-b"}));
  EXPECT_EQ(fanout.streams_to("node-b"), 2u);
  EXPECT_EQ(fanout.streams_to("node-c"), 1u);
  EXPECT_EQ(fanout.streams(), 3u);
  EXPECT_TRUE(fanout.nodes_of("TR_other").empty());
}

TEST(CascadeFanoutTest, StopsWhenTheNodesLastSubscriberLeaves) {
  CascadeFanout fanout;
  fanout.add_subscriber("TR_video", "node-b");
  fanout.add_subscriber("TR_video", "node-b");
  EXPECT_FALSE(fanout.remove_subscriber("TR_video", "node-b"));
  EXPECT_EQ(fanout.nodes_of("TR_video"), (Nodes{"node-b"}));
  EXPECT_TRUE(fanout.remove_subscriber("TR_video", "node-b"));
  EXPECT_TRUE(fanout.nodes_of("TR_video").empty());
  EXPECT_EQ(fanout.streams(), 0u);
  // Nothing to stop for what was never sent.
  EXPECT_FALSE(fanout.remove_subscriber("TR_video", "node-b"));
  EXPECT_FALSE(fanout.remove_subscriber("TR_none", "node-c"));
}

TEST(CascadeFanoutTest, ANodesCountSetsItsStreamOnOrOff) {
  CascadeFanout fanout;
  EXPECT_TRUE(fanout.set_subscribers("TR_a", "node-b", 2));
  EXPECT_FALSE(fanout.set_subscribers("TR_a", "node-b", 2));  // said again: no change
  EXPECT_FALSE(fanout.set_subscribers("TR_a", "node-b", 1));
  EXPECT_EQ(fanout.nodes_of("TR_a"), (Nodes{"node-b"}));
  // The count it set is the one removals count down from.
  EXPECT_TRUE(fanout.remove_subscriber("TR_a", "node-b"));
  EXPECT_TRUE(fanout.set_subscribers("TR_a", "node-b", 3));
  EXPECT_TRUE(fanout.set_subscribers("TR_a", "node-b", 0));
  EXPECT_FALSE(fanout.set_subscribers("TR_a", "node-b", 0));
  EXPECT_FALSE(fanout.set_subscribers("TR_never", "node-c", 0));
  EXPECT_EQ(fanout.streams(), 0u);
}

TEST(CascadeFanoutTest, ANodeLeavingStopsEverythingSentToIt) {
  CascadeFanout fanout;
  fanout.add_subscriber("TR_a", "node-b");
  fanout.add_subscriber("TR_a", "node-c");
  fanout.add_subscriber("TR_b", "node-b");
  fanout.add_subscriber("TR_b", "node-b");
  EXPECT_EQ(fanout.remove_node("node-b"), (Nodes{"TR_a", "TR_b"}));
  EXPECT_EQ(fanout.nodes_of("TR_a"), (Nodes{"node-c"}));
  EXPECT_TRUE(fanout.nodes_of("TR_b").empty());
  EXPECT_EQ(fanout.streams_to("node-b"), 0u);
  EXPECT_TRUE(fanout.remove_node("node-b").empty());
  // It subscribes afresh as a new node would.
  EXPECT_TRUE(fanout.add_subscriber("TR_b", "node-b"));
}

TEST(CascadeFanoutTest, AnUnpublishedTrackStopsGoingEverywhere) {
  CascadeFanout fanout;
  fanout.add_subscriber("TR_a", "node-b");
  fanout.add_subscriber("TR_a", "node-c");
  EXPECT_EQ(fanout.remove_track("TR_a"), (Nodes{"node-b", "node-c"}));
  EXPECT_EQ(fanout.streams(), 0u);
  EXPECT_TRUE(fanout.remove_track("TR_a").empty());
}

}  // namespace
}  // namespace ct::cascade

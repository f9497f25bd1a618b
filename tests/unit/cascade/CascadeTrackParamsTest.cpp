#include <gtest/gtest.h>

#include "cascade/CascadeTrackParams.hpp"
#include "sfu/PublisherFeedback.hpp"

namespace ct::cascade {
namespace {

struct NoFeedback final : sfu::PublisherFeedback {
  bool send_rtcp(std::span<uint8_t>, size_t) override { return false; }
};

sfu::Publication simulcast_camera(sfu::PublisherFeedback& feedback) {
  sfu::PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.rtx_payload_type = 97;
  params.mid_id = 4;
  params.abs_send_time_id = 2;
  params.rid_id = 10;
  params.repaired_rid_id = 11;
  params.transport_cc_id = 3;
  params.rids = {"q", "h", "f"};
  sfu::TrackInfo info;
  info.sid = "TR_cam";
  info.publisher = "alice";
  info.kind = "video";
  info.source = "camera";
  info.name = "Camera";
  info.codec = "VP8";
  info.rids = params.rids;
  return sfu::Publication(info, params, feedback, 1, milliseconds(500));
}

TEST(CascadeTrackParams, TheReceivingNodesPublicationIsTheOriginsTrack) {
  NoFeedback feedback;
  auto origin = simulcast_camera(feedback);
  origin.set_layer_ssrcs(0, 0x10, 0x11);
  origin.set_layer_ssrcs(2, 0x30, 0x31);
  const CascadeTrack described = describe_track(origin);
  EXPECT_EQ(described.participant, "alice");
  ASSERT_EQ(described.layers.size(), 3u);
  EXPECT_EQ(described.layers[2], (CascadeLayer{"f", 0x30, 0x31}));
  EXPECT_EQ(described.layers[1].ssrc, 0u);  // not learned yet
  EXPECT_EQ(described.extensions.rid, 10);

  // Through the control channel's text form and back.
  auto message = parse_cascade_message(to_json(described));
  ASSERT_TRUE(message);
  auto remote = remote_track_params(std::get<CascadeTrack>(*message));
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->info.sid, "TR_cam");
  EXPECT_EQ(remote->info.publisher, "alice");
  EXPECT_EQ(remote->info.source, "camera");
  EXPECT_EQ(remote->info.rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_TRUE(remote->params.video);
  EXPECT_EQ(remote->params.payload_type, 96);
  EXPECT_EQ(remote->params.rtx_payload_type, std::optional<uint8_t>(97));
  EXPECT_EQ(remote->params.mid_id, 4);
  EXPECT_EQ(remote->params.abs_send_time_id, 2);
  EXPECT_EQ(remote->params.transport_cc_id, 3);
  EXPECT_TRUE(remote->params.nack);
  EXPECT_EQ(remote->layer_ssrcs, (std::vector<uint32_t>{0x10, 0, 0x30}));
}

TEST(CascadeTrackParams, AnAudioTrackHasOneLayerAndNoRids) {
  CascadeTrack t;
  t.sid = "TR_mic";
  t.participant = "alice";
  t.kind = "audio";
  t.codec = "opus";
  t.clock_rate = 48000;
  t.channels = 2;
  t.payload_type = 111;
  t.layers = {CascadeLayer{"", 0xAA, 0}};
  t.extensions.audio_level = 1;
  auto remote = remote_track_params(t);
  ASSERT_TRUE(remote);
  EXPECT_FALSE(remote->params.video);
  EXPECT_TRUE(remote->params.rids.empty());
  EXPECT_EQ(remote->params.audio_level_id, 1);
  EXPECT_EQ(remote->layer_ssrcs, std::vector<uint32_t>{0xAA});
}

TEST(CascadeTrackParams, ATrackThatCannotBeForwardedIsRefused) {
  CascadeTrack t;
  t.kind = "video";
  t.codec = "VP8";
  t.clock_rate = 90000;
  t.layers = {CascadeLayer{}};
  EXPECT_TRUE(remote_track_params(t));
  auto bad = t;
  bad.kind = "data";
  EXPECT_FALSE(remote_track_params(bad));
  bad = t;
  bad.codec.clear();
  EXPECT_FALSE(remote_track_params(bad));
  bad = t;
  bad.clock_rate = 0;
  EXPECT_FALSE(remote_track_params(bad));
  bad = t;
  bad.layers.clear();
  EXPECT_FALSE(remote_track_params(bad));
}

}  // namespace
}  // namespace ct::cascade

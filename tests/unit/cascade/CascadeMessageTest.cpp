// The control messages between two nodes of one room, and what a node refuses from a peer.
#include <gtest/gtest.h>

#include <random>

#include "cascade/CascadeMessage.hpp"

namespace ct::cascade {
namespace {

CascadeTrack video_track() {
  CascadeTrack t;
  t.sid = "TR_abc";
  t.participant = "alice";
  t.kind = "video";
  t.source = "camera";
  t.codec = "VP8";
  t.clock_rate = 90000;
  t.payload_type = 96;
  t.rtx_payload_type = 97;
  t.layers = {{"q", 0x1111, 0x2111}, {"h", 0x1112, 0x2112}, {"f", 0, 0}};
  t.extensions = {.mid = 4, .abs_send_time = 2, .rid = 10, .repaired_rid = 11, .transport_cc = 3};
  return t;
}

TEST(CascadeMessageTest, EveryKindRoundTrips) {
  std::vector<CascadeMessage> messages = {
      CascadeParticipant{"alice", "Alice", "{\"desk\":3}", true},
      CascadeParticipant{"bob", "", "", false},
      video_track(),
      CascadeTrack{"TR_a",
                   "alice",
                   "audio",
                   "microphone",
                   "",
                   "opus",
                   48000,
                   2,
                   "minptime=10;useinbandfec=1",
                   111,
                   std::nullopt,
                   {{"", 0xabcdef01, 0}},
                   true,
                   false},
      CascadeWant{"TR_abc", 2},
      CascadeWant{"TR_abc", 0},
      CascadeWant{"TR_abc", 3, 0b011},
      CascadeParticipant{"carol", "Carol", "", true, "c2lnbmVkIGVwaGVtZXJhbCBrZXk=", true},
      CascadeKey{"alice", "carol", "d3JhcHBlZCBzZW5kZXIga2V5"},
  };
  for (const auto& m : messages) {
    auto back = parse_cascade_message(to_json(m));
    ASSERT_TRUE(back) << to_json(m);
    EXPECT_EQ(*back, m) << to_json(m);
  }
}

TEST(CascadeMessageTest, ReadsAWrittenExample) {
  auto m = parse_cascade_message(
      R"({"type":"track","sid":"TR_x","participant":"p","kind":"audio","codec":"opus","clock_rate":48000,)"
      R"("channels":2,"payload_type":111,"layers":[{"ssrc":305419896}]})");
  ASSERT_TRUE(m);
  const auto& t = std::get<CascadeTrack>(*m);
  EXPECT_EQ(t.layers.at(0).ssrc, 0x12345678u);
  EXPECT_TRUE(t.published);
  EXPECT_FALSE(t.muted);
  EXPECT_FALSE(t.rtx_payload_type);
  EXPECT_EQ(t.extensions, CascadeExtensionIds{});
}

TEST(CascadeMessageTest, RefusesMissingWrongAndOutOfBoundsFields) {
  for (
      const char* bad : {
          "",
          "null",
          "[]",
          "{}",
          R"({"type":"hello"})",
          R"({"type":7})",
          R"({"type":"participant"})",
          R"({"type":"participant","identity":""})",
          R"({"type":"participant","identity":"a","present":"yes"})",
          R"({"type":"want","sid":"TR_a"})",
          R"({"type":"want","sid":"TR_a","subscribers":-1})",
          R"({"type":"want","sid":"TR_a","subscribers":1.5})",
          R"({"type":"want","sid":"TR_a","subscribers":100000000})",
          R"({"type":"want","sid":"TR_a","subscribers":1,"layers":8})",
          R"({"type":"want","sid":"TR_a","subscribers":1,"layers":"q"})",
          // a track: bad kind, payload type over 127, no layers, too many layers, an SSRC over 32 bits
          R"({"type":"track","sid":"T","participant":"p","kind":"data","codec":"x","clock_rate":1,"payload_type":1,"layers":[{"ssrc":1}]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":1,"payload_type":128,"layers":[{"ssrc":1}]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":1,"payload_type":1,"layers":[]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":1,"payload_type":1,"layers":[{"ssrc":1},{"ssrc":2},{"ssrc":3},{"ssrc":4}]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":1,"payload_type":1,"layers":[{"ssrc":4294967296}]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":0,"payload_type":1,"layers":[{"ssrc":1}]})",
          R"({"type":"track","sid":"T","participant":"p","kind":"audio","codec":"x","clock_rate":1,"payload_type":1,"rtx_payload_type":300,"layers":[{"ssrc":1}]})",
          // an announcement that is not text; a key without a sender, a recipient or a blob, or of another
          // type
          R"({"type":"participant","identity":"a","e2ee_announcement":7})",
          R"({"type":"participant","identity":"a","e2ee_supported":1})",
          R"({"type":"key","to":"b","blob":"x"})",
          R"({"type":"key","from":"a","blob":"x"})",
          R"({"type":"key","from":"a","to":"b"})",
          R"({"type":"key","from":"a","to":"b","blob":""})",
          R"({"type":"key","from":"a","to":"b","blob":["x"]})",
          R"({"type":"key","from":"","to":"b","blob":"x"})",
      }) {
    EXPECT_FALSE(parse_cascade_message(bad)) << bad;
  }
  CascadeParticipant big{"alice", "", std::string(kMaxCascadeMetadata + 1, 'x'), true};
  EXPECT_FALSE(parse_cascade_message(to_json(big)));
  CascadeParticipant long_name{std::string(kMaxCascadeIdentity + 1, 'a'), "", "", true};
  EXPECT_FALSE(parse_cascade_message(to_json(long_name)));
  CascadeParticipant long_announcement{"alice", "", "", true, std::string(kMaxCascadeAnnouncement + 1, 'k')};
  EXPECT_FALSE(parse_cascade_message(to_json(long_announcement)));
  long_announcement.e2ee_announcement.pop_back();
  EXPECT_TRUE(parse_cascade_message(to_json(long_announcement)));
  EXPECT_FALSE(
      parse_cascade_message(to_json(CascadeKey{"a", "b", std::string(kMaxCascadeKeyBlob + 1, 'k')})));
  EXPECT_FALSE(
      parse_cascade_message(to_json(CascadeKey{std::string(kMaxCascadeIdentity + 1, 'a'), "b", "k"})));
}

TEST(CascadeMessageTest, TruncatedAndMangledTextIsRefusedWithoutHarm) {
  for (const CascadeMessage& m : {CascadeMessage{CascadeKey{"alice", "carol", "blob"}},
                                  CascadeMessage{CascadeParticipant{"a", "A", "", true, "announce"}}}) {
    const std::string text = to_json(m);
    for (size_t n = 0; n < text.size(); ++n) EXPECT_FALSE(parse_cascade_message(text.substr(0, n))) << n;
  }
  const std::string full = to_json(video_track());
  for (size_t n = 0; n < full.size(); ++n) EXPECT_FALSE(parse_cascade_message(full.substr(0, n))) << n;
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string mangled = full;
    mangled[rng() % mangled.size()] = char(rng());
    auto m = parse_cascade_message(mangled);
    if (m) {
      EXPECT_TRUE(parse_cascade_message(to_json(*m)));
    }
  }
}

}  // namespace
}  // namespace ct::cascade

// The JSON bodies of the webhook events (docs/api.md, "Webhooks"): the
// fields a receiver reads, for each kind of event; ids unique; bytes that
// are not UTF-8 in client-given names never stop an event.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "webhook/WebhookEvent.hpp"

namespace ct::webhook {
namespace {

using Json = nlohmann::json;
using Kind = sfu::RoomActivity::Kind;

sfu::RoomActivity activity(Kind kind) {
  sfu::RoomActivity a;
  a.kind = kind;
  a.room = "standup";
  a.room_sid = "RM_abc";
  a.room_created = std::chrono::system_clock::time_point(std::chrono::seconds(1'765'000'000));
  a.at = a.room_created + std::chrono::seconds(5);
  a.participant.identity = "alice";
  a.participant.name = "Alice";
  a.participant.metadata = "{\"team\":1}";
  a.track.sid = "TR_v";
  a.track.kind = "video";
  a.track.source = "camera";
  a.track.codec = "VP8";
  a.track.rids = {"q", "h", "f"};
  return a;
}

Json body_of(const WebhookEvent& e) { return Json::parse(e.body); }

TEST(WebhookEvent, RoomEventsCarryTheRoomOnly) {
  for (Kind kind : {Kind::room_started, Kind::room_finished}) {
    auto e = WebhookEvent::from_activity(activity(kind));
    auto j = body_of(e);
    EXPECT_EQ(j["event"], kind == Kind::room_started ? "room_started" : "room_finished");
    EXPECT_EQ(j["id"], e.id);
    EXPECT_EQ(j["createdAt"], 1'765'000'005);
    EXPECT_EQ(j["room"]["name"], "standup");
    EXPECT_EQ(j["room"]["sid"], "RM_abc");
    EXPECT_EQ(j["room"]["creationTime"], 1'765'000'000);
    EXPECT_FALSE(j.contains("participant"));
    EXPECT_EQ(e.room, "standup");
  }
}

TEST(WebhookEvent, ParticipantEventsNameTheParticipantAndWhyItLeft) {
  auto joined = body_of(WebhookEvent::from_activity(activity(Kind::participant_joined)));
  EXPECT_EQ(joined["event"], "participant_joined");
  EXPECT_EQ(joined["participant"]["identity"], "alice");
  EXPECT_EQ(joined["participant"]["name"], "Alice");
  EXPECT_EQ(joined["participant"]["metadata"], "{\"team\":1}");
  EXPECT_EQ(joined["participant"]["kind"], "standard");
  EXPECT_EQ(joined["participant"]["permission"]["canPublish"], true);
  EXPECT_FALSE(joined.contains("reason"));
  auto a = activity(Kind::participant_left);
  a.reason = "connection_lost";
  auto left = body_of(WebhookEvent::from_activity(a));
  EXPECT_EQ(left["event"], "participant_left");
  EXPECT_EQ(left["reason"], "connection_lost");
  EXPECT_EQ(left["participant"]["identity"], "alice");
}

TEST(WebhookEvent, TrackEventsNameTheTrackAndItsPublisher) {
  for (Kind kind : {Kind::track_published, Kind::track_unpublished}) {
    auto j = body_of(WebhookEvent::from_activity(activity(kind)));
    EXPECT_EQ(j["event"], kind == Kind::track_published ? "track_published" : "track_unpublished");
    EXPECT_EQ(j["participant"]["identity"], "alice");
    EXPECT_EQ(j["participant"]["kind"], "standard");
    EXPECT_EQ(j["track"]["sid"], "TR_v");
    EXPECT_EQ(j["track"]["type"], "video");
    EXPECT_EQ(j["track"]["source"], "camera");
    EXPECT_EQ(j["track"]["codec"], "VP8");
    EXPECT_EQ(j["track"]["simulcast"], Json::array({"q", "h", "f"}));
  }
}

TEST(WebhookEvent, RecordingEventsNameTheRecording) {
  auto a = activity(Kind::recording_started);
  a.recording_id = "20261207T001502Z-a1B2c3";
  a.started_by = "alice";
  auto started = body_of(WebhookEvent::from_activity(a));
  EXPECT_EQ(started["event"], "recording_started");
  EXPECT_EQ(started["recording"]["id"], "20261207T001502Z-a1B2c3");
  EXPECT_EQ(started["recording"]["startedBy"], "alice");

  WebhookEvent::RecordingFinished r;
  r.room = "standup";
  r.id = "20261207T001502Z-a1B2c3";
  r.folder = "/var/rec/standup/20261207T001502Z-a1B2c3";
  r.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'765'000'000));
  r.stopped_at = r.started_at + std::chrono::seconds(60);
  r.tracks = 2;
  auto e = WebhookEvent::recording_finished(r);
  EXPECT_EQ(e.room, "standup");
  auto finished = body_of(e);
  EXPECT_EQ(finished["event"], "recording_finished");
  EXPECT_EQ(finished["room"]["name"], "standup");
  EXPECT_EQ(finished["recording"]["folder"], r.folder);
  EXPECT_EQ(finished["recording"]["startedAt"], 1'765'000'000);
  EXPECT_EQ(finished["recording"]["stoppedAt"], 1'765'000'060);
  EXPECT_EQ(finished["recording"]["tracks"], 2);
}

TEST(WebhookEvent, EveryEventHasItsOwnId) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(WebhookEvent::from_activity(activity(Kind::room_started)).id);
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(ids.begin()->rfind("EV_", 0), 0u);
}

TEST(WebhookEvent, GarbageInClientStringsIsReplacedNotRefused) {
  auto a = activity(Kind::participant_joined);
  a.participant.name = std::string("caf\xC3", 4) + std::string("\xFF\xFE\x00x", 4);
  a.participant.metadata = "\xED\xA0\x80";  // an encoded surrogate: not UTF-8
  a.room = "r\"o\\o\nm";
  WebhookEvent e;
  ASSERT_NO_THROW(e = WebhookEvent::from_activity(a));
  auto j = Json::parse(e.body);  // valid JSON, valid UTF-8
  EXPECT_EQ(j["room"]["name"], "r\"o\\o\nm");
  EXPECT_NE(j["participant"]["name"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace ct::webhook

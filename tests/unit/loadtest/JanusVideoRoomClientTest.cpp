// The VideoRoom conversation a load participant holds with Janus, against
// scripted Janus answers shaped like Janus 1.1's (janus.plugin.videoroom).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadtest/JanusVideoRoomClient.hpp"

namespace ct::loadtest {
namespace {

using json = nlohmann::json;

class JanusVideoRoomClientTest : public ::testing::Test {
 protected:
  void make(bool publisher, std::string room = "loadtest") {
    client = std::make_unique<JanusVideoRoomClient>(
        publisher, std::move(room), "loadtest-pub-0",
        [this](std::string t) { to_janus.push_back(json::parse(t)); },
        [this](std::string t) { to_participant.push_back(json::parse(t)); });
  }
  void participant(const json& message) { client->on_participant_message(message.dump(), now); }
  void janus(const json& message) { client->on_janus_message(message.dump(), now); }
  const json& last_request() { return to_janus.back(); }
  std::string last_transaction() { return to_janus.back()["transaction"]; }
  void success(const json& data) {
    janus({{"janus", "success"}, {"transaction", last_transaction()}, {"data", data}});
  }
  void plugin_success(const json& data) {
    janus({{"janus", "success"},
           {"transaction", last_transaction()},
           {"plugindata", {{"plugin", "janus.plugin.videoroom"}, {"data", data}}}});
  }
  void plugin_event(const std::string& transaction, const json& data, const json& jsep = nullptr) {
    json e = {{"janus", "event"},
              {"sender", 22},
              {"transaction", transaction},
              {"plugindata", {{"plugin", "janus.plugin.videoroom"}, {"data", data}}}};
    if (!jsep.is_null()) e["jsep"] = jsep;
    janus(e);
  }
  // join -> session 11 -> handle 22 -> the room exists or is made.
  void up_to_room(bool room_exists = false) {
    participant({{"type", "join"}, {"token", "unused"}});
    ASSERT_EQ(last_request()["janus"], "create");
    success({{"id", 11}});
    ASSERT_EQ(last_request()["janus"], "attach");
    EXPECT_EQ(last_request()["session_id"], 11);
    EXPECT_EQ(last_request()["plugin"], "janus.plugin.videoroom");
    success({{"id", 22}});
    ASSERT_EQ(last_request()["body"]["request"], "create");
    EXPECT_EQ(last_request()["handle_id"], 22);
    EXPECT_EQ(last_request()["body"]["room"], JanusVideoRoomClient::room_id("loadtest"));
    if (room_exists)
      plugin_success({{"videoroom", "event"}, {"error_code", 427}, {"error", "Room already exists"}});
    else
      plugin_success({{"videoroom", "created"}, {"room", JanusVideoRoomClient::room_id("loadtest")}});
  }

  TimePoint now = Clock::now();
  std::unique_ptr<JanusVideoRoomClient> client;
  std::vector<json> to_janus, to_participant;
};

TEST_F(JanusVideoRoomClientTest, APublisherJoinsConfiguresAndGetsTheAnswer) {
  make(true);
  up_to_room();
  ASSERT_EQ(last_request()["body"]["request"], "join");
  EXPECT_EQ(last_request()["body"]["ptype"], "publisher");
  EXPECT_EQ(last_request()["body"]["display"], "loadtest-pub-0");
  std::string join = last_transaction();
  janus({{"janus", "ack"}, {"session_id", 11}, {"transaction", join}});
  EXPECT_TRUE(to_participant.empty());
  plugin_event(join, {{"videoroom", "joined"}, {"room", 1}, {"id", 777}, {"publishers", json::array()}});
  ASSERT_EQ(to_participant.size(), 1u);
  EXPECT_EQ(to_participant[0]["type"], "joined");

  participant({{"type", "offer"}, {"sdp", "v=0 offer"}, {"tracks", json::array()}});
  ASSERT_EQ(last_request()["body"]["request"], "configure");
  EXPECT_EQ(last_request()["jsep"]["type"], "offer");
  EXPECT_EQ(last_request()["jsep"]["sdp"], "v=0 offer");
  plugin_event(last_transaction(), {{"videoroom", "event"}, {"configured", "ok"}},
               {{"type", "answer"}, {"sdp", "v=0 answer"}});
  ASSERT_EQ(to_participant.size(), 2u);
  EXPECT_EQ(to_participant[1]["type"], "answer");
  EXPECT_EQ(to_participant[1]["sdp"], "v=0 answer");

  participant({{"type", "leave"}});
  EXPECT_EQ(last_request()["janus"], "destroy");
  EXPECT_EQ(last_request()["session_id"], 11);
}

TEST_F(JanusVideoRoomClientTest, ARoomAnotherParticipantMadeIsJoined) {
  make(true);
  up_to_room(true);
  EXPECT_EQ(last_request()["body"]["request"], "join");
  EXPECT_TRUE(to_participant.empty());
}

TEST_F(JanusVideoRoomClientTest, ASubscriberWaitsForEveryPublishersMediaThenSubscribesToAll) {
  make(false);
  up_to_room(true);
  ASSERT_EQ(last_request()["body"]["request"], "listparticipants");
  plugin_success({{"videoroom", "participants"},
                  {"participants", {{{"id", 5}, {"publisher", true}}, {{"id", 6}, {"publisher", false}}}}});
  const size_t requests = to_janus.size();
  client->on_tick(now + milliseconds(10));
  EXPECT_EQ(to_janus.size(), requests);  // not before the retry interval
  client->on_tick(now + JanusVideoRoomClient::kListRetry);
  ASSERT_EQ(to_janus.size(), requests + 1);
  ASSERT_EQ(last_request()["body"]["request"], "listparticipants");
  plugin_success({{"videoroom", "participants"},
                  {"participants", {{{"id", 5}, {"publisher", true}}, {{"id", 6}, {"publisher", true}}}}});
  ASSERT_EQ(last_request()["body"]["request"], "join");
  EXPECT_EQ(last_request()["body"]["ptype"], "subscriber");
  EXPECT_EQ(last_request()["body"]["streams"], json::parse(R"([{"feed":5},{"feed":6}])"));
  EXPECT_EQ(client->feeds(), (std::vector<uint64_t>{5, 6}));

  plugin_event(last_transaction(),
               {{"videoroom", "attached"},
                {"streams",
                 {{{"type", "video"}, {"mid", "0"}}, {{"type", "audio"}, {"mid", "1"}}, {{"type", "data"}}}}},
               {{"type", "offer"}, {"sdp", "v=0 janus offer"}});
  ASSERT_EQ(to_participant.size(), 2u);
  EXPECT_EQ(to_participant[0]["type"], "joined");
  EXPECT_EQ(to_participant[1]["type"], "offer");
  EXPECT_EQ(to_participant[1]["sdp"], "v=0 janus offer");
  EXPECT_EQ(to_participant[1]["tracks"].size(), 2u);

  participant({{"type", "answer"}, {"sdp", "v=0 answer"}});
  EXPECT_EQ(last_request()["body"]["request"], "start");
  EXPECT_EQ(last_request()["jsep"]["type"], "answer");
  EXPECT_EQ(last_request()["jsep"]["sdp"], "v=0 answer");
}

TEST_F(JanusVideoRoomClientTest, KeepalivesGoOutWhileTheSessionLives) {
  make(true);
  up_to_room();
  const size_t requests = to_janus.size();
  client->on_tick(now + JanusVideoRoomClient::kKeepaliveInterval - milliseconds(1));
  EXPECT_EQ(to_janus.size(), requests);
  client->on_tick(now + JanusVideoRoomClient::kKeepaliveInterval);
  ASSERT_EQ(to_janus.size(), requests + 1);
  EXPECT_EQ(last_request()["janus"], "keepalive");
  EXPECT_EQ(last_request()["session_id"], 11);
}

TEST_F(JanusVideoRoomClientTest, JanusAndPluginErrorsReachTheParticipant) {
  make(true);
  participant({{"type", "join"}});
  janus({{"janus", "error"},
         {"transaction", last_transaction()},
         {"error", {{"code", 403}, {"reason", "Unauthorized"}}}});
  ASSERT_EQ(to_participant.size(), 1u);
  EXPECT_EQ(to_participant[0]["type"], "error");
  EXPECT_EQ(to_participant[0]["code"], "janus-403");
  EXPECT_NE(to_participant[0]["message"].get<std::string>().find("Unauthorized"), std::string::npos);

  make(true);
  to_participant.clear();
  up_to_room();
  plugin_event(last_transaction(),
               {{"videoroom", "event"}, {"error_code", 432}, {"error", "Maximum number of publishers"}});
  ASSERT_EQ(to_participant.size(), 1u);
  EXPECT_EQ(to_participant[0]["code"], "janus-432");
}

TEST_F(JanusVideoRoomClientTest, AHangupRemovesTheParticipant) {
  make(false);
  up_to_room();
  janus({{"janus", "hangup"}, {"session_id", 11}, {"sender", 22}, {"reason", "DTLS alert"}});
  ASSERT_EQ(to_participant.size(), 1u);
  EXPECT_EQ(to_participant[0]["type"], "removed");
  EXPECT_NE(to_participant[0]["reason"].get<std::string>().find("DTLS alert"), std::string::npos);
}

TEST_F(JanusVideoRoomClientTest, IdsOfTheWrongShapeFailTheJoin) {
  for (const json& id : {json("11"), json(-4), json(1.5), json(uint64_t(1) << 60), json(nullptr)}) {
    make(true);
    to_participant.clear();
    participant({{"type", "join"}});
    success({{"id", id}});
    ASSERT_EQ(to_participant.size(), 1u) << id;
    EXPECT_EQ(to_participant[0]["code"], "janus-protocol");
  }
}

TEST_F(JanusVideoRoomClientTest, GarbageAndTruncatedMessagesAreIgnored) {
  make(false);
  participant({{"type", "join"}});
  const std::string create = last_transaction();
  const std::string good = json{{"janus", "success"}, {"transaction", create}, {"data", {{"id", 11}}}}.dump();
  for (size_t n = 0; n < good.size(); ++n) client->on_janus_message(good.substr(0, n), now);
  for (const char* garbage :
       {"", "null", "[]", "42", "\"x\"", "{\"janus\":7}", "{\"janus\":\"event\",\"plugindata\":3}",
        "{\"janus\":\"event\",\"plugindata\":{\"data\":[1]}}", "\xff\xfe{"})
    client->on_janus_message(garbage, now);
  EXPECT_TRUE(to_participant.empty());
  EXPECT_EQ(to_janus.size(), 1u);
  client->on_janus_message(good, now);  // still waiting for its answer
  EXPECT_EQ(last_request()["janus"], "attach");
}

TEST_F(JanusVideoRoomClientTest, AnAnswerToNoPendingRequestDoesNothing) {
  make(true);
  participant({{"type", "join"}});
  janus({{"janus", "success"}, {"transaction", "attach-99"}, {"data", {{"id", 22}}}});
  EXPECT_EQ(to_janus.size(), 1u);
  EXPECT_EQ(client->session_id(), 0u);
}

TEST(JanusRoomId, ANumericRoomNameIsItsIdOtherNamesHashIntoRange) {
  EXPECT_EQ(JanusVideoRoomClient::room_id("1234"), 1234u);
  const uint64_t a = JanusVideoRoomClient::room_id("bench-1"), b = JanusVideoRoomClient::room_id("bench-2");
  EXPECT_NE(a, b);
  EXPECT_EQ(a, JanusVideoRoomClient::room_id("bench-1"));
  for (const char* name : {"", "0", "-5", "loadtest", "99999999999999999999999"}) {
    uint64_t id = JanusVideoRoomClient::room_id(name);
    EXPECT_GE(id, 1u) << name;
    EXPECT_LE(id, 2147483647u) << name;
  }
}

}  // namespace
}  // namespace ct::loadtest

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "signal/SignalProtocol.hpp"

using namespace ct::signal;

namespace {
template <class T>
const T& as(const std::variant<Request, ProtocolError>& r) {
  return std::get<T>(std::get<Request>(r));
}
std::string code_of(const std::variant<Request, ProtocolError>& r) {
  auto* e = std::get_if<ProtocolError>(&r);
  return e ? e->code : "";
}
}  // namespace

TEST(SignalProtocol, ParsesEveryRequest) {
  auto join = parse_request(R"({"type":"join","token":"a.b.c","protocol":1,"resume":true})");
  EXPECT_EQ(as<request::Join>(join).token, "a.b.c");
  EXPECT_TRUE(as<request::Join>(join).resume);
  auto offer = parse_request(
      R"({"type":"offer","sdp":"v=0","tracks":[{"mid":"0","source":"microphone","name":"mic"},{"mid":"1","source":"camera","muted":true}]})");
  const auto& o = as<request::Offer>(offer);
  ASSERT_EQ(o.tracks.size(), 2u);
  EXPECT_EQ(o.tracks[0].source, "microphone");
  EXPECT_TRUE(o.tracks[1].muted);
  EXPECT_EQ(as<request::Answer>(parse_request(R"({"type":"answer","sdp":"x"})")).sdp, "x");
  EXPECT_TRUE(as<request::Mute>(parse_request(R"({"type":"mute","sid":"TR_1","muted":true})")).muted);
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":7})")).timestamp, 7);
  // Timestamps: integers as given; floats only when exact in JavaScript; else 0.
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":1764140000123})")).timestamp,
            1764140000123);
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":12.75})")).timestamp, 12);
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":1e300})")).timestamp, 0);
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":-1e300})")).timestamp, 0);
  EXPECT_EQ(as<request::Ping>(parse_request(R"({"type":"ping","timestamp":"7"})")).timestamp, 0);
  // A protocol number too large for an int does not wrap around to a supported one.
  EXPECT_NE(as<request::Join>(parse_request(R"({"type":"join","token":"t","protocol":4294967297})")).protocol,
            1);
  EXPECT_NE(as<request::Join>(parse_request(R"({"type":"join","token":"t","protocol":18446744073709551615})"))
                .protocol,
            1);
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","protocol":18446744073709551617})")),
            "bad_message");
  EXPECT_NO_THROW(as<request::Leave>(parse_request(R"({"type":"leave"})")));
  auto update =
      as<request::Update>(parse_request(R"({"type":"update","name":"Ana B.","metadata":"{\"hand\":true}"})"));
  EXPECT_EQ(update.name, "Ana B.");
  EXPECT_EQ(update.metadata, R"({"hand":true})");
  auto name_only = as<request::Update>(parse_request(R"({"type":"update","name":"Ana"})"));
  EXPECT_FALSE(name_only.metadata.has_value());
  EXPECT_EQ(request_name(std::get<Request>(parse_request(R"({"type":"update","name":"Ana"})"))), "update");
  EXPECT_NO_THROW(
      as<request::Trickle>(parse_request(R"({"type":"trickle","target":"publisher","candidate":{}})")));
}

TEST(SignalProtocol, TrickleCarriesTheCandidateAttribute) {
  auto t = as<request::Trickle>(parse_request(
      R"({"type":"trickle","target":"subscriber","candidate":{"candidate":"candidate:1 1 udp 5 10.0.0.1 9 typ host",)"
      R"("sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}})"));
  EXPECT_EQ(t.target, "subscriber");
  EXPECT_EQ(t.candidate, "candidate:1 1 udp 5 10.0.0.1 9 typ host");
  // No candidate, null, or the end of candidates ("") carry nothing to keep.
  EXPECT_EQ(as<request::Trickle>(parse_request(R"({"type":"trickle","target":"publisher"})")).candidate, "");
  EXPECT_EQ(as<request::Trickle>(parse_request(R"({"type":"trickle","candidate":null})")).candidate, "");
  EXPECT_EQ(
      as<request::Trickle>(parse_request(R"({"type":"trickle","candidate":{"candidate":""}})")).candidate,
      "");
  EXPECT_EQ(
      code_of(parse_request(R"({"type":"trickle","candidate":"candidate:1 1 udp 5 10.0.0.1 9 typ host"})")),
      "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"trickle","candidate":{"candidate":7}})")), "bad_message");
  const std::string huge(2000, 'a');
  EXPECT_EQ(code_of(parse_request(R"({"type":"trickle","candidate":{"candidate":")" + huge + R"("}})")),
            "bad_message");
}

TEST(SignalProtocol, ErrorsCarryStableCodes) {
  EXPECT_EQ(code_of(parse_request("{not json")), "bad_json");
  EXPECT_EQ(code_of(parse_request("")), "bad_json");
  EXPECT_EQ(code_of(parse_request("[1,2]")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"typ":"join"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":7})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"teleport"})")), "unknown_type");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":5})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","protocol":"1"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"offer","sdp":"v=0","tracks":{}})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"offer","sdp":"v=0","tracks":[{"source":"camera"}]})")),
            "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"mute","sid":"x"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"mute","sid":"x","muted":"yes"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"update"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"update","name":7})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"update","name":")" + std::string(129, 'a') + R"("})")),
            "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"update","metadata":")" + std::string(4097, 'a') + R"("})")),
            "bad_message");
  // The reason names the field, for people.
  auto e = std::get<ProtocolError>(parse_request(R"({"type":"answer"})"));
  EXPECT_NE(e.message.find("sdp"), std::string::npos);
}

TEST(SignalProtocol, TruncatedAndGarbageInputNeverThrows) {
  std::string valid =
      R"({"type":"offer","sdp":"v=0\r\n","tracks":[{"mid":"0","source":"camera","name":"c","muted":false}]})";
  for (size_t n = 0; n < valid.size(); ++n) {
    auto r = parse_request(std::string_view(valid).substr(0, n));
    EXPECT_TRUE(std::holds_alternative<ProtocolError>(r)) << n;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = char("{}[]\":,tyepjoinfalse0123 \\u"[rng() % 27]);
    EXPECT_NO_THROW(parse_request(s));
  }
}

TEST(SignalProtocol, SerializesEvents) {
  ct::sfu::TrackInfo t;
  t.sid = "TR_a";
  t.publisher = "bob";
  t.kind = "video";
  t.source = "camera";
  t.mid = "3";
  std::string published = serialize_event(ct::sfu::event::TrackPublished{t});
  EXPECT_NE(published.find(R"("type":"track_published")"), std::string::npos);
  EXPECT_NE(published.find(R"("sid":"TR_a")"), std::string::npos);
  ct::sfu::event::Joined joined;
  joined.room = "r";
  joined.self.identity = "alice";
  ct::sfu::ParticipantState bob;
  bob.info.identity = "bob";
  bob.tracks.push_back(t);
  joined.others.push_back(bob);
  std::string j = serialize_event(joined);
  EXPECT_NE(j.find(R"("protocol":1)"), std::string::npos);
  EXPECT_NE(j.find(R"("participants":[{)"), std::string::npos);
  EXPECT_NE(j.find(R"("kind":"standard")"), std::string::npos);
  // A WHIP broadcaster is listed as what it is.
  ct::sfu::event::ParticipantJoined ingress;
  ingress.participant.identity = "obs";
  ingress.participant.kind = "ingress";
  EXPECT_NE(serialize_event(ingress).find(R"("kind":"ingress")"), std::string::npos);
  // Invalid UTF-8 in a name must not break the JSON writer.
  ct::sfu::event::ParticipantJoined pj;
  pj.participant.identity = "x";
  pj.participant.name = std::string("\xff\xfe", 2);
  EXPECT_NO_THROW(serialize_event(pj));
  ct::sfu::event::ParticipantUpdated pu;
  pu.participant.identity = "ana";
  pu.participant.name = "Ana B.";
  std::string u = serialize_event(pu);
  EXPECT_NE(u.find(R"("type":"participant_updated")"), std::string::npos);
  EXPECT_NE(u.find(R"("name":"Ana B.")"), std::string::npos);
  EXPECT_EQ(serialize_error("rate_limited", "slow down", "ping"),
            R"({"code":"rate_limited","message":"slow down","request":"ping","type":"error"})");
}

TEST(SignalProtocol, ParsesTheEndToEndEncryptionRequests) {
  auto join = parse_request(R"({"type":"join","token":"t","e2ee":{"supported":true,"require":true}})");
  EXPECT_TRUE(as<request::Join>(join).e2ee_supported);
  EXPECT_TRUE(as<request::Join>(join).e2ee_require);
  auto plain = parse_request(R"({"type":"join","token":"t"})");
  EXPECT_FALSE(as<request::Join>(plain).e2ee_supported);
  EXPECT_FALSE(as<request::Join>(plain).e2ee_require);
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","e2ee":true})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","e2ee":{"supported":"yes"}})")),
            "bad_message");

  auto announce = parse_request(R"({"type":"e2ee_announce","announcement":"{\"identity\":\"a\"}"})");
  EXPECT_EQ(as<request::E2eeAnnounce>(announce).announcement, R"({"identity":"a"})");
  EXPECT_EQ(request_name(std::get<Request>(announce)), "e2ee_announce");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_announce"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_announce","announcement":7})")), "bad_message");
  const std::string long_announcement(request::E2eeAnnounce::kMaxAnnouncement + 1, 'a');
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_announce","announcement":")" + long_announcement + "\"}")),
            "bad_message");

  auto keys =
      parse_request(R"({"type":"e2ee_keys","keys":[{"to":"bob","blob":"AQID"},{"to":"carol","blob":"BA"}]})");
  const auto& k = as<request::E2eeKeys>(keys);
  ASSERT_EQ(k.keys.size(), 2u);
  EXPECT_EQ(k.keys[0].to, "bob");
  EXPECT_EQ(k.keys[0].blob, "AQID");
  EXPECT_EQ(k.keys[1].to, "carol");
  EXPECT_EQ(request_name(std::get<Request>(keys)), "e2ee_keys");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_keys","keys":[]})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_keys","keys":{}})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_keys","keys":[{"to":"","blob":"x"}]})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_keys","keys":[{"to":"bob"}]})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"e2ee_keys","keys":["bob"]})")), "bad_message");
  std::string many = R"({"type":"e2ee_keys","keys":[)";
  for (size_t i = 0; i <= request::E2eeKeys::kMaxKeys; ++i)
    many += std::string(i ? "," : "") + R"({"to":"p","blob":"x"})";
  EXPECT_EQ(code_of(parse_request(many + "]}")), "bad_message");
  const std::string long_blob(request::E2eeKeys::kMaxBlob + 1, 'b');
  EXPECT_EQ(
      code_of(parse_request(R"({"type":"e2ee_keys","keys":[{"to":"bob","blob":")" + long_blob + "\"}]}")),
      "bad_message");
}

TEST(SignalProtocol, SerializesTheEndToEndEncryptionEvents) {
  ct::sfu::event::Joined joined;
  joined.room = "r";
  joined.e2ee_required = true;
  ct::sfu::ParticipantState alice;
  alice.info.identity = "alice";
  alice.e2ee_announcement = "A";
  ct::sfu::ParticipantState bob;
  bob.info.identity = "bob";
  joined.others = {alice, bob};
  auto j = nlohmann::json::parse(serialize_event(joined));
  EXPECT_EQ(j["e2ee"], "required");
  EXPECT_EQ(j["participants"][0]["e2ee_announcement"], "A");
  EXPECT_FALSE(j["participants"][1].contains("e2ee_announcement"));
  joined.e2ee_required = false;
  EXPECT_EQ(nlohmann::json::parse(serialize_event(joined))["e2ee"], "off");

  auto announce = nlohmann::json::parse(serialize_event(ct::sfu::event::E2eeAnnounce{"alice", "A"}));
  EXPECT_EQ(announce, (nlohmann::json{{"type", "e2ee_announce"}, {"from", "alice"}, {"announcement", "A"}}));
  auto key = nlohmann::json::parse(serialize_event(ct::sfu::event::E2eeKey{"alice", "B"}));
  EXPECT_EQ(key, (nlohmann::json{{"type", "e2ee_key"}, {"from", "alice"}, {"blob", "B"}}));
}

TEST(SignalProtocol, ParsesAndSerializesRecording) {
  auto start = parse_request(R"({"type":"start_recording"})");
  ASSERT_TRUE(std::holds_alternative<Request>(start));
  EXPECT_TRUE(std::holds_alternative<request::StartRecording>(std::get<Request>(start)));
  EXPECT_EQ(request_name(std::get<Request>(start)), "start_recording");
  auto stop = parse_request(R"({"type":"stop_recording","extra":1})");
  ASSERT_TRUE(std::holds_alternative<Request>(stop));
  EXPECT_EQ(request_name(std::get<Request>(stop)), "stop_recording");
  EXPECT_EQ(code_of(parse_request(R"({"type":"start_recordin"})")), "unknown_type");
  EXPECT_EQ(code_of(parse_request(R"({"type":"start_recording")")), "bad_json");

  auto on =
      nlohmann::json::parse(serialize_event(ct::sfu::event::Recording{true, "20261207T001502Z-abc123"}));
  EXPECT_EQ(on,
            nlohmann::json::parse(R"({"type":"recording","active":true,"id":"20261207T001502Z-abc123"})"));
  auto off = nlohmann::json::parse(serialize_event(ct::sfu::event::Recording{false, "X"}));
  EXPECT_EQ(off["active"], false);

  ct::sfu::event::Joined joined;
  joined.self.identity = "alice";
  joined.self.can_record = true;
  auto plain = nlohmann::json::parse(serialize_event(joined));
  EXPECT_EQ(plain["recording"], false);
  EXPECT_TRUE(plain["recording_id"].is_null());
  EXPECT_EQ(plain["participant"]["permissions"]["canRecord"], true);
  joined.recording = true;
  joined.recording_id = "R1";
  auto recording = nlohmann::json::parse(serialize_event(joined));
  EXPECT_EQ(recording["recording"], true);
  EXPECT_EQ(recording["recording_id"], "R1");
}

TEST(SignalProtocol, ParsesTrackSettings) {
  auto full = parse_request(
      R"({"type":"update_track_settings","sid":"TR_a","width":320,"height":180,"visible":false,"quality":"medium"})");
  ASSERT_TRUE(std::holds_alternative<Request>(full));
  const auto& r = std::get<request::UpdateTrackSettings>(std::get<Request>(full));
  EXPECT_EQ(r.sid, "TR_a");
  EXPECT_EQ(r.settings.width, 320u);
  EXPECT_EQ(r.settings.height, 180u);
  EXPECT_FALSE(r.settings.visible);
  EXPECT_EQ(r.settings.max_layer, 1);
  EXPECT_EQ(request_name(std::get<Request>(full)), "update_track_settings");
  // Only the sid is required: an unreported size, visible, no quality limit.
  auto bare = parse_request(R"({"type":"update_track_settings","sid":"TR_b"})");
  ASSERT_TRUE(std::holds_alternative<Request>(bare));
  const auto& b = std::get<request::UpdateTrackSettings>(std::get<Request>(bare));
  EXPECT_EQ(b.settings.width, 0u);
  EXPECT_TRUE(b.settings.visible);
  EXPECT_GT(b.settings.max_layer, 2);
  auto low = parse_request(R"({"type":"update_track_settings","sid":"TR_b","quality":"low"})");
  EXPECT_EQ(std::get<request::UpdateTrackSettings>(std::get<Request>(low)).settings.max_layer, 0);
}

TEST(SignalProtocol, MalformedTrackSettingsAreBadMessages) {
  for (const char* text : {
           R"({"type":"update_track_settings"})",
           R"({"type":"update_track_settings","sid":7})",
           R"({"type":"update_track_settings","sid":"TR_a","width":-1})",
           R"({"type":"update_track_settings","sid":"TR_a","width":1.5})",
           R"({"type":"update_track_settings","sid":"TR_a","height":99999})",
           R"({"type":"update_track_settings","sid":"TR_a","height":"720"})",
           R"({"type":"update_track_settings","sid":"TR_a","visible":"yes"})",
           R"({"type":"update_track_settings","sid":"TR_a","quality":"ultra"})",
           R"({"type":"update_track_settings","sid":"TR_a","quality":2})",
       }) {
    EXPECT_EQ(code_of(parse_request(text)), "bad_message") << text;
  }
}

TEST(SignalProtocol, SerializesLayersWantedAndTrackRids) {
  ct::sfu::event::LayersWanted wanted{"TR_v", {{"q", true}, {"h", false}, {"f", false}}};
  EXPECT_EQ(nlohmann::json::parse(serialize_event(wanted)),
            nlohmann::json::parse(R"({"type":"layers_wanted","sid":"TR_v",
      "layers":[{"rid":"q","active":true},{"rid":"h","active":false},{"rid":"f","active":false}]})"));
  ct::sfu::TrackInfo track;
  track.sid = "TR_v";
  auto plain = nlohmann::json::parse(serialize_event(ct::sfu::event::TrackPublished{track}));
  EXPECT_FALSE(plain["track"].contains("rids"));
  track.rids = {"q", "h", "f"};
  auto simulcast = nlohmann::json::parse(serialize_event(ct::sfu::event::TrackPublished{track}));
  EXPECT_EQ(simulcast["track"]["rids"], nlohmann::json::parse(R"(["q","h","f"])"));
}

TEST(SignalProtocol, ParsesReceiveBandwidth) {
  auto capped = parse_request(R"({"type":"set_receive_bandwidth","max_bps":300000})");
  ASSERT_TRUE(std::holds_alternative<Request>(capped));
  EXPECT_EQ(as<request::SetReceiveBandwidth>(capped).max_bps, 300000u);
  EXPECT_EQ(request_name(std::get<Request>(capped)), "set_receive_bandwidth");
  EXPECT_EQ(as<request::SetReceiveBandwidth>(parse_request(R"({"type":"set_receive_bandwidth","max_bps":0})"))
                .max_bps,
            0u);
  auto lifted = parse_request(R"({"type":"set_receive_bandwidth","max_bps":null})");
  ASSERT_TRUE(std::holds_alternative<Request>(lifted));
  EXPECT_FALSE(as<request::SetReceiveBandwidth>(lifted).max_bps.has_value());
}

TEST(SignalProtocol, MalformedReceiveBandwidthIsABadMessage) {
  for (const char* text : {
           R"({"type":"set_receive_bandwidth"})",
           R"({"type":"set_receive_bandwidth","max_bps":-1})",
           R"({"type":"set_receive_bandwidth","max_bps":1.5})",
           R"({"type":"set_receive_bandwidth","max_bps":"300000"})",
           R"({"type":"set_receive_bandwidth","max_bps":true})",
           R"({"type":"set_receive_bandwidth","max_bps":100000000001})",
           R"({"type":"set_receive_bandwidth","max_bps":18446744073709551615})",
           R"({"type":"set_receive_bandwidth","max_bps":1e30})",
       }) {
    EXPECT_EQ(code_of(parse_request(text)), "bad_message") << text;
  }
  // Truncated anywhere: never a request, never a throw.
  const std::string whole = R"({"type":"set_receive_bandwidth","max_bps":300000})";
  for (size_t n = 0; n < whole.size(); ++n)
    EXPECT_FALSE(std::holds_alternative<Request>(parse_request(whole.substr(0, n)))) << n;
}

TEST(SignalProtocol, SerializesTrackPaused) {
  EXPECT_EQ(
      nlohmann::json::parse(serialize_event(ct::sfu::event::TrackPaused{"TR_v", true, "bandwidth"})),
      nlohmann::json::parse(R"({"type":"track_paused","sid":"TR_v","paused":true,"reason":"bandwidth"})"));
}

TEST(SignalProtocol, ParsesBreakoutRequests) {
  auto open = parse_request(R"({"type":"breakout_open","rooms":["a","b"]})");
  EXPECT_EQ(as<request::BreakoutOpen>(open).rooms, (std::vector<std::string>{"a", "b"}));
  auto move = parse_request(R"({"type":"breakout_move","identity":"ada","room":"a"})");
  EXPECT_EQ(as<request::BreakoutMove>(move).identity, "ada");
  EXPECT_EQ(as<request::BreakoutMove>(move).room, "a");
  EXPECT_EQ(as<request::BreakoutMove>(parse_request(R"({"type":"breakout_move","identity":"ada"})")).room,
            "");
  EXPECT_TRUE(std::holds_alternative<request::BreakoutClose>(
      std::get<Request>(parse_request(R"({"type":"breakout_close"})"))));
  EXPECT_EQ(request_name(std::get<Request>(move)), "breakout_move");
}

TEST(SignalProtocol, RefusesBadBreakoutRequests) {
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_open"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_open","rooms":"a"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_open","rooms":[1]})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_open","rooms":[")" + std::string(65, 'a') + R"("]})")),
            "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_move","room":"a"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_move","identity":5})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"breakout_open","rooms":["a")")), "bad_json");
}

TEST(SignalProtocol, SerializesMoveAndBreakoutState) {
  auto move = nlohmann::json::parse(serialize_move("standup~a", "t.o.k", "", "breakout"));
  EXPECT_EQ(move, (nlohmann::json{
                      {"type", "move"}, {"room", "standup~a"}, {"token", "t.o.k"}, {"reason", "breakout"}}));
  EXPECT_EQ(nlohmann::json::parse(serialize_move("r", "t", "wss://b/rtc", "redirect"))["url"], "wss://b/rtc");
  auto state =
      nlohmann::json::parse(serialize_breakout_state("standup", {{"a", "standup~a", {"ada", "bob"}}}));
  EXPECT_EQ(state["type"], "breakout_state");
  EXPECT_EQ(state["room"], "standup");
  EXPECT_EQ(state["rooms"][0]["participants"], nlohmann::json::array({"ada", "bob"}));
}

TEST(SignalProtocol, ParsesDirectConnectionSignaling) {
  using Kind = ct::sfu::P2pSignal::Kind;
  auto offer = as<request::P2p>(parse_request(R"({"type":"p2p_offer","to":"bob","sdp":"v=0\r\n"})")).signal;
  EXPECT_EQ(offer.kind, Kind::offer);
  EXPECT_EQ(offer.peer, "bob");
  EXPECT_EQ(offer.sdp, "v=0\r\n");
  auto answer = as<request::P2p>(parse_request(R"({"type":"p2p_answer","to":"al","sdp":"v=0"})")).signal;
  EXPECT_EQ(answer.kind, Kind::answer);
  auto candidate = as<request::P2p>(parse_request(
      R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host",)"
      R"("sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}})"));
  EXPECT_EQ(candidate.signal.kind, Kind::candidate);
  EXPECT_EQ(candidate.signal.candidate.candidate, "candidate:1 1 udp 1 127.0.0.1 5000 typ host");
  EXPECT_EQ(candidate.signal.candidate.sdp_mid, "0");
  EXPECT_EQ(candidate.signal.candidate.sdp_mline_index, 0);
  EXPECT_EQ(candidate.signal.candidate.username_fragment, "abcd");
  EXPECT_EQ(request_name(Request{candidate}), "p2p_candidate");
  // End of candidates: an empty candidate, no mid.
  auto end =
      as<request::P2p>(parse_request(R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":""}})"));
  EXPECT_EQ(end.signal.candidate.sdp_mline_index, -1);
  auto failed = as<request::P2p>(parse_request(R"({"type":"p2p_failed","peer":"bob"})")).signal;
  EXPECT_EQ(failed.kind, Kind::failed);
  EXPECT_EQ(failed.peer, "bob");
  EXPECT_TRUE(as<request::Join>(parse_request(R"({"type":"join","token":"t","p2p":true})")).p2p);
}

TEST(SignalProtocol, MalformedDirectConnectionSignalingIsABadMessage) {
  for (const std::string text : {
           R"({"type":"p2p_offer","sdp":"v=0"})",
           R"({"type":"p2p_offer","to":"","sdp":"v=0"})",
           R"({"type":"p2p_offer","to":7,"sdp":"v=0"})",
           R"({"type":"p2p_offer","to":"bob"})",
           R"({"type":"p2p_answer","to":"bob","sdp":null})",
           R"({"type":"p2p_candidate","to":"bob"})",
           R"({"type":"p2p_candidate","to":"bob","candidate":"candidate:1"})",
           R"({"type":"p2p_candidate","to":"bob","candidate":{"sdpMid":"0"}})",
           R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":"c","sdpMLineIndex":-1}})",
           R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":"c","sdpMLineIndex":"0"}})",
           R"({"type":"p2p_failed"})",
           R"({"type":"p2p_failed","to":"bob"})",
           R"({"type":"join","token":"t","p2p":"yes"})",
       }) {
    EXPECT_EQ(code_of(parse_request(text)), "bad_message") << text;
  }
  // Over the limits: a 32 KiB SDP, a 1 KiB candidate, a 256-byte identity.
  const std::string big_sdp =
      R"({"type":"p2p_offer","to":"bob","sdp":")" + std::string(32 * 1024 + 1, 'x') + "\"}";
  EXPECT_EQ(code_of(parse_request(big_sdp)), "bad_message");
  const std::string big_candidate =
      R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":")" + std::string(1025, 'c') + "\"}}";
  EXPECT_EQ(code_of(parse_request(big_candidate)), "bad_message");
  const std::string long_name = R"({"type":"p2p_failed","peer":")" + std::string(257, 'p') + "\"}";
  EXPECT_EQ(code_of(parse_request(long_name)), "bad_message");
  const std::string whole =
      R"({"type":"p2p_candidate","to":"bob","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}})";
  for (size_t n = 0; n < whole.size(); ++n)
    EXPECT_FALSE(std::holds_alternative<Request>(parse_request(whole.substr(0, n)))) << n;
}

TEST(SignalProtocol, SerializesConnectionModeAndRelayedSignaling) {
  using nlohmann::json;
  EXPECT_EQ(json::parse(serialize_event(ct::sfu::event::ConnectionMode{true, {"al", "bob"}})),
            json::parse(R"({"type":"connection_mode","mode":"p2p","peers":["al","bob"]})"));
  EXPECT_EQ(json::parse(serialize_event(ct::sfu::event::ConnectionMode{false, {}})),
            json::parse(R"({"type":"connection_mode","mode":"sfu","peers":[]})"));
  ct::sfu::P2pSignal offer;
  offer.peer = "al";
  offer.sdp = "v=0";
  EXPECT_EQ(json::parse(serialize_event(offer)),
            json::parse(R"({"type":"p2p_offer","from":"al","sdp":"v=0"})"));
  offer.kind = ct::sfu::P2pSignal::Kind::answer;
  EXPECT_EQ(json::parse(serialize_event(offer))["type"], "p2p_answer");
  ct::sfu::P2pSignal candidate;
  candidate.kind = ct::sfu::P2pSignal::Kind::candidate;
  candidate.peer = "al";
  candidate.candidate = {"candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0", 0, ""};
  EXPECT_EQ(json::parse(serialize_event(candidate)),
            json::parse(R"({"type":"p2p_candidate","from":"al","candidate":{"candidate":)"
                        R"("candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}})"));
}

TEST(SignalProtocol, ParsesGetStatsAndRefusesBadFields) {
  const auto parsed = parse_request(R"({"type":"get_stats","request_id":"9","participant":"bob"})");
  const auto& about = as<request::GetStats>(parsed);
  EXPECT_EQ(about.request_id, "9");
  EXPECT_EQ(about.participant, "bob");
  const auto parsed_mine = parse_request(R"({"type":"get_stats","participant":null})");
  const auto& mine = as<request::GetStats>(parsed_mine);
  EXPECT_EQ(mine.request_id, "");
  EXPECT_FALSE(mine.participant.has_value());
  EXPECT_EQ(request_name(std::get<Request>(parse_request(R"({"type":"get_stats"})"))), "get_stats");
  EXPECT_EQ(code_of(parse_request(R"({"type":"get_stats","request_id":7})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"get_stats","participant":["bob"]})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"get_stats","request_id":")" + std::string(65, 'a') + R"("})")),
            "bad_message");
  EXPECT_EQ(
      code_of(parse_request(R"({"type":"get_stats","participant":")" + std::string(257, 'a') + R"("})")),
      "bad_message");
  const std::string valid = R"({"type":"get_stats","request_id":"12","participant":"bob"})";
  for (size_t n = 0; n < valid.size(); ++n)
    EXPECT_TRUE(std::holds_alternative<ProtocolError>(parse_request(valid.substr(0, n)))) << n;
}

TEST(SignalProtocol, ResumeOnlyJoinIsAResumeAndReconnectNamesTheNode) {
  auto only = as<request::Join>(parse_request(R"({"type":"join","token":"t","resume_only":true})"));
  EXPECT_TRUE(only.resume_only);
  EXPECT_TRUE(only.resume);  // resume_only implies resume
  auto plain = as<request::Join>(parse_request(R"({"type":"join","token":"t","resume":true})"));
  EXPECT_FALSE(plain.resume_only);
  // Not a boolean, or a join cut short: refused, never read as a resume.
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","resume_only":"yes"})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","resume_only":1})")), "bad_message");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","resume_only":tr)")), "bad_json");
  EXPECT_EQ(code_of(parse_request(R"({"type":"join","token":"t","resume_on)")), "bad_json");

  auto reconnect = nlohmann::json::parse(serialize_reconnect("ws://10.0.0.2:7880/rtc", "drain"));
  EXPECT_EQ(reconnect,
            (nlohmann::json{{"type", "reconnect"}, {"url", "ws://10.0.0.2:7880/rtc"}, {"reason", "drain"}}));
}

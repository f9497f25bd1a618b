#include "loadtest/JanusVideoRoomClient.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

namespace ct::loadtest {

using json = nlohmann::json;

namespace {

constexpr const char* kPlugin = "janus.plugin.videoroom";
// VideoRoom's error for a room id that is taken: another participant made it.
constexpr int64_t kRoomExists = 427;
// Publishers a load room admits (VideoRoom's default is 3).
constexpr int kMaxPublishers = 100;

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string string_at(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

// Janus ids are positive integers below 2^53 (JavaScript-safe).
uint64_t id_at(const json& j, const char* key) {
  const json* m = member(j, key);
  if (!m || !m->is_number_unsigned()) return 0;
  uint64_t v = m->get<uint64_t>();
  return v < (uint64_t(1) << 53) ? v : 0;
}

std::optional<int64_t> int_at(const json& j, const char* key) {
  const json* m = member(j, key);
  if (!m || !m->is_number_integer()) return std::nullopt;
  return m->get<int64_t>();
}

}  // namespace

uint64_t JanusVideoRoomClient::room_id(const std::string& name) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec == std::errc() && end == name.data() + name.size() && !name.empty() && value > 0 &&
      value < (uint64_t(1) << 53))
    return value;
  uint32_t h = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  return 1 + h % 2147483647u;
}

JanusVideoRoomClient::JanusVideoRoomClient(bool publisher, std::string room_name, std::string display,
                                           Output to_janus, Output to_participant)
    : publisher_(publisher),
      room_name_(std::move(room_name)),
      display_(std::move(display)),
      room_(room_id(room_name_)),
      to_janus_(std::move(to_janus)),
      to_participant_(std::move(to_participant)) {}

void JanusVideoRoomClient::send_janus(const std::string& purpose, json request) {
  std::string transaction = purpose + "-" + std::to_string(++transaction_counter_);
  request["transaction"] = transaction;
  if (session_id_ != 0 && !request.contains("session_id")) request["session_id"] = session_id_;
  pending_[transaction] = purpose;
  to_janus_(request.dump());
}

void JanusVideoRoomClient::send_plugin(const std::string& purpose, json body, const json* jsep) {
  json request = {{"janus", "message"}, {"handle_id", handle_id_}, {"body", std::move(body)}};
  if (jsep) request["jsep"] = *jsep;
  send_janus(purpose, std::move(request));
}

void JanusVideoRoomClient::fail(const std::string& code, const std::string& message) {
  if (step_ == Step::Gone) return;
  step_ = Step::Gone;
  to_participant_(json{{"type", "error"}, {"code", code}, {"message", message}}.dump());
}

void JanusVideoRoomClient::removed(const std::string& reason) {
  if (step_ == Step::Gone) return;
  step_ = Step::Gone;
  to_participant_(json{{"type", "removed"}, {"reason", reason}}.dump());
}

void JanusVideoRoomClient::on_participant_message(const std::string& text, TimePoint now) {
  json j = json::parse(text, nullptr, false);
  const std::string type = string_at(j, "type");
  if (type == "join" && step_ == Step::Idle) {
    step_ = Step::Session;
    next_keepalive_ = now + kKeepaliveInterval;
    send_janus("create", {{"janus", "create"}});
  } else if (type == "offer" && publisher_ && step_ == Step::Ready) {
    // VideoRoom publishes what the offer carries (configure, jsep offer).
    json jsep = {{"type", "offer"}, {"sdp", string_at(j, "sdp")}};
    send_plugin("configure", {{"request", "configure"}, {"audio", true}, {"video", true}}, &jsep);
  } else if (type == "answer" && !publisher_ && step_ == Step::Ready) {
    json jsep = {{"type", "answer"}, {"sdp", string_at(j, "sdp")}};
    send_plugin("start", {{"request", "start"}}, &jsep);
  } else if (type == "leave") {
    // Destroying the session detaches its handle, which leaves the room.
    if (session_id_ != 0 && step_ != Step::Gone) send_janus("destroy", {{"janus", "destroy"}});
    step_ = Step::Gone;
  }
}

void JanusVideoRoomClient::on_tick(TimePoint now) {
  if (step_ == Step::Idle || step_ == Step::Gone || session_id_ == 0) return;
  if (now >= next_keepalive_) {
    next_keepalive_ = now + kKeepaliveInterval;
    send_janus("keepalive", {{"janus", "keepalive"}});
  }
  if (list_due_ && now >= next_list_) {
    list_due_ = false;
    list_publishers();
  }
}

void JanusVideoRoomClient::on_janus_message(const std::string& text, TimePoint now) {
  if (step_ == Step::Gone) return;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  const std::string janus = string_at(j, "janus");
  if (janus == "timeout") return removed("Janus timed the session out");
  if (janus == "hangup") return removed("Janus hung up: " + string_at(j, "reason"));
  const std::string transaction = string_at(j, "transaction");
  auto pending = pending_.find(transaction);
  std::string purpose = pending == pending_.end() ? std::string() : pending->second;
  if (janus == "ack") return;  // an asynchronous answer follows as an event
  if (!purpose.empty()) pending_.erase(pending);
  if (janus == "error") {
    const json* error = member(j, "error");
    const auto code = error ? int_at(*error, "code") : std::nullopt;
    return fail("janus-" + std::to_string(code.value_or(0)),
                (purpose.empty() ? std::string("request") : purpose) + ": " +
                    (error ? string_at(*error, "reason") : std::string()));
  }
  if (janus == "success") return on_answer(purpose, j, now);
  if (janus == "event") {
    const json* plugindata = member(j, "plugindata");
    const json* data = plugindata ? member(*plugindata, "data") : nullptr;
    if (!data || !data->is_object()) return;
    const json* jsep = member(j, "jsep");
    on_plugin_event(*data, jsep && jsep->is_object() ? jsep : nullptr);
  }
}

void JanusVideoRoomClient::on_answer(const std::string& purpose, const json& message, TimePoint now) {
  if (purpose == "create" && step_ == Step::Session) {
    const json* data = member(message, "data");
    session_id_ = data ? id_at(*data, "id") : 0;
    if (session_id_ == 0) return fail("janus-protocol", "create: no session id");
    step_ = Step::Attach;
    send_janus("attach", {{"janus", "attach"}, {"plugin", kPlugin}});
  } else if (purpose == "attach" && step_ == Step::Attach) {
    const json* data = member(message, "data");
    handle_id_ = data ? id_at(*data, "id") : 0;
    if (handle_id_ == 0) return fail("janus-protocol", "attach: no handle id");
    step_ = Step::Room;
    // Every participant may be first: the room is created by whoever asks first.
    send_plugin("room", {{"request", "create"},
                         {"room", room_},
                         {"description", room_name_},
                         {"publishers", kMaxPublishers},
                         {"bitrate", 0},
                         {"audiocodec", "opus"},
                         {"videocodec", "vp8"},
                         {"permanent", false}});
  } else if (purpose == "room" && step_ == Step::Room) {
    const json* plugindata = member(message, "plugindata");
    const json* data = plugindata ? member(*plugindata, "data") : nullptr;
    if (!data) return fail("janus-protocol", "room: no plugin data");
    auto code = int_at(*data, "error_code");
    if (code && *code != kRoomExists)
      return fail("janus-" + std::to_string(*code), "room: " + string_at(*data, "error"));
    after_room();
  } else if (purpose == "list" && step_ == Step::List) {
    const json* plugindata = member(message, "plugindata");
    const json* data = plugindata ? member(*plugindata, "data") : nullptr;
    const json* participants = data ? member(*data, "participants") : nullptr;
    if (!participants || !participants->is_array())
      return fail("janus-protocol", "listparticipants: no list");
    std::vector<uint64_t> feeds;
    bool all_publishing = !participants->empty();
    for (const auto& p : *participants) {
      const json* publishing = member(p, "publisher");
      uint64_t id = id_at(p, "id");
      if (id == 0) continue;
      if (!publishing || !publishing->is_boolean() || !publishing->get<bool>()) all_publishing = false;
      feeds.push_back(id);
    }
    if (!all_publishing || feeds.empty()) {
      // A publisher whose media is not up yet cannot be subscribed to.
      list_due_ = true;
      next_list_ = now + kListRetry;
      return;
    }
    feeds_ = std::move(feeds);
    step_ = Step::Subscribe;
    json streams = json::array();
    for (uint64_t feed : feeds_) streams.push_back({{"feed", feed}});
    send_plugin("subscribe",
                {{"request", "join"}, {"ptype", "subscriber"}, {"room", room_}, {"streams", streams}});
  }
}

void JanusVideoRoomClient::after_room() {
  if (publisher_) {
    step_ = Step::Join;
    send_plugin("join",
                {{"request", "join"}, {"ptype", "publisher"}, {"room", room_}, {"display", display_}});
  } else {
    step_ = Step::List;
    list_publishers();
  }
}

void JanusVideoRoomClient::list_publishers() {
  send_plugin("list", {{"request", "listparticipants"}, {"room", room_}});
}

void JanusVideoRoomClient::on_plugin_event(const json& data, const json* jsep) {
  const std::string videoroom = string_at(data, "videoroom");
  if (auto code = int_at(data, "error_code"))
    return fail("janus-" + std::to_string(*code), string_at(data, "error"));
  const std::string sdp = jsep ? string_at(*jsep, "sdp") : std::string();
  if (videoroom == "joined" && publisher_ && step_ == Step::Join) {
    step_ = Step::Ready;
    to_participant_(json{{"type", "joined"}}.dump());
  } else if (videoroom == "event" && publisher_ && step_ == Step::Ready && !sdp.empty() &&
             string_at(*jsep, "type") == "answer") {
    to_participant_(json{{"type", "answer"}, {"sdp", sdp}}.dump());
  } else if (videoroom == "attached" && !publisher_ && step_ == Step::Subscribe) {
    if (sdp.empty() || string_at(*jsep, "type") != "offer")
      return fail("janus-protocol", "attached without an offer");
    // The tracks offered (the participant counts them): one stream per
    // media section, data channels aside.
    json tracks = json::array();
    if (const json* streams = member(data, "streams"); streams && streams->is_array()) {
      for (const auto& s : *streams) {
        const std::string kind = string_at(s, "type");
        if (kind == "audio" || kind == "video")
          tracks.push_back({{"mid", string_at(s, "mid")}, {"kind", kind}});
      }
    }
    step_ = Step::Ready;
    to_participant_(json{{"type", "joined"}}.dump());
    to_participant_(json{{"type", "offer"}, {"sdp", sdp}, {"tracks", std::move(tracks)}}.dump());
  }
}

}  // namespace ct::loadtest

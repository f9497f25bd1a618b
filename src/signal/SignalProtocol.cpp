#include "signal/SignalProtocol.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sfu/P2pRelay.hpp"

namespace ct::signal {

using nlohmann::json;

namespace {

struct SchemaError {
  std::string message;
};

const json& field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) throw SchemaError{std::string("missing field '") + key + "'"};
  return *it;
}

std::string string_field(const json& j, const char* key, size_t max_size = 256 * 1024) {
  const json& v = field(j, key);
  if (!v.is_string()) throw SchemaError{std::string("field '") + key + "' must be a string"};
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max_size) throw SchemaError{std::string("field '") + key + "' is too long"};
  return s;
}

std::string optional_string(const json& j, const char* key, size_t max_size = 256) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw SchemaError{std::string("field '") + key + "' must be a string"};
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_size) throw SchemaError{std::string("field '") + key + "' is too long"};
  return s;
}

bool optional_bool(const json& j, const char* key, bool fallback = false) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw SchemaError{std::string("field '") + key + "' must be true or false"};
  return it->get<bool>();
}

json to_json(const sfu::ParticipantInfo& p) {
  return {{"identity", p.identity},
          {"name", p.name},
          {"metadata", p.metadata},
          {"kind", p.kind},
          {"permissions",
           {{"canPublish", p.can_publish},
            {"canSubscribe", p.can_subscribe},
            {"canPublishData", p.can_publish_data},
            {"canRecord", p.can_record},
            {"canAdmin", p.room_admin}}}};
}

json to_json(const sfu::TrackInfo& t) {
  json j = {{"sid", t.sid},       {"publisher", t.publisher}, {"kind", t.kind},
            {"source", t.source}, {"name", t.name},           {"mid", t.mid},
            {"codec", t.codec},   {"muted", t.muted}};
  if (!t.rids.empty()) j["rids"] = t.rids;
  return j;
}

int64_t optional_dimension(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 ||
      it->get<int64_t>() > request::UpdateTrackSettings::kMaxDimension)
    throw SchemaError{std::string("field '") + key + "' must be an integer from 0 to 16384"};
  return it->get<int64_t>();
}

json tracks_json(const std::vector<sfu::TrackInfo>& tracks) {
  json a = json::array();
  for (const auto& t : tracks) a.push_back(to_json(t));
  return a;
}

struct EventWriter {
  json operator()(const sfu::event::Joined& e) const {
    json others = json::array();
    for (const auto& o : e.others) {
      json p = to_json(o.info);
      p["tracks"] = tracks_json(o.tracks);
      if (!o.e2ee_announcement.empty()) p["e2ee_announcement"] = o.e2ee_announcement;
      others.push_back(std::move(p));
    }
    return {{"type", "joined"},
            {"protocol", kProtocolVersion},
            {"room", e.room},
            {"e2ee", e.e2ee_required ? "required" : "off"},
            {"recording", e.recording},
            {"recording_id", e.recording ? json(e.recording_id) : json(nullptr)},
            {"participant", to_json(e.self)},
            {"participants", std::move(others)}};
  }
  json operator()(const sfu::event::ParticipantJoined& e) const {
    return {{"type", "participant_joined"}, {"participant", to_json(e.participant)}};
  }
  json operator()(const sfu::event::ParticipantUpdated& e) const {
    return {{"type", "participant_updated"}, {"participant", to_json(e.participant)}};
  }
  json operator()(const sfu::event::ParticipantLeft& e) const {
    return {{"type", "participant_left"}, {"identity", e.identity}, {"reason", e.reason}};
  }
  json operator()(const sfu::event::TrackPublished& e) const {
    return {{"type", "track_published"}, {"track", to_json(e.track)}};
  }
  json operator()(const sfu::event::TrackUnpublished& e) const {
    return {{"type", "track_unpublished"}, {"publisher", e.publisher}, {"sid", e.sid}};
  }
  json operator()(const sfu::event::TrackMuted& e) const {
    return {{"type", "track_muted"}, {"publisher", e.publisher}, {"sid", e.sid}, {"muted", e.muted}};
  }
  json operator()(const sfu::event::PublisherAnswer& e) const {
    return {{"type", "answer"}, {"sdp", e.sdp}, {"tracks", tracks_json(e.tracks)}};
  }
  json operator()(const sfu::event::SubscriberOffer& e) const {
    return {{"type", "offer"}, {"sdp", e.sdp}, {"tracks", tracks_json(e.tracks)}};
  }
  json operator()(const sfu::event::ActiveSpeakers& e) const {
    json a = json::array();
    for (const auto& s : e.speakers) a.push_back({{"identity", s.identity}, {"level", s.level}});
    return {{"type", "active_speakers"}, {"speakers", std::move(a)}};
  }
  json operator()(const sfu::event::ConnectionQuality& e) const {
    json a = json::array();
    for (const auto& q : e.updates) a.push_back({{"identity", q.identity}, {"quality", q.quality}});
    return {{"type", "connection_quality"}, {"updates", std::move(a)}};
  }
  json operator()(const sfu::event::Error& e) const {
    return {{"type", "error"}, {"code", e.code}, {"message", e.message}};
  }
  json operator()(const sfu::event::Removed& e) const { return {{"type", "removed"}, {"reason", e.reason}}; }
  json operator()(const sfu::event::E2eeAnnounce& e) const {
    return {{"type", "e2ee_announce"}, {"from", e.from}, {"announcement", e.announcement}};
  }
  json operator()(const sfu::event::E2eeKey& e) const {
    return {{"type", "e2ee_key"}, {"from", e.from}, {"blob", e.blob}};
  }
  json operator()(const sfu::event::Recording& e) const {
    return {{"type", "recording"}, {"active", e.active}, {"id", e.id}};
  }
  json operator()(const sfu::event::LayersWanted& e) const {
    json layers = json::array();
    for (const auto& l : e.layers) layers.push_back({{"rid", l.rid}, {"active", l.active}});
    return {{"type", "layers_wanted"}, {"sid", e.sid}, {"layers", std::move(layers)}};
  }
  json operator()(const sfu::event::TrackPaused& e) const {
    return {{"type", "track_paused"}, {"sid", e.sid}, {"paused", e.paused}, {"reason", e.reason}};
  }
  json operator()(const sfu::event::BandwidthEstimate& e) const {
    return {{"type", "bandwidth"}, {"estimate_bps", e.estimate_bps}};
  }
  json operator()(const sfu::event::ConnectionMode& e) const {
    return {{"type", "connection_mode"}, {"mode", e.p2p ? "p2p" : "sfu"}, {"peers", e.peers}};
  }
  json operator()(const sfu::P2pSignal& e) const {
    using Kind = sfu::P2pSignal::Kind;
    if (e.kind == Kind::candidate) {
      const auto& c = e.candidate;
      json candidate = {{"candidate", c.candidate},
                        {"sdpMid", c.sdp_mid.empty() ? json(nullptr) : json(c.sdp_mid)},
                        {"sdpMLineIndex", c.sdp_mline_index < 0 ? json(nullptr) : json(c.sdp_mline_index)}};
      if (!c.username_fragment.empty()) candidate["usernameFragment"] = c.username_fragment;
      return {{"type", "p2p_candidate"}, {"from", e.peer}, {"candidate", std::move(candidate)}};
    }
    if (e.kind == Kind::failed) return {{"type", "p2p_failed"}, {"from", e.peer}};
    return {{"type", e.kind == Kind::offer ? "p2p_offer" : "p2p_answer"}, {"from", e.peer}, {"sdp", e.sdp}};
  }
};

// p2p_offer, p2p_answer, p2p_candidate, p2p_failed: one peer's direct-connection signaling.
request::P2p parse_p2p(const json& j, sfu::P2pSignal::Kind kind) {
  request::P2p r;
  r.signal.kind = kind;
  using Kind = sfu::P2pSignal::Kind;
  r.signal.peer = string_field(j, kind == Kind::failed ? "peer" : "to", request::P2p::kMaxIdentity);
  if (r.signal.peer.empty()) throw SchemaError{"the peer's identity must not be empty"};
  if (kind == Kind::offer || kind == Kind::answer) {
    r.signal.sdp = string_field(j, "sdp", sfu::P2pRelay::kMaxSdp);
  } else if (kind == Kind::candidate) {
    const json& c = field(j, "candidate");
    if (!c.is_object()) throw SchemaError{"field 'candidate' must be an object (RTCIceCandidateInit)"};
    auto& out = r.signal.candidate;
    out.candidate = string_field(c, "candidate", sfu::P2pRelay::kMaxCandidate);
    out.sdp_mid = optional_string(c, "sdpMid", 64);
    out.username_fragment = optional_string(c, "usernameFragment", 256);
    if (auto it = c.find("sdpMLineIndex"); it != c.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1023)
        throw SchemaError{"field 'sdpMLineIndex' must be an integer from 0 to 1023"};
      out.sdp_mline_index = int(it->get<int64_t>());
    }
  }
  return r;
}

// trickle: {target, candidate: RTCIceCandidateInit}; a missing or null candidate is nothing to keep.
request::Trickle parse_trickle(const json& j) {
  request::Trickle r{optional_string(j, "target", 32), {}};
  auto it = j.find("candidate");
  if (it == j.end() || it->is_null()) return r;
  if (!it->is_object()) throw SchemaError{"field 'candidate' must be an object (RTCIceCandidateInit)"};
  r.candidate = optional_string(*it, "candidate", sfu::P2pRelay::kMaxCandidate);
  return r;
}

}  // namespace

std::variant<Request, ProtocolError> parse_request(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ProtocolError{"bad_json", "the message is not valid JSON"};
  if (!j.is_object()) return ProtocolError{"bad_message", "a message must be a JSON object"};
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) {
    return ProtocolError{"bad_message", "a message needs a string field 'type'"};
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  try {
    if (type == "join") {
      request::Join r;
      r.token = string_field(j, "token", 8192);
      if (auto it = j.find("protocol"); it != j.end()) {
        if (!it->is_number_integer()) throw SchemaError{"field 'protocol' must be an integer"};
        // Read wide: a huge number must not wrap around to a supported version.
        const int64_t version = it->get<int64_t>();
        r.protocol = version >= 0 && version <= 1'000'000 ? int(version) : -1;
      }
      r.resume = optional_bool(j, "resume");
      if (auto it = j.find("e2ee"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) throw SchemaError{"field 'e2ee' must be an object"};
        r.e2ee_supported = optional_bool(*it, "supported");
        r.e2ee_require = optional_bool(*it, "require");
      }
      r.p2p = optional_bool(j, "p2p");
      r.resume_only = optional_bool(j, "resume_only");
      r.resume = r.resume || r.resume_only;
      return Request{r};
    }
    if (type == "offer") {
      request::Offer r;
      r.sdp = string_field(j, "sdp");
      if (auto it = j.find("tracks"); it != j.end() && !it->is_null()) {
        if (!it->is_array() || it->size() > 64)
          throw SchemaError{"field 'tracks' must be an array of at most 64"};
        for (const auto& t : *it) {
          if (!t.is_object()) throw SchemaError{"each track must be an object"};
          sfu::TrackMeta m;
          m.mid = string_field(t, "mid", 64);
          m.source = optional_string(t, "source", 64);
          m.name = optional_string(t, "name");
          m.muted = optional_bool(t, "muted");
          r.tracks.push_back(std::move(m));
        }
      }
      return Request{std::move(r)};
    }
    if (type == "answer") return Request{request::Answer{string_field(j, "sdp")}};
    if (type == "trickle") return Request{parse_trickle(j)};
    if (type == "mute") {
      request::Mute r;
      r.sid = string_field(j, "sid", 64);
      const json& m = field(j, "muted");
      if (!m.is_boolean()) throw SchemaError{"field 'muted' must be true or false"};
      r.muted = m.get<bool>();
      return Request{r};
    }
    if (type == "update") {
      request::Update r;
      if (j.contains("name")) r.name = string_field(j, "name", request::Update::kMaxName);
      if (j.contains("metadata")) r.metadata = string_field(j, "metadata", request::Update::kMaxMetadata);
      if (!r.name && !r.metadata) throw SchemaError{"give 'name' or 'metadata'"};
      return Request{std::move(r)};
    }
    if (type == "update_track_settings") {
      request::UpdateTrackSettings r;
      r.sid = string_field(j, "sid", 64);
      r.settings.width = uint32_t(optional_dimension(j, "width"));
      r.settings.height = uint32_t(optional_dimension(j, "height"));
      r.settings.visible = optional_bool(j, "visible", true);
      const std::string quality = optional_string(j, "quality", 16);
      if (quality == "low") {
        r.settings.max_layer = 0;
      } else if (quality == "medium") {
        r.settings.max_layer = 1;
      } else if (!quality.empty() && quality != "high") {
        throw SchemaError{"field 'quality' must be \"low\", \"medium\" or \"high\""};
      }
      return Request{std::move(r)};
    }
    if (type == "set_receive_bandwidth") {
      request::SetReceiveBandwidth r;
      const json& v = field(j, "max_bps");
      if (!v.is_null()) {
        if (!v.is_number_unsigned() || v.get<uint64_t>() > request::SetReceiveBandwidth::kMaxBps)
          throw SchemaError{"field 'max_bps' must be null or an integer from 0 to 100000000000"};
        r.max_bps = v.get<uint64_t>();
      }
      return Request{r};
    }
    if (type == "breakout_open") {
      request::BreakoutOpen r;
      const json& rooms = field(j, "rooms");
      if (!rooms.is_array() || rooms.size() > request::BreakoutOpen::kMaxRooms)
        throw SchemaError{"field 'rooms' must be an array of at most 64"};
      for (const auto& name : rooms) {
        if (!name.is_string() || name.get_ref<const std::string&>().size() > request::BreakoutOpen::kMaxName)
          throw SchemaError{"each room must be a string of at most 64 bytes"};
        r.rooms.push_back(name.get<std::string>());
      }
      return Request{std::move(r)};
    }
    if (type == "breakout_move") {
      request::BreakoutMove r;
      r.identity = string_field(j, "identity", 256);
      r.room = optional_string(j, "room", request::BreakoutOpen::kMaxName);
      return Request{std::move(r)};
    }
    if (type == "breakout_close") return Request{request::BreakoutClose{}};
    if (type == "leave") return Request{request::Leave{}};
    if (type == "start_recording") return Request{request::StartRecording{}};
    if (type == "stop_recording") return Request{request::StopRecording{}};
    if (type == "e2ee_announce") {
      return Request{
          request::E2eeAnnounce{string_field(j, "announcement", request::E2eeAnnounce::kMaxAnnouncement)}};
    }
    if (type == "e2ee_keys") {
      request::E2eeKeys r;
      const json& keys = field(j, "keys");
      if (!keys.is_array() || keys.empty() || keys.size() > request::E2eeKeys::kMaxKeys)
        throw SchemaError{"field 'keys' must be an array of 1 to 64"};
      for (const auto& k : keys) {
        if (!k.is_object()) throw SchemaError{"each key must be an object"};
        sfu::E2eeKeyEnvelope envelope;
        envelope.to = string_field(k, "to", request::E2eeKeys::kMaxIdentity);
        envelope.blob = string_field(k, "blob", request::E2eeKeys::kMaxBlob);
        if (envelope.to.empty()) throw SchemaError{"field 'to' must not be empty"};
        r.keys.push_back(std::move(envelope));
      }
      return Request{std::move(r)};
    }
    if (type == "p2p_offer") return Request{parse_p2p(j, sfu::P2pSignal::Kind::offer)};
    if (type == "p2p_answer") return Request{parse_p2p(j, sfu::P2pSignal::Kind::answer)};
    if (type == "p2p_candidate") return Request{parse_p2p(j, sfu::P2pSignal::Kind::candidate)};
    if (type == "p2p_failed") return Request{parse_p2p(j, sfu::P2pSignal::Kind::failed)};
    if (type == "get_stats") {
      request::GetStats r;
      r.request_id = optional_string(j, "request_id", request::GetStats::kMaxRequestId);
      if (auto it = j.find("participant"); it != j.end() && !it->is_null())
        r.participant = string_field(j, "participant", request::GetStats::kMaxIdentity);
      return Request{std::move(r)};
    }
    if (type == "ping") {
      request::Ping r;
      // Echoed as given when it is an integer (or a float that is one, within
      // JavaScript's exact range); anything else is echoed as 0.
      if (auto it = j.find("timestamp"); it != j.end()) {
        if (it->is_number_integer()) {
          r.timestamp = it->get<int64_t>();
        } else if (it->is_number_float()) {
          const double t = it->get<double>();
          if (std::isfinite(t) && std::abs(t) <= 9007199254740991.0) r.timestamp = int64_t(t);
        }
      }
      return Request{r};
    }
  } catch (const SchemaError& e) {
    return ProtocolError{"bad_message", type + ": " + e.message};
  } catch (const json::exception& e) {
    return ProtocolError{"bad_message", type + ": " + e.what()};
  }
  return ProtocolError{"unknown_type", "unknown message type '" + type.substr(0, 64) + "'"};
}

std::string_view request_name(const Request& request) {
  static constexpr std::string_view kNames[] = {"join",
                                                "offer",
                                                "answer",
                                                "trickle",
                                                "mute",
                                                "update",
                                                "leave",
                                                "ping",
                                                "e2ee_announce",
                                                "e2ee_keys",
                                                "start_recording",
                                                "stop_recording",
                                                "update_track_settings",
                                                "set_receive_bandwidth",
                                                "breakout_open",
                                                "breakout_move",
                                                "breakout_close",
                                                "p2p",
                                                "get_stats"};
  static_assert(std::size(kNames) == std::variant_size_v<Request>);
  if (auto* p2p = std::get_if<request::P2p>(&request)) {
    static constexpr std::string_view kP2pNames[] = {"p2p_offer", "p2p_answer", "p2p_candidate",
                                                     "p2p_failed"};
    return kP2pNames[size_t(p2p->signal.kind)];
  }
  return kNames[request.index()];
}

std::string serialize_event(const sfu::RoomEvent& event, const std::vector<IceServer>& ice_servers) {
  json j = std::visit(EventWriter{}, event);
  if (std::holds_alternative<sfu::event::Joined>(event)) {
    json servers = json::array();
    for (const auto& s : ice_servers) {
      json entry = {{"urls", s.urls}};
      if (!s.username.empty()) {
        entry["username"] = s.username;
        entry["credential"] = s.credential;
      }
      servers.push_back(std::move(entry));
    }
    j["iceServers"] = std::move(servers);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string serialize_error(std::string_view code, std::string_view message, std::string_view request_type) {
  json j = {{"type", "error"}, {"code", code}, {"message", message}};
  if (!request_type.empty()) j["request"] = request_type;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string serialize_pong(int64_t timestamp) {
  return json{{"type", "pong"}, {"timestamp", timestamp}}.dump();
}

std::string serialize_move(const std::string& room, const std::string& token, const std::string& url,
                           const std::string& reason) {
  json j = {{"type", "move"}, {"room", room}, {"token", token}, {"reason", reason}};
  if (!url.empty()) j["url"] = url;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string serialize_reconnect(const std::string& url, const std::string& reason) {
  json j = {{"type", "reconnect"}, {"url", url}, {"reason", reason}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string serialize_breakout_state(const std::string& main_room,
                                     const std::vector<BreakoutRoomState>& rooms) {
  json list = json::array();
  for (const auto& r : rooms)
    list.push_back({{"name", r.name}, {"room", r.room}, {"participants", r.participants}});
  json j = {{"type", "breakout_state"}, {"room", main_room}, {"rooms", std::move(list)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ct::signal

#include "cascade/CascadeMessage.hpp"

#include <nlohmann/json.hpp>

namespace ct::cascade {

namespace {

using nlohmann::json;

json to_object(const CascadeParticipant& p) {
  return {{"type", "participant"},
          {"identity", p.identity},
          {"name", p.name},
          {"metadata", p.metadata},
          {"present", p.present},
          {"e2ee_announcement", p.e2ee_announcement},
          {"e2ee_supported", p.e2ee_supported}};
}

json to_object(const CascadeTrack& t) {
  json layers = json::array();
  for (const auto& l : t.layers)
    layers.push_back({{"rid", l.rid}, {"ssrc", l.ssrc}, {"rtx_ssrc", l.rtx_ssrc}});
  json j = {{"type", "track"},
            {"sid", t.sid},
            {"participant", t.participant},
            {"kind", t.kind},
            {"source", t.source},
            {"name", t.name},
            {"codec", t.codec},
            {"clock_rate", t.clock_rate},
            {"channels", t.channels},
            {"fmtp", t.fmtp},
            {"payload_type", t.payload_type},
            {"layers", layers},
            {"muted", t.muted},
            {"published", t.published}};
  if (t.rtx_payload_type) j["rtx_payload_type"] = *t.rtx_payload_type;
  const auto& e = t.extensions;
  j["extensions"] = {{"mid", e.mid}, {"audio_level", e.audio_level},   {"abs_send_time", e.abs_send_time},
                     {"rid", e.rid}, {"repaired_rid", e.repaired_rid}, {"transport_cc", e.transport_cc}};
  return j;
}

json to_object(const CascadeWant& w) {
  return {{"type", "want"}, {"sid", w.sid}, {"subscribers", w.subscribers}, {"layers", w.layers}};
}

json to_object(const CascadeKey& k) {
  return {{"type", "key"}, {"from", k.from}, {"to", k.to}, {"blob", k.blob}};
}

// Field readers: false when the field is missing, of another type, or out of bounds.
struct Reader {
  const json& j;
  bool text(const char* key, std::string& out, size_t max, bool required = true) const {
    auto it = j.find(key);
    if (it == j.end()) return !required;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return out.size() <= max && (!required || !out.empty());
  }
  template <class T>
  bool number(const char* key, T& out, uint64_t max, bool required = true) const {
    auto it = j.find(key);
    if (it == j.end()) return !required;
    if (!it->is_number_unsigned() || it->get<uint64_t>() > max) return false;
    out = static_cast<T>(it->get<uint64_t>());
    return true;
  }
  bool flag(const char* key, bool& out) const {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_boolean()) return false;
    out = it->get<bool>();
    return true;
  }
};

std::optional<CascadeMessage> parse_participant(const Reader& r) {
  CascadeParticipant p;
  if (!r.text("identity", p.identity, kMaxCascadeIdentity) || !r.text("name", p.name, 256, false) ||
      !r.text("metadata", p.metadata, kMaxCascadeMetadata, false) || !r.flag("present", p.present) ||
      !r.text("e2ee_announcement", p.e2ee_announcement, kMaxCascadeAnnouncement, false) ||
      !r.flag("e2ee_supported", p.e2ee_supported))
    return std::nullopt;
  return p;
}

std::optional<CascadeMessage> parse_track(const Reader& r) {
  CascadeTrack t;
  if (!r.text("sid", t.sid, 64) || !r.text("participant", t.participant, kMaxCascadeIdentity) ||
      !r.text("kind", t.kind, 5) || !r.text("source", t.source, 32, false) ||
      !r.text("name", t.name, 256, false) || !r.text("codec", t.codec, 16) ||
      !r.number("clock_rate", t.clock_rate, 1'000'000) || !r.number("channels", t.channels, 8, false) ||
      !r.text("fmtp", t.fmtp, 1024, false) || !r.number("payload_type", t.payload_type, 127) ||
      !r.flag("muted", t.muted) || !r.flag("published", t.published))
    return std::nullopt;
  if ((t.kind != "audio" && t.kind != "video") || t.clock_rate == 0) return std::nullopt;
  if (r.j.contains("rtx_payload_type")) {
    uint8_t rtx = 0;
    if (!r.number("rtx_payload_type", rtx, 127)) return std::nullopt;
    t.rtx_payload_type = rtx;
  }
  if (auto ext = r.j.find("extensions"); ext != r.j.end()) {
    if (!ext->is_object()) return std::nullopt;
    Reader er{*ext};
    auto& e = t.extensions;
    // RFC 8285 §4.3: one-byte ids 1..14, two-byte ids up to 255.
    if (!er.number("mid", e.mid, 255, false) || !er.number("audio_level", e.audio_level, 255, false) ||
        !er.number("abs_send_time", e.abs_send_time, 255, false) || !er.number("rid", e.rid, 255, false) ||
        !er.number("repaired_rid", e.repaired_rid, 255, false) ||
        !er.number("transport_cc", e.transport_cc, 255, false))
      return std::nullopt;
  }
  auto layers = r.j.find("layers");
  if (layers == r.j.end() || !layers->is_array() || layers->empty() || layers->size() > 3)
    return std::nullopt;
  for (const auto& l : *layers) {
    if (!l.is_object()) return std::nullopt;
    Reader lr{l};
    CascadeLayer layer;
    if (!lr.text("rid", layer.rid, 16, false) || !lr.number("ssrc", layer.ssrc, UINT32_MAX) ||
        !lr.number("rtx_ssrc", layer.rtx_ssrc, UINT32_MAX, false))
      return std::nullopt;
    t.layers.push_back(std::move(layer));
  }
  return t;
}

std::optional<CascadeMessage> parse_want(const Reader& r) {
  CascadeWant w;
  // At most three layers (CascadeTrack): a mask of three bits.
  if (!r.text("sid", w.sid, 64) || !r.number("subscribers", w.subscribers, 1'000'000) ||
      !r.number("layers", w.layers, 7, false))
    return std::nullopt;
  return w;
}

std::optional<CascadeMessage> parse_key(const Reader& r) {
  CascadeKey k;
  if (!r.text("from", k.from, kMaxCascadeIdentity) || !r.text("to", k.to, kMaxCascadeIdentity) ||
      !r.text("blob", k.blob, kMaxCascadeKeyBlob))
    return std::nullopt;
  return k;
}

}  // namespace

std::string to_json(const CascadeMessage& message) {
  return std::visit([](const auto& m) { return to_object(m).dump(); }, message);
}

std::optional<CascadeMessage> parse_cascade_message(std::string_view text) {
  if (text.size() > kMaxCascadeMessage) return std::nullopt;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return std::nullopt;
  Reader r{j};
  if (*type == "participant") return parse_participant(r);
  if (*type == "track") return parse_track(r);
  if (*type == "want") return parse_want(r);
  if (*type == "key") return parse_key(r);
  return std::nullopt;
}

}  // namespace ct::cascade

#include "app/RoomCommand.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/ApiClient.hpp"

namespace ct::app {

using Json = nlohmann::json;

namespace {

// Columns padded to their widest cell.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string text_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return it->dump();
}

// What every call shares: where the server is, how to sign, how to print.
struct CallOptions {
  std::string url = "http://127.0.0.1:7880";
  TokenCreateOptions key;  // only the key options are used
  bool json = false;
};

void add_call_options(CLI::App* cmd, CallOptions& o) {
  cmd->add_option("--url", o.url, "Server URL")->capture_default_str();
  cmd->add_option("--api-key", o.key.api_key, "API key; env CIPHERTALK_API_KEY");
  cmd->add_option("--api-secret", o.key.api_secret, "Secret of the API key; env CIPHERTALK_API_SECRET");
  cmd->add_flag("--dev", o.key.dev, "Sign with the development key of `serve --dev`");
  cmd->add_option("-c,--config", o.key.config_file, "YAML file with keys: {KEY: SECRET}")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--json", o.json, "Print the API's JSON answer instead of a table");
}

[[noreturn]] void fail(const std::string& command, const std::string& message, int code) {
  std::fprintf(stderr, "ciphertalk %s: %s\n", command.c_str(), message.c_str());
  throw CLI::RuntimeError(code);
}

// Signs, calls, and returns the answer's JSON (null for 204); exits 1 on an API error.
Json call(const std::string& command, CallOptions o, const std::string& room,
          const std::vector<std::string>& grants, const std::string& method, const std::string& path,
          const std::optional<Json>& body = std::nullopt) {
  if (!o.key.dev && o.key.config_file.empty() && o.key.api_secret.empty()) {
    if (const char* secret = std::getenv("CIPHERTALK_API_SECRET")) o.key.api_secret = secret;
    if (const char* key = std::getenv("CIPHERTALK_API_KEY"); key && o.key.api_key.empty())
      o.key.api_key = key;
  }
  std::string token;
  if (auto err = make_api_token(o.key, room, grants, token)) fail(command, *err, 2);
  ApiClient client(o.url, token);
  auto r = client.request(method, path, body ? std::optional<std::string>(body->dump()) : std::nullopt);
  if (r.status == 0) fail(command, r.error, 1);
  Json answer = r.body.empty() ? Json() : Json::parse(r.body, nullptr, false);
  if (r.status >= 400) {
    std::string why =
        answer.is_object() ? text_of(answer, "code") + ": " + text_of(answer, "message") : r.body;
    fail(command, std::to_string(r.status) + " " + why, 1);
  }
  return answer;
}

std::string room_path(const std::string& room) { return "/api/rooms/" + ApiClient::escape_segment(room); }
std::string participant_path(const std::string& room, const std::string& identity) {
  return room_path(room) + "/participants/" + ApiClient::escape_segment(identity);
}

void print(const Json& j) { std::printf("%s\n", j.is_null() ? "{}" : j.dump(2).c_str()); }

}  // namespace

std::optional<std::string> make_api_token(const TokenCreateOptions& key_options, const std::string& room,
                                          const std::vector<std::string>& grants, std::string& token) {
  TokenCreateOptions o = key_options;
  o.room = room;
  o.identity = "ciphertalk-cli";
  o.grants = grants;
  o.ttl = "60s";
  return create_token(o, std::chrono::system_clock::now(), token);
}

Json room_create_body(const RoomCreateOptions& o) {
  Json body = {{"name", o.name}};
  if (o.max_participants) body["max_participants"] = *o.max_participants;
  if (o.empty_timeout) body["empty_timeout"] = *o.empty_timeout;
  if (o.e2ee) body["e2ee"] = true;
  if (o.record) body["recording"] = true;
  if (o.metadata) body["metadata"] = *o.metadata;
  return body;
}

Json participant_update_body(const ParticipantUpdateOptions& o) {
  Json body = Json::object();
  if (o.name) body["name"] = *o.name;
  if (o.metadata) body["metadata"] = *o.metadata;
  Json permissions = Json::object();
  if (o.can_publish) permissions["canPublish"] = *o.can_publish;
  if (o.can_subscribe) permissions["canSubscribe"] = *o.can_subscribe;
  if (o.can_publish_data) permissions["canPublishData"] = *o.can_publish_data;
  if (!permissions.empty()) body["permissions"] = std::move(permissions);
  return body;
}

std::string rooms_table(const Json& rooms) {
  std::vector<std::vector<std::string>> rows{
      {"NAME", "PARTICIPANTS", "PUBLISHERS", "MAX", "E2EE", "RECORDING"}};
  for (const auto& r : rooms) {
    const Json& s = r.value("settings", Json::object());
    std::string max = s.value("max_participants", 0) ? std::to_string(s.value("max_participants", 0)) : "-";
    rows.push_back({text_of(r, "name"), text_of(r, "num_participants"), text_of(r, "num_publishers"), max,
                    text_of(s, "e2ee"),
                    r.value("recording", Json::object()).value("active", false) ? "yes" : "no"});
  }
  return table(rows);
}

std::string participants_table(const Json& participants) {
  std::vector<std::vector<std::string>> rows{{"IDENTITY", "NAME", "TRACKS", "PUBLISH", "SUBSCRIBE"}};
  for (const auto& p : participants) {
    std::string tracks;
    for (const auto& t : p.value("tracks", Json::array())) {
      tracks += (tracks.empty() ? "" : ",") + text_of(t, "kind") + (t.value("muted", false) ? "(muted)" : "");
    }
    const Json& perm = p.value("permissions", Json::object());
    rows.push_back({text_of(p, "identity"), text_of(p, "name"), tracks.empty() ? "-" : tracks,
                    text_of(perm, "canPublish"), text_of(perm, "canSubscribe")});
  }
  return table(rows);
}

// The stats endpoint's answer: one line for the participant, a row per track.
std::string stats_table(const Json& s) {
  std::string out = "quality " + text_of(s, "connection_quality") + ", candidate " +
                    text_of(s, "candidate_type") + ", rtt " + text_of(s, "rtt_ms") + " ms, estimate " +
                    text_of(s, "bandwidth_estimate_bps") + " bit/s\n";
  std::vector<std::vector<std::string>> rows{
      {"DIRECTION", "SID", "FROM", "KIND", "CODEC", "BITRATE", "PACKETS", "LOSS", "JITTER_MS", "LAYER"}};
  for (const auto& t : s.value("published", Json::array()))
    rows.push_back({"sends", text_of(t, "sid"), "-", text_of(t, "kind"), text_of(t, "codec"),
                    text_of(t, "bitrate_bps"), text_of(t, "packets"), text_of(t, "loss"),
                    text_of(t, "jitter_ms"), "-"});
  for (const auto& t : s.value("subscribed", Json::array()))
    rows.push_back({"receives", text_of(t, "sid"), text_of(t, "publisher"), text_of(t, "kind"),
                    text_of(t, "codec"), text_of(t, "bitrate_bps"), text_of(t, "packets"), text_of(t, "loss"),
                    text_of(t, "jitter_ms"), t.value("paused", false) ? "paused" : text_of(t, "layer")});
  return out + table(rows);
}

void add_room_commands(CLI::App& app) {
  auto* room = app.add_subcommand("room", "Rooms through the room service API (docs/api.md)");
  room->require_subcommand(1);
  auto* participant =
      app.add_subcommand("participant", "Participants through the room service API (docs/api.md)");
  participant->require_subcommand(1);

  {
    auto* cmd = room->add_subcommand("list", "List every room");
    auto o = std::make_shared<CallOptions>();
    add_call_options(cmd, *o);
    cmd->callback([o] {
      Json r = call("room list", *o, "", {"room-list"}, "GET", "/api/rooms");
      if (o->json) return print(r);
      std::fputs(rooms_table(r.value("rooms", Json::array())).c_str(), stdout);
    });
  }
  {
    auto* cmd = room->add_subcommand("create", "Create a room with its settings");
    auto o = std::make_shared<CallOptions>();
    auto c = std::make_shared<RoomCreateOptions>();
    add_call_options(cmd, *o);
    cmd->add_option("name", c->name, "Room name")->required();
    cmd->add_option("--max-participants", c->max_participants, "At most this many participants");
    cmd->add_option("--empty-timeout", c->empty_timeout, "Seconds the room lives without participants (300)");
    cmd->add_flag("--e2ee", c->e2ee, "Require end-to-end encryption");
    cmd->add_flag("--record", c->record, "Record from the first publication on");
    cmd->add_option("--metadata", c->metadata, "Application data for the room");
    cmd->callback([o, c] {
      Json r = call("room create", *o, "", {"room-create"}, "POST", "/api/rooms", room_create_body(*c));
      if (o->json) return print(r);
      std::fputs(rooms_table(Json::array({r})).c_str(), stdout);
    });
  }
  {
    auto* cmd = room->add_subcommand("delete", "Remove everyone from a room and close it");
    auto o = std::make_shared<CallOptions>();
    auto name = std::make_shared<std::string>();
    add_call_options(cmd, *o);
    cmd->add_option("name", *name, "Room name")->required();
    cmd->callback([o, name] {
      call("room delete", *o, "", {"room-create"}, "DELETE", room_path(*name));
      if (!o->json) std::printf("deleted %s\n", name->c_str());
    });
  }

  struct Target {
    std::string room, identity, sid;
  };
  auto participant_cmd = [&](const char* name, const char* help, bool identity, bool sid) {
    auto* cmd = participant->add_subcommand(name, help);
    auto o = std::make_shared<CallOptions>();
    auto t = std::make_shared<Target>();
    add_call_options(cmd, *o);
    cmd->add_option("room", t->room, "Room name")->required();
    if (identity) cmd->add_option("identity", t->identity, "Participant identity")->required();
    if (sid) cmd->add_option("track", t->sid, "Track sid (TR_...)")->required();
    return std::tuple{cmd, o, t};
  };
  const std::vector<std::string> admin{"admin"};
  {
    auto [cmd, o, t] = participant_cmd("list", "List a room's participants", false, false);
    cmd->callback([o = o, t = t, admin] {
      Json r = call("participant list", *o, t->room, admin, "GET", room_path(t->room) + "/participants");
      if (o->json) return print(r);
      std::fputs(participants_table(r.value("participants", Json::array())).c_str(), stdout);
    });
  }
  {
    auto [cmd, o, t] = participant_cmd("get", "Show one participant", true, false);
    cmd->callback([o = o, t = t, admin] {
      Json r = call("participant get", *o, t->room, admin, "GET", participant_path(t->room, t->identity));
      if (o->json) return print(r);
      std::fputs(participants_table(Json::array({r})).c_str(), stdout);
    });
  }
  {
    auto [cmd, o, t] =
        participant_cmd("stats", "Show a participant's connection and track stats", true, false);
    cmd->callback([o = o, t = t, admin] {
      Json r = call("participant stats", *o, t->room, admin, "GET",
                    participant_path(t->room, t->identity) + "/stats");
      if (o->json) return print(r);
      std::fputs(stats_table(r).c_str(), stdout);
    });
  }
  {
    auto [cmd, o, t] = participant_cmd("remove", "Remove a participant from its room", true, false);
    cmd->callback([o = o, t = t, admin] {
      call("participant remove", *o, t->room, admin, "DELETE", participant_path(t->room, t->identity));
      if (!o->json) std::printf("removed %s from %s\n", t->identity.c_str(), t->room.c_str());
    });
  }
  {
    auto [cmd, o, t] = participant_cmd("mute", "Mute (or --unmute) a participant's track", true, true);
    auto unmute = std::make_shared<bool>(false);
    cmd->add_flag("--unmute", *unmute, "Unmute instead");
    cmd->callback([o = o, t = t, admin, unmute] {
      Json r = call(
          "participant mute", *o, t->room, admin, "POST",
          participant_path(t->room, t->identity) + "/tracks/" + ApiClient::escape_segment(t->sid) + "/mute",
          Json{{"muted", !*unmute}});
      if (o->json) return print(r);
      std::printf("%s %s\n", *unmute ? "unmuted" : "muted", t->sid.c_str());
    });
  }
  {
    auto [cmd, o, t] =
        participant_cmd("update", "Change a participant's name, metadata or permissions", true, false);
    auto u = std::make_shared<ParticipantUpdateOptions>();
    cmd->add_option("--name", u->name, "Display name");
    cmd->add_option("--metadata", u->metadata, "Application data");
    cmd->add_option("--can-publish", u->can_publish, "true or false (false unpublishes its tracks)");
    cmd->add_option("--can-subscribe", u->can_subscribe, "true or false");
    cmd->add_option("--can-publish-data", u->can_publish_data, "true or false");
    cmd->callback([o = o, t = t, admin, u] {
      Json r = call("participant update", *o, t->room, admin, "PATCH", participant_path(t->room, t->identity),
                    participant_update_body(*u));
      if (o->json) return print(r);
      std::fputs(participants_table(Json::array({r})).c_str(), stdout);
    });
  }
}

}  // namespace ct::app

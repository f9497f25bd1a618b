#pragma once
// One load participant's conversation with Janus' VideoRoom plugin
// (janus.plugin.videoroom, Janus API over its WebSocket transport), mapped
// onto the /rtc-shaped messages a Participant sends and expects
// (docs/protocol.md), so the participant's media machinery stays the same:
//
//   participant            Janus API
//   join            ->     create session, attach the plugin, create the
//                          room (427 "already exists" is fine), then
//                          publisher: join ptype publisher   -> joined
//                          subscriber: listparticipants until every
//                          publisher has media, join ptype subscriber with
//                          one stream per feed -> joined, and the offer
//                          Janus makes ("attached" + jsep) -> offer
//   offer           ->     configure + jsep offer            -> answer
//   answer          ->     start + jsep answer
//   leave           ->     destroy the session
//
// Janus errors come back as {"type":"error"}, a hangup or a session timeout
// as {"type":"removed"}. No I/O of its own: text in, text out, time passed in.
// Everything Janus sends is untrusted and checked for shape.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/Clock.hpp"

namespace ct::loadtest {

class JanusVideoRoomClient {
 public:
  using Output = std::function<void(std::string text)>;

  // The numeric room id Janus uses for a room name: the name itself when it
  // is a decimal number below 2^53, otherwise a hash of it (FNV-1a) in
  // 1..2^31.
  static uint64_t room_id(const std::string& room_name);

  // Janus keeps a session for 60 s without requests (session_timeout).
  static constexpr Duration kKeepaliveInterval = seconds(25);
  // A subscriber asks again for the room's publishers this often until
  // every one of them has media.
  static constexpr Duration kListRetry = milliseconds(100);

  JanusVideoRoomClient(bool publisher, std::string room_name, std::string display, Output to_janus,
                       Output to_participant);

  // A /rtc-shaped message from the participant (join, offer, answer, leave).
  void on_participant_message(const std::string& text, TimePoint now);
  // A Janus API message (untrusted).
  void on_janus_message(const std::string& text, TimePoint now);
  // Keepalives and the subscriber's publisher polling.
  void on_tick(TimePoint now);

  uint64_t session_id() const { return session_id_; }
  uint64_t handle_id() const { return handle_id_; }
  const std::vector<uint64_t>& feeds() const { return feeds_; }

 private:
  enum class Step { Idle, Session, Attach, Room, Join, List, Subscribe, Ready, Gone };

  // Sends a Janus API request; its answer is matched by transaction.
  void send_janus(const std::string& purpose, nlohmann::json request);
  void send_plugin(const std::string& purpose, nlohmann::json body, const nlohmann::json* jsep = nullptr);
  void on_answer(const std::string& purpose, const nlohmann::json& message, TimePoint now);
  void on_plugin_event(const nlohmann::json& data, const nlohmann::json* jsep);
  void after_room();
  void list_publishers();
  void fail(const std::string& code, const std::string& message);
  void removed(const std::string& reason);

  const bool publisher_;
  const std::string room_name_, display_;
  const uint64_t room_;
  Output to_janus_, to_participant_;
  Step step_ = Step::Idle;
  uint64_t session_id_ = 0, handle_id_ = 0;
  uint64_t transaction_counter_ = 0;
  std::map<std::string, std::string> pending_;  // transaction -> what it asked for
  std::vector<uint64_t> feeds_;                 // subscriber: the publishers it subscribed to
  TimePoint next_keepalive_{}, next_list_{};
  bool list_due_ = false;
};

}  // namespace ct::loadtest

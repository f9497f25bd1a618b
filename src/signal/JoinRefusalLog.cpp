#include "signal/JoinRefusalLog.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/Log.hpp"
#include "http/HttpResponse.hpp"

namespace ct::signal {

void JoinRefusalLog::claimed(std::string room, std::string identity) {
  room_ = std::move(room);
  identity_ = std::move(identity);
}

void JoinRefusalLog::on_error(std::string_view code, std::string_view request_type,
                              std::string_view remote_ip) {
  if (!request_type.empty() && request_type != "join") return;
  write(code, room_, identity_, remote_ip);
  if (request_type == "join") claimed({}, {});
}

http::Responder JoinRefusalLog::logging_refusals(http::Responder respond, std::string room,
                                                 std::string remote_ip) {
  return [respond = std::move(respond), room = std::move(room),
          remote_ip = std::move(remote_ip)](http::HttpResponse r) {
    if (r.status >= 400) {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      auto code = body.is_object() ? body.find("code") : body.end();
      const bool named = body.is_object() && code != body.end() && code->is_string();
      write(named ? code->get_ref<const std::string&>() : std::to_string(r.status), room, {}, remote_ip);
    }
    respond(std::move(r));
  };
}

void JoinRefusalLog::write(std::string_view code, std::string_view room, std::string_view identity,
                           std::string_view remote_ip) {
  log_event(spdlog::level::info,
            {.room = room, .participant = identity, .event = "join", .outcome = code, .remote = remote_ip},
            "join refused");
}

}  // namespace ct::signal

#include "loadtest/ChurnRun.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "loadtest/Participant.hpp"
#include "loadtest/WsUrl.hpp"

namespace ct::loadtest {

namespace {

constexpr Duration kTick = milliseconds(2);
// A participant that left stays a moment so its leave, close_notify and
// WebSocket close go out before its socket closes.
constexpr Duration kLinger = seconds(1);
// A failed join is retried (a new participant in its place) after this.
constexpr Duration kRejoinPause = seconds(1);

Duration seconds_of(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace

class ChurnRun::Impl {
 public:
  Impl(const Scenario& scenario, TokenIssuer issuer) : scenario_(scenario), issue_token_(std::move(issuer)) {}

  ChurnReport run() {
    auto& r = report_;
    r.rooms = std::max(1u, scenario_.rooms);
    r.publishers = scenario_.publishers;
    r.subscribers = scenario_.subscribers;
    r.join_within_s = scenario_.join_within_s;
    r.churn_interval_s = scenario_.churn_interval_s;
    auto url = WsUrl::parse(scenario_.url);
    if (!url) {
      r.error = "invalid --url '" + scenario_.url + "' (ws://HOST:PORT[/PATH])";
      return r;
    }
    if (scenario_.target != ServerTarget::CipherTalk || scenario_.simulcast) {
      r.error = "--join-within and --churn-interval need --target ciphertalk without --simulcast";
      return r;
    }
    endpoint_ = SignalEndpoint{url->host, url->port, url->path, scenario_.target, scenario_.room};
    // Participant-major: the publishers of every room join first, then the
    // subscribers, so every room fills over the whole spread.
    const unsigned per_room = scenario_.publishers + scenario_.subscribers;
    for (unsigned i = 0; i < per_room; ++i) {
      for (unsigned room = 0; room < r.rooms; ++room) {
        Slot slot;
        slot.room = room;
        slot.index = i < scenario_.publishers ? i : i - scenario_.publishers;
        slot.role = i < scenario_.publishers ? Participant::Role::Publisher : Participant::Role::Subscriber;
        slots_.push_back(std::move(slot));
      }
    }
    started_ = Clock::now();
    end_of_joins_ = started_ + seconds_of(scenario_.join_within_s);
    end_of_run_ = end_of_joins_ + seconds_of(scenario_.duration_s);
    next_churn_ = end_of_joins_ + seconds_of(scenario_.churn_interval_s);
    arm();
    io_.run();
    r.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
    r.ok = r.error.empty() && r.failed_joins == 0 && r.joins > 0;
    return r;
  }

 private:
  enum class Phase { Running, Settling, Leaving };

  struct Slot {
    unsigned room = 0, index = 0;
    Participant::Role role = Participant::Role::Subscriber;
    unsigned generation = 0;  // how many participants this slot has had
    std::unique_ptr<Participant> participant;
    TimePoint joined_at{};
    bool media_started = false;  // publisher: sending
    bool has_media = false;      // its first media is counted
    TimePoint rejoin_at{};       // after a failed join, while running: when to try again
    // Publisher: the one being replaced, which leaves once its successor
    // sends, so the room's subscribers always have a track to receive.
    std::unique_ptr<Participant> outgoing;
  };

  struct Retired {
    std::unique_ptr<Participant> participant;
    TimePoint left_at{};
  };

  void arm() {
    timer_.expires_after(kTick);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (step(Clock::now())) arm();
    });
  }

  std::string room_name(unsigned room) const {
    return report_.rooms == 1 ? scenario_.room : scenario_.room + "-" + std::to_string(room);
  }

  void join(Slot& slot, TimePoint now) {
    const bool publisher = slot.role == Participant::Role::Publisher;
    const std::string tag = report_.rooms == 1 ? "" : "r" + std::to_string(slot.room) + "-";
    Participant::Config c;
    c.role = slot.role;
    c.identity = "loadtest-" + tag + (publisher ? "pub-" : "sub-") + std::to_string(slot.index) + "-g" +
                 std::to_string(slot.generation++);
    c.video_pps = scenario_.video_pps;
    c.payload_bytes = scenario_.payload_bytes;
    c.audio = scenario_.audio;
    c.unprotect_interval = scenario_.unprotect_interval;
    c.polled_receive = !scenario_.wake_on_receive;
    c.source = uint16_t(slot.index);
    if (!scenario_.bind_address.empty()) {
      c.bind_address = scenario_.bind_address;
      c.bind_signaling = true;
    }
    try {
      c.token = issue_token_(room_name(slot.room), c.identity, slot.role);
    } catch (const std::exception& e) {
      fail_join(e.what());
      slot.rejoin_at = now + kRejoinPause;
      return;
    }
    SignalEndpoint endpoint = endpoint_;
    endpoint.room = room_name(slot.room);
    slot.participant = std::make_unique<Participant>(io_, certificate_, endpoint, std::move(c));
    slot.joined_at = now;
    slot.media_started = false;
    slot.has_media = false;
    ++report_.joins;
    slot.participant->start(now);
  }

  void fail_join(const std::string& reason) {
    ++report_.failed_joins;
    if (report_.error.empty()) report_.error = reason;
  }

  // Moves a participant out (it leaves and lingers); the pointer is empty after.
  void retire(std::unique_ptr<Participant>& participant, TimePoint now) {
    if (!participant) return;
    report_.packets_received += participant->stats().rtp_received;
    participant->leave();
    retired_.push_back({std::move(participant), now});
  }

  // A room's subscriber joins once one of its publishers sends: the server
  // offers a subscriber only what is published (a load participant takes no
  // data channel), and a join storm's publishers join first anyway.
  bool may_join(const Slot& slot) const {
    if (slot.role == Participant::Role::Publisher || scenario_.publishers == 0) return true;
    for (const auto& s : slots_)
      if (s.room == slot.room && s.role == Participant::Role::Publisher && s.media_started) return true;
    return false;
  }

  // One participant in turn leaves and a new one takes its place.
  void churn(Slot& slot, TimePoint now) {
    if (!slot.participant || slot.outgoing) return;
    ++report_.churn_leaves;
    if (slot.role == Participant::Role::Publisher)
      slot.outgoing = std::move(slot.participant);  // leaves when its successor sends
    else
      retire(slot.participant, now);
    join(slot, now);
  }

  // The slot's participant this tick: media, its first media, its failure.
  void check(Slot& slot, TimePoint now) {
    auto& p = *slot.participant;
    if (slot.role == Participant::Role::Publisher && !slot.media_started && p.connected()) {
      p.start_media(now);
      slot.media_started = true;
    }
    if (!slot.has_media && p.first_media_time() > Duration::zero()) {
      slot.has_media = true;
      report_.first_media.add(std::chrono::duration<double, std::milli>(p.first_media_time()).count());
    }
    if (slot.outgoing && (slot.has_media || p.failed())) retire(slot.outgoing, now);
    std::string failure;
    if (p.failed())
      failure = p.error();
    else if (!slot.has_media && now - slot.joined_at > seconds_of(scenario_.setup_timeout_s))
    {
      // Say how far it got, so a failure points at signaling, ICE/DTLS or media.
      const Participant::Stats st = p.stats();
      failure = p.config().identity + ": no media within " + std::to_string(int(scenario_.setup_timeout_s)) +
                " s of joining (offers answered " + std::to_string(st.offers_answered) + ", tracks " +
                std::to_string(p.subscribed_tracks()) + ", transport " + (p.connected() ? "up" : "down") +
                ", datagrams received " + std::to_string(st.datagrams_received) + ", RTP " +
                std::to_string(st.rtp_received) + ", unprotected " + std::to_string(st.rtp_unprotected) +
                ", SRTP errors " + std::to_string(st.srtp_errors) + ")";
    }
    if (failure.empty()) return;
    fail_join(failure);
    retire(slot.participant, now);
    slot.rejoin_at = now + kRejoinPause;
  }

  // False when the run is over.
  bool step(TimePoint now) {
    for (auto& slot : slots_) {
      if (slot.participant) slot.participant->on_tick(now);
      if (slot.outgoing) slot.outgoing->on_tick(now);
    }
    for (auto& r : retired_) r.participant->on_tick(now);
    std::erase_if(retired_, [now](const Retired& r) { return now - r.left_at > kLinger; });
    if (phase_ == Phase::Leaving) {
      if (!retired_.empty()) return true;
      io_.stop();
      return false;
    }
    if (phase_ == Phase::Running) {
      // Slot k joins at k/N of the spread.
      const double spread = scenario_.join_within_s;
      while (next_join_ < slots_.size() && may_join(slots_[next_join_]) &&
             now >= started_ + seconds_of(spread * double(next_join_) / double(slots_.size())))
        join(slots_[next_join_++], now);
      for (auto& slot : slots_) {
        if (!slot.participant && slot.rejoin_at != TimePoint{} && now >= slot.rejoin_at && may_join(slot)) {
          slot.rejoin_at = {};
          join(slot, now);
        }
      }
      if (scenario_.churn_interval_s > 0 && next_join_ == slots_.size() && now >= next_churn_) {
        churn(slots_[churn_cursor_++ % slots_.size()], now);
        next_churn_ += seconds_of(scenario_.churn_interval_s);
      }
    }
    for (auto& slot : slots_)
      if (slot.participant) check(slot, now);
    if (phase_ == Phase::Running && now >= end_of_run_) {
      // A subscriber still waiting for its room's publisher never joined.
      for (; next_join_ < slots_.size(); ++next_join_)
        fail_join("loadtest-r" + std::to_string(slots_[next_join_].room) +
                  ": no publisher was sending, so its subscribers never joined");
      phase_ = Phase::Settling;
    }
    if (phase_ == Phase::Settling) {
      // Every participant still waiting gets its media or its setup timeout.
      bool waiting = false;
      for (const auto& slot : slots_) waiting = waiting || (slot.participant && !slot.has_media);
      if (!waiting) {
        for (auto& slot : slots_) {
          retire(slot.participant, now);
          retire(slot.outgoing, now);
        }
        phase_ = Phase::Leaving;
      }
    }
    return true;
  }

  const Scenario scenario_;
  TokenIssuer issue_token_;
  SignalEndpoint endpoint_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_{io_};
  dtls::DtlsCertificate certificate_;
  std::vector<Slot> slots_;
  std::vector<Retired> retired_;
  size_t next_join_ = 0, churn_cursor_ = 0;
  Phase phase_ = Phase::Running;
  TimePoint started_{}, end_of_joins_{}, end_of_run_{}, next_churn_{};
  ChurnReport report_;
};

ChurnRun::ChurnRun(const Scenario& scenario, TokenIssuer issue_token)
    : impl_(std::make_unique<Impl>(scenario, std::move(issue_token))) {}

ChurnRun::~ChurnRun() = default;

ChurnReport ChurnRun::run() { return impl_->run(); }

}  // namespace ct::loadtest

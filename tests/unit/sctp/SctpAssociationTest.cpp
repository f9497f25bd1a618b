#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sctp/SctpAssociation.hpp"

namespace ct::sctp {
namespace {

// usrsctp's timers are process-wide, so every test shares one clock that
// only moves forward (and may run far ahead of the real one).
TimePoint advance(Duration step) {
  static const TimePoint start = Clock::now();
  static std::atomic<int64_t> elapsed_ns{0};
  return start + std::chrono::nanoseconds(elapsed_ns.fetch_add(step.count()) + step.count());
}

std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = uint8_t(seed + i * 31 + (i >> 8));
  return out;
}

struct Endpoint : SctpAssociation::Listener {
  struct Message {
    uint16_t stream;
    bool binary;
    std::vector<uint8_t> data;
  };

  Endpoint(DtlsRole role) : association(std::make_unique<SctpAssociation>(*this, role)) {}

  void on_sctp_packet(std::span<const uint8_t> packet) override {
    outbox.emplace_back(packet.begin(), packet.end());
  }
  void on_sctp_connected() override {
    connected = true;
    if (when_connected) when_connected();
  }
  void on_sctp_closed() override { closed = true; }
  void on_channel_open(uint16_t stream, const ChannelInfo& info) override {
    opened.emplace_back(stream, info);
  }
  void on_channel_message(uint16_t stream, bool binary, std::span<const uint8_t> message) override {
    messages.push_back({stream, binary, {message.begin(), message.end()}});
  }
  void on_channel_closed(uint16_t stream) override { closed_channels.push_back(stream); }
  void on_channel_acked(uint16_t stream) override { acked.push_back(stream); }

  std::unique_ptr<SctpAssociation> association;
  std::function<void()> when_connected;
  std::deque<std::vector<uint8_t>> outbox;
  bool connected = false;
  bool closed = false;
  std::vector<std::pair<uint16_t, ChannelInfo>> opened;
  std::vector<uint16_t> acked;
  std::vector<uint16_t> closed_channels;
  std::vector<Message> messages;
};

// Two associations back to back in memory: what one sends the other receives.
struct Link {
  Endpoint client{DtlsRole::Client};
  Endpoint server{DtlsRole::Server};

  static bool deliver(Endpoint& from, Endpoint& to) {
    bool moved = false;
    while (!from.outbox.empty()) {
      auto packet = std::move(from.outbox.front());
      from.outbox.pop_front();
      if (to.association) to.association->receive(packet);
      moved = true;
    }
    return moved;
  }

  // Moves packets until `done`; when nothing moves, time passes (10 ms).
  template <typename Done>
  bool run_until(Done done, int rounds = 3000) {
    for (int i = 0; i < rounds; ++i) {
      if (done()) return true;
      bool moved = deliver(client, server);
      moved |= deliver(server, client);
      if (client.association) client.association->drain();
      if (server.association) server.association->drain();
      if (!moved) SctpAssociation::handle_timers(advance(milliseconds(10)));
    }
    return done();
  }

  void settle() {
    run_until([] { return false; }, 60);
  }

  void connect() {
    ASSERT_TRUE(client.association->start());
    ASSERT_TRUE(server.association->start());
    ASSERT_TRUE(run_until([&] { return client.connected && server.connected; }));
  }
};

TEST(SctpAssociation, Connects) {
  Link link;
  link.connect();
  EXPECT_TRUE(link.client.association->connected());
  EXPECT_TRUE(link.server.association->connected());
  EXPECT_FALSE(link.client.closed);
  EXPECT_GT(link.client.association->counters().packets_out, 0u);
  EXPECT_GT(link.server.association->counters().packets_in, 0u);
  // A second start() is refused.
  EXPECT_FALSE(link.client.association->start());
}

TEST(SctpAssociation, ConnectsOnNonDefaultPorts) {
  Link link;
  ASSERT_TRUE(link.client.association->start(5001, 5002));
  ASSERT_TRUE(link.server.association->start(5002, 5001));
  EXPECT_TRUE(link.run_until([&] { return link.client.connected && link.server.connected; }));
}

TEST(SctpAssociation, OpensChannelsBothWaysWithDcep) {
  Link link;
  link.connect();
  auto& client = *link.client.association;
  auto& server = *link.server.association;

  // DTLS client: even stream ids (RFC 8832 §6).
  auto reliable = client.open_channel("_reliable", "ciphertalk", ChannelType::Reliable);
  ASSERT_TRUE(reliable);
  EXPECT_EQ(*reliable % 2, 0);
  EXPECT_FALSE(client.channel_acknowledged(*reliable));
  ASSERT_TRUE(link.run_until([&] { return !link.server.opened.empty() && !link.client.acked.empty(); }));
  EXPECT_EQ(link.server.opened[0].first, *reliable);
  EXPECT_EQ(link.server.opened[0].second.label, "_reliable");
  EXPECT_EQ(link.server.opened[0].second.protocol, "ciphertalk");
  EXPECT_EQ(link.server.opened[0].second.type, ChannelType::Reliable);
  EXPECT_EQ(link.client.acked[0], *reliable);
  EXPECT_TRUE(client.channel_acknowledged(*reliable));

  // DTLS server: odd stream ids.
  auto lossy = server.open_channel("_lossy", "", ChannelType::PartialReliableRexmitUnordered, 0);
  ASSERT_TRUE(lossy);
  EXPECT_EQ(*lossy % 2, 1);
  auto timed = server.open_channel("timed", "p", ChannelType::PartialReliableTimed, 500, kPriorityHigh);
  ASSERT_TRUE(timed);
  EXPECT_EQ(*timed % 2, 1);
  EXPECT_NE(*timed, *lossy);
  ASSERT_TRUE(
      link.run_until([&] { return link.client.opened.size() == 2 && link.server.acked.size() == 2; }));
  EXPECT_EQ(link.client.opened[0].first, *lossy);
  EXPECT_EQ(link.client.opened[0].second.label, "_lossy");
  EXPECT_EQ(link.client.opened[0].second.type, ChannelType::PartialReliableRexmitUnordered);
  EXPECT_EQ(link.client.opened[0].second.reliability_parameter, 0u);
  EXPECT_EQ(link.client.opened[1].second.type, ChannelType::PartialReliableTimed);
  EXPECT_EQ(link.client.opened[1].second.reliability_parameter, 500u);
  EXPECT_EQ(link.client.opened[1].second.priority, kPriorityHigh);
  ASSERT_NE(client.channel(*lossy), nullptr);
  EXPECT_EQ(client.channel(*lossy)->label, "_lossy");

  // A second client channel takes the next even id.
  auto second = client.open_channel("second", "", ChannelType::ReliableUnordered);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *reliable + 2);
}

TEST(SctpAssociation, ListenerMayOpenChannelsAndSendFromItsCallbacks) {
  // What the SFU does on a subscriber connection: open both channels as soon
  // as SCTP is up, and send right away (before the ACK, so ordered).
  Link link;
  std::optional<uint16_t> reliable, lossy;
  link.server.when_connected = [&] {
    reliable = link.server.association->open_channel("_reliable", "", ChannelType::Reliable);
    lossy =
        link.server.association->open_channel("_lossy", "", ChannelType::PartialReliableRexmitUnordered, 0);
    ASSERT_TRUE(reliable && lossy);
    EXPECT_TRUE(link.server.association->send(*lossy, true, bytes_of("early")));
  };
  link.connect();
  ASSERT_TRUE(
      link.run_until([&] { return link.client.opened.size() == 2 && link.client.messages.size() == 1; }));
  EXPECT_EQ(link.client.opened[0].first, 1);
  EXPECT_EQ(link.client.opened[1].first, 3);
  EXPECT_EQ(link.client.messages[0].stream, *lossy);
  EXPECT_EQ(link.client.messages[0].data, bytes_of("early"));
}

TEST(SctpAssociation, OpenChannelNeedsAConnection) {
  Endpoint lone(DtlsRole::Client);
  EXPECT_FALSE(lone.association->open_channel("x", "", ChannelType::Reliable));
  ASSERT_TRUE(lone.association->start());
  EXPECT_FALSE(lone.association->open_channel("x", "", ChannelType::Reliable));
  const uint8_t byte = 1;
  EXPECT_FALSE(lone.association->send(0, true, std::span(&byte, 1)));
  EXPECT_EQ(lone.association->counters().messages_dropped_out, 1u);
}

struct ChannelLink : Link {
  uint16_t ordered = 0;    // client-opened, reliable ordered
  uint16_t unordered = 0;  // server-opened, reliable unordered
  uint16_t lossy = 0;      // server-opened, unordered, no retransmissions

  void open() {
    connect();
    ordered = *client.association->open_channel("_reliable", "", ChannelType::Reliable);
    unordered = *server.association->open_channel("unordered", "", ChannelType::ReliableUnordered);
    lossy = *server.association->open_channel("_lossy", "", ChannelType::PartialReliableRexmitUnordered, 0);
    ASSERT_TRUE(run_until([&] { return client.acked.size() == 1 && server.acked.size() == 2; }));
  }
};

TEST(SctpAssociation, SendsBinaryAndStringMessagesBothWays) {
  ChannelLink link;
  link.open();
  auto& client = *link.client.association;
  auto& server = *link.server.association;

  const auto hello = bytes_of("hello");
  const auto big = pattern(15 * 1024, 7);  // the data-channel limit, many SCTP packets
  const std::vector<uint8_t> empty;
  ASSERT_TRUE(client.send(link.ordered, true, hello));
  ASSERT_TRUE(client.send(link.ordered, false, bytes_of("text")));
  ASSERT_TRUE(client.send(link.ordered, true, empty));
  ASSERT_TRUE(client.send(link.ordered, false, empty));
  ASSERT_TRUE(client.send(link.ordered, true, big));
  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 5; }));
  const auto& in = link.server.messages;
  EXPECT_EQ(in[0].data, hello);
  EXPECT_TRUE(in[0].binary);
  EXPECT_EQ(in[1].data, bytes_of("text"));
  EXPECT_FALSE(in[1].binary);
  EXPECT_TRUE(in[2].data.empty());  // RFC 8831 §6.6: PPID 57, the padding byte dropped
  EXPECT_TRUE(in[2].binary);
  EXPECT_TRUE(in[3].data.empty());  // PPID 56
  EXPECT_FALSE(in[3].binary);
  EXPECT_EQ(in[4].data, big);
  for (const auto& m : in) EXPECT_EQ(m.stream, link.ordered);

  // Unordered and lossy channels, server to client, the 15 KiB one too.
  ASSERT_TRUE(server.send(link.unordered, true, big));
  ASSERT_TRUE(server.send(link.unordered, false, bytes_of("u")));
  ASSERT_TRUE(server.send(link.lossy, true, hello));
  ASSERT_TRUE(server.send(link.lossy, true, empty));
  // And the client may use the server's channels.
  ASSERT_TRUE(client.send(link.lossy, true, bytes_of("back")));
  ASSERT_TRUE(
      link.run_until([&] { return link.client.messages.size() == 4 && link.server.messages.size() == 6; }));
  size_t big_seen = 0, lossy_seen = 0;
  for (const auto& m : link.client.messages) {
    if (m.stream == link.unordered && m.data == big) ++big_seen;
    if (m.stream == link.lossy) ++lossy_seen;
  }
  EXPECT_EQ(big_seen, 1u);
  EXPECT_EQ(lossy_seen, 2u);
  EXPECT_EQ(link.server.messages[5].stream, link.lossy);
  EXPECT_EQ(link.server.messages[5].data, bytes_of("back"));

  const auto& counters = client.counters();
  EXPECT_EQ(counters.messages_out, 6u);
  EXPECT_EQ(counters.bytes_out, 5u + 4u + big.size() + 4u);
  EXPECT_EQ(counters.messages_in, 4u);
  EXPECT_EQ(counters.bytes_in, big.size() + 1u + 5u);
  EXPECT_EQ(server.counters().messages_in, 6u);
}

TEST(SctpAssociation, ManyMessagesKeepOrderOnAnOrderedChannel) {
  ChannelLink link;
  link.open();
  for (uint32_t i = 0; i < 200; ++i) {
    auto message = pattern(1 + i * 37 % 3000, uint8_t(i));
    ASSERT_TRUE(link.client.association->send(link.ordered, true, message)) << i;
    if (i % 20 == 0) link.settle();
  }
  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 200; }));
  for (uint32_t i = 0; i < 200; ++i)
    EXPECT_EQ(link.server.messages[i].data, pattern(1 + i * 37 % 3000, uint8_t(i)));
}

TEST(SctpAssociation, LargeMessageUpToTheLimit) {
  ChannelLink link;
  link.open();
  auto& client = *link.client.association;
  EXPECT_EQ(client.max_message_size(), SctpAssociation::kDefaultRemoteMaxMessageSize);
  const auto too_big = pattern(SctpAssociation::kDefaultRemoteMaxMessageSize + 1, 1);
  EXPECT_FALSE(client.send(link.ordered, true, too_big));
  EXPECT_EQ(client.counters().messages_dropped_out, 1u);

  // The peer announced 256 KiB: a message that large arrives whole, even if
  // usrsctp hands it up in pieces.
  client.set_remote_max_message_size(0);
  EXPECT_EQ(client.max_message_size(), SctpAssociation::kLocalMaxMessageSize);
  const auto largest = pattern(SctpAssociation::kLocalMaxMessageSize, 3);
  ASSERT_TRUE(client.send(link.ordered, true, largest));
  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 1; }));
  EXPECT_EQ(link.server.messages[0].data, largest);
}

TEST(SctpAssociation, ClosesAChannelWithStreamReset) {
  ChannelLink link;
  link.open();
  auto& client = *link.client.association;
  auto& server = *link.server.association;

  ASSERT_TRUE(client.close_channel(link.ordered));
  EXPECT_FALSE(client.close_channel(link.ordered));                 // already closing
  EXPECT_FALSE(client.send(link.ordered, true, bytes_of("late")));  // no sends while closing
  ASSERT_TRUE(link.run_until(
      [&] { return !link.client.closed_channels.empty() && !link.server.closed_channels.empty(); }));
  EXPECT_EQ(link.client.closed_channels[0], link.ordered);
  EXPECT_EQ(link.server.closed_channels[0], link.ordered);
  link.settle();
  EXPECT_EQ(client.channel(link.ordered), nullptr);
  EXPECT_EQ(server.channel(link.ordered), nullptr);
  EXPECT_FALSE(server.send(link.ordered, true, bytes_of("gone")));

  // The server closes one of its own while the other stays usable.
  ASSERT_TRUE(server.close_channel(link.unordered));
  ASSERT_TRUE(link.run_until(
      [&] { return link.client.closed_channels.size() == 2 && link.server.closed_channels.size() == 2; }));
  EXPECT_EQ(link.client.closed_channels[1], link.unordered);
  ASSERT_TRUE(client.send(link.lossy, false, bytes_of("still here")));
  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 1; }));

  // Once both directions are reset, the stream id can carry a new channel.
  auto again = client.open_channel("again", "", ChannelType::Reliable);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, link.ordered);
  ASSERT_TRUE(link.run_until([&] { return link.server.opened.size() == 2; }));
  EXPECT_EQ(link.server.opened[1].second.label, "again");
  ASSERT_TRUE(client.send(*again, true, bytes_of("new")));
  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 2; }));
  EXPECT_EQ(link.server.messages[1].stream, *again);
}

TEST(SctpAssociation, ClosingSeveralChannelsAtOnce) {
  ChannelLink link;
  link.open();
  // Two resets back to back: usrsctp allows one outstanding request, the
  // second waits for it.
  ASSERT_TRUE(link.server.association->close_channel(link.unordered));
  ASSERT_TRUE(link.server.association->close_channel(link.lossy));
  ASSERT_TRUE(link.client.association->close_channel(link.ordered));
  ASSERT_TRUE(link.run_until(
      [&] { return link.client.closed_channels.size() == 3 && link.server.closed_channels.size() == 3; }));
}

TEST(SctpAssociation, DropsGarbageAndKeepsWorking) {
  ChannelLink link;
  link.open();
  auto& server = *link.server.association;
  std::mt19937 random(1234);
  const uint64_t dropped_before = server.counters().packets_dropped;
  for (size_t size : {0, 1, 11, 12, 13, 16, 28, 100, 1000, 1200, 4000}) {
    for (int i = 0; i < 20; ++i) {
      std::vector<uint8_t> garbage(size);
      for (auto& b : garbage) b = uint8_t(random());
      if (size >= 4 && i % 2 == 0) {
        // Our own ports, so only the checksum and chunks are wrong.
        garbage[0] = 0x13, garbage[1] = 0x88, garbage[2] = 0x13, garbage[3] = 0x88;
      }
      server.receive(garbage);
    }
  }
  // A copy of a real packet with one bit flipped (checksum mismatch).
  ASSERT_TRUE(link.client.association->send(link.ordered, true, bytes_of("x")));
  ASSERT_FALSE(link.client.outbox.empty());
  auto corrupted = link.client.outbox.front();
  corrupted.back() ^= 1;
  server.receive(corrupted);
  EXPECT_EQ(server.counters().packets_dropped - dropped_before, 60u);  // sizes 0, 1, 11

  ASSERT_TRUE(link.run_until([&] { return link.server.messages.size() == 1; }));
  ASSERT_TRUE(server.send(link.unordered, true, bytes_of("fine")));
  ASSERT_TRUE(link.run_until([&] { return link.client.messages.size() == 1; }));
  EXPECT_FALSE(link.client.closed);
  EXPECT_FALSE(link.server.closed);
}

TEST(SctpAssociation, PeerDestroyedWhileTimersRun) {
  ChannelLink link;
  link.open();
  // Data in flight that nobody will acknowledge: usrsctp retransmits it.
  ASSERT_TRUE(link.server.association->send(link.unordered, true, pattern(5000, 9)));
  link.client.association.reset();
  link.client.outbox.clear();
  // The survivor keeps retransmitting into the void and finally gives up
  // (RFC 4960 §8.1); the destroyed side's address is never called back.
  for (int i = 0; i < 400 && !link.server.closed; ++i) {
    SctpAssociation::handle_timers(advance(seconds(5)));
    link.server.association->drain();
    link.server.outbox.clear();
  }
  EXPECT_TRUE(link.server.closed);
  EXPECT_FALSE(link.server.association->connected());
  EXPECT_EQ(link.server.closed_channels.size(), 3u);
  EXPECT_FALSE(link.server.association->send(link.unordered, true, bytes_of("x")));
}

TEST(SctpAssociation, DestroyedWithTimersOnAnotherThread) {
  // Another worker ticks usrsctp the whole time: its callbacks for these
  // associations run on that thread and must only ever find a live inbox.
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      SctpAssociation::handle_timers(advance(milliseconds(2)));
      std::this_thread::sleep_for(microseconds(200));
    }
  });
  for (int round = 0; round < 15; ++round) {
    ChannelLink link;
    link.open();
    ASSERT_TRUE(link.client.association->send(link.ordered, true, pattern(3000, uint8_t(round))));
    ASSERT_TRUE(link.server.association->send(link.unordered, true, pattern(3000, uint8_t(round + 1))));
    ASSERT_TRUE(
        link.run_until([&] { return !link.server.messages.empty() && !link.client.messages.empty(); }));
    // Destroy one side with data possibly unacknowledged; the other lives on a bit.
    if (round % 2) {
      link.client.association.reset();
    } else {
      link.server.association.reset();
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  stop = true;
  ticker.join();
}

}  // namespace
}  // namespace ct::sctp

#include "sfu/DataChannels.hpp"

#include <algorithm>

#include "sctp/DcepMessage.hpp"
#include "sfu/DataPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

DataChannels::DataChannels(Listener& listener, bool may_publish)
    : listener_(listener), may_publish_(may_publish) {}

void DataChannels::on_channel_open(uint16_t stream, const sctp::ChannelInfo& info) {
  // `_lossy`, or any channel that does not retransmit, is relayed lossy.
  bool lossy = info.label == kLossyLabel || !sctp::is_reliable(info.type);
  std::erase_if(browser_channels_, [&](const auto& c) { return c.first == stream; });
  browser_channels_.emplace_back(stream, lossy);
}

void DataChannels::on_channel_closed(uint16_t stream) {
  std::erase_if(browser_channels_, [&](const auto& c) { return c.first == stream; });
}

void DataChannels::on_message(uint16_t stream, bool binary, std::span<const uint8_t> message, TimePoint now) {
  ++stats_.received;
  auto channel = std::find_if(browser_channels_.begin(), browser_channels_.end(),
                              [&](const auto& c) { return c.first == stream; });
  bool lossy = channel != browser_channels_.end() && channel->second;
  if (!may_publish_) {
    ++stats_.dropped_not_allowed;
    if (!not_allowed_reported_) {
      not_allowed_reported_ = true;
      listener_.on_data_not_allowed();
    }
    return;
  }
  if (!messages_.try_take(now) || !bytes_.try_take(now, double(message.size()))) {
    ++stats_.dropped_rate;
    return;
  }
  auto packet = binary ? DataPacket::parse(message) : std::nullopt;
  if (!packet) {
    ++stats_.dropped_malformed;
    return;
  }
  ++stats_.relayed;
  listener_.on_data_packet(*packet, !lossy);
}

void DataChannels::open_own_channels(webrtc::PeerTransport& subscriber) {
  // RFC 8832 §6: we are the DTLS server, so ours take odd stream ids.
  reliable_stream_ = subscriber.open_data_channel(kReliableLabel, sctp::ChannelType::Reliable);
  lossy_stream_ =
      subscriber.open_data_channel(kLossyLabel, sctp::ChannelType::PartialReliableRexmitUnordered, 0);
}

void DataChannels::on_own_channel_closed(uint16_t stream) {
  if (reliable_stream_ == stream) reliable_stream_.reset();
  if (lossy_stream_ == stream) lossy_stream_.reset();
}

void DataChannels::deliver(webrtc::PeerTransport* subscriber, std::span<const uint8_t> message,
                           bool reliable) {
  std::optional<uint16_t> stream = reliable ? reliable_stream_ : lossy_stream_;
  if (!stream || !subscriber || !subscriber->send_data(*stream, true, message)) {
    ++stats_.dropped_undeliverable;
    return;
  }
  ++stats_.delivered;
}

void DataChannels::add_counters(MediaCounters& counters) const {
  counters.data_received += stats_.received;
  counters.data_delivered += stats_.delivered;
  counters.data_dropped_not_allowed += stats_.dropped_not_allowed;
  counters.data_dropped_rate += stats_.dropped_rate;
  counters.data_dropped_malformed += stats_.dropped_malformed;
  counters.data_dropped_undeliverable += stats_.dropped_undeliverable;
}

}  // namespace ct::sfu

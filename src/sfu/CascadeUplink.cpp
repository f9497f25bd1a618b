#include "sfu/CascadeUplink.hpp"

#include <algorithm>

#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeLinkSender.hpp"
#include "sfu/Publication.hpp"

namespace ct::sfu {

class CascadeUplink::Relay final : public PublicationRelay {
 public:
  Relay(CascadeUplink& owner, Publication& publication) : owner_(owner), publication_(publication) {
    publication_.add_relay(*this);
  }
  ~Relay() override {
    if (!closed_) publication_.remove_relay(*this);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  Publication& publication() const { return publication_; }
  void set_wanted_layers(uint32_t layers) { layers_ = layers == 0 ? UINT32_MAX : layers; }
  uint32_t wanted_layers() const override { return layers_; }

  void on_relay_packet(const rtp::RtpPacket& packet, size_t layer, TimePoint) override {
    if (layer < 32 && (layers_ & (1u << layer)) == 0) {
      ++owner_.counters_.unwanted_layer;
      return;
    }
    owner_.send(packet);
  }
  void on_relay_closed(Publication&) override {
    closed_ = true;
    owner_.forget(this);  // destroys this relay: nothing may follow
  }

 private:
  CascadeUplink& owner_;
  Publication& publication_;
  bool closed_ = false;  // the publication already dropped this relay
  uint32_t layers_ = UINT32_MAX;
};

CascadeUplink::CascadeUplink(CascadeLinkSender& link, double drop_fraction) : link_(link) {
  if (drop_fraction > 0) drop_threshold_ = uint32_t(std::min(drop_fraction, 0.999) * 4294967296.0);
}

CascadeUplink::~CascadeUplink() = default;

bool CascadeUplink::start(Publication& publication) {
  if (sending(publication)) return false;
  relays_.push_back(std::make_unique<Relay>(*this, publication));
  return true;
}

bool CascadeUplink::stop(Publication& publication) {
  return std::erase_if(relays_, [&](const auto& r) { return &r->publication() == &publication; }) > 0;
}

bool CascadeUplink::sending(const Publication& publication) const {
  return std::any_of(relays_.begin(), relays_.end(),
                     [&](const auto& r) { return &r->publication() == &publication; });
}

bool CascadeUplink::set_wanted_layers(const Publication& publication, uint32_t layers) {
  for (auto& r : relays_) {
    if (&r->publication() != &publication) continue;
    r->set_wanted_layers(layers);
    return true;
  }
  return false;
}

void CascadeUplink::send(const rtp::RtpPacket& packet) {
  if (drop_for_fault_injection()) {
    ++counters_.dropped_by_fault_injection;
    return;
  }
  if (link_.send_link_rtp(packet.bytes())) ++counters_.packets_sent;
}

bool CascadeUplink::drop_for_fault_injection() {
  if (drop_threshold_ == 0) return false;
  // xorshift64*, as Subscription's: the same losses every run.
  drop_state_ ^= drop_state_ >> 12;
  drop_state_ ^= drop_state_ << 25;
  drop_state_ ^= drop_state_ >> 27;
  return uint32_t((drop_state_ * 0x2545F4914F6CDD1DULL) >> 32) < drop_threshold_;
}

void CascadeUplink::forget(const Relay* relay) {
  std::erase_if(relays_, [relay](const auto& r) { return r.get() == relay; });
}

Publication* CascadeUplink::find(uint32_t ssrc, size_t& layer) const {
  for (const auto& r : relays_) {
    bool is_rtx = false;
    const int index = r->publication().layer_of_ssrc(ssrc, is_rtx);
    // The link carries media SSRCs only (RTX is unwrapped before the relay).
    if (index >= 0 && !is_rtx) {
      layer = size_t(index);
      return &r->publication();
    }
  }
  return nullptr;
}

void CascadeUplink::on_keyframe_request(uint32_t media_ssrc, TimePoint now) {
  size_t layer = 0;
  Publication* publication = find(media_ssrc, layer);
  if (!publication) {
    ++counters_.unanswered_feedback;
    return;
  }
  ++counters_.keyframe_requests;
  publication->request_keyframe(layer, now);
}

void CascadeUplink::on_nack(uint32_t media_ssrc, uint16_t sequence_number, TimePoint now) {
  size_t layer = 0;
  Publication* publication = find(media_ssrc, layer);
  auto kept = publication ? publication->find_packet(layer, sequence_number, now) : std::nullopt;
  // The original packet again, not RTX: the other node's publication takes it
  // as the late arrival it is and fills its gap.
  if (!kept || !link_.send_link_rtp(*kept)) {
    ++counters_.unanswered_feedback;
    return;
  }
  ++counters_.retransmissions;
}

}  // namespace ct::sfu

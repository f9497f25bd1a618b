#include "sfu/RemotePublisher.hpp"

#include <algorithm>

#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeLinkSender.hpp"
#include "sfu/PublicationRelay.hpp"

namespace ct::sfu {

// A routed publication, watched so that its end drops the route: the relay
// hook is the publication's one notice of that (it forwards nothing here).
class RemotePublisher::Route final : public PublicationRelay {
 public:
  Route(RemotePublisher& owner, Publication& publication) : owner_(owner), publication_(publication) {
    publication_.add_relay(*this);
  }
  ~Route() override {
    if (!closed_) publication_.remove_relay(*this);
  }
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

  Publication& publication() const { return publication_; }
  void on_relay_packet(const rtp::RtpPacket&, size_t, TimePoint) override {}
  uint32_t wanted_layers() const override { return 0; }  // this node's subscribers say what they want
  void on_relay_closed(Publication&) override {
    closed_ = true;
    owner_.drop(this);  // destroys this route: nothing may follow
  }

 private:
  RemotePublisher& owner_;
  Publication& publication_;
  bool closed_ = false;
};

RemotePublisher::RemotePublisher(CascadeLinkSender& link, uint32_t rtcp_sender_ssrc,
                                 Duration keyframe_request_interval)
    : link_(link),
      rtcp_sender_ssrc_(rtcp_sender_ssrc),
      keyframe_request_interval_(keyframe_request_interval) {}

RemotePublisher::~RemotePublisher() = default;

std::unique_ptr<Publication> RemotePublisher::make(TrackInfo info, PublicationParams params,
                                                   std::span<const uint32_t> layer_ssrcs) {
  if (routes_.size() >= kMaxPublications || find(info.sid)) return nullptr;
  // The link carries what the origin forwards: media packets with RTX
  // unwrapped, and lost ones sent again on request, so gaps are NACKed.
  params.nack = true;
  params.ssrc = params.rtx_ssrc = 0;
  auto publication = std::make_unique<Publication>(std::move(info), std::move(params), *this,
                                                   rtcp_sender_ssrc_, keyframe_request_interval_);
  routes_.push_back(std::make_unique<Route>(*this, *publication));
  set_layer_ssrcs(publication->sid(), layer_ssrcs);
  return publication;
}

bool RemotePublisher::set_layer_ssrcs(std::string_view sid, std::span<const uint32_t> layer_ssrcs) {
  Publication* publication = find(sid);
  if (!publication) return false;
  for (size_t i = 0; i < layer_ssrcs.size() && i < publication->layer_count(); ++i)
    publication->set_layer_ssrcs(i, layer_ssrcs[i], 0);
  return true;
}

Publication* RemotePublisher::find(std::string_view sid) {
  for (auto& r : routes_)
    if (r->publication().sid() == sid) return &r->publication();
  return nullptr;
}

void RemotePublisher::drop(const Route* route) {
  std::erase_if(routes_, [route](const auto& r) { return r.get() == route; });
}

void RemotePublisher::on_link_rtp(std::span<uint8_t> packet, TimePoint now) {
  auto rtp = rtp::RtpPacket::parse(packet);
  if (!rtp) {
    ++counters_.malformed;
    return;
  }
  for (auto& r : routes_) {
    Publication& p = r->publication();
    bool is_rtx = false;
    const int layer = p.layer_of_ssrc(rtp->ssrc(), is_rtx);
    if (layer < 0 || is_rtx) continue;
    ++counters_.packets_in;
    p.on_rtp(*rtp, size_t(layer), now);
    return;
  }
  ++counters_.unknown_ssrc;
}

void RemotePublisher::on_tick(TimePoint now) {
  for (auto& r : routes_) r->publication().on_tick(now);
}

bool RemotePublisher::send_rtcp(std::span<uint8_t> buffer, size_t length) {
  if (length > buffer.size() || !link_.send_link_rtcp(buffer.first(length))) return false;
  ++counters_.rtcp_sent;
  return true;
}

}  // namespace ct::sfu

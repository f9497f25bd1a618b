#pragma once
// On a node serving part of a room: the tracks another node's publishers
// send over one cascade link, each an ordinary Publication (made from the
// origin's track description, no SDP, and owned by the remote participant's
// stand-in in the room), so local subscribers receive them as any other.
// Packets from the link are routed by SSRC to the publications still alive;
// their keyframe requests and NACKs go back over the link to the origin,
// which asks the publisher or answers from its retransmission buffer. Lives
// on the room's worker thread; nothing is allocated per packet.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/Publication.hpp"
#include "sfu/PublisherFeedback.hpp"

namespace ct::sfu {

class CascadeLinkSender;

class RemotePublisher final : public PublisherFeedback {
 public:
  // Bound on the tracks one link may announce.
  static constexpr size_t kMaxPublications = 4000;

  struct Counters {
    uint64_t packets_in = 0;
    uint64_t unknown_ssrc = 0;  // packets of no announced track (yet)
    uint64_t malformed = 0;
    uint64_t rtcp_sent = 0;  // keyframe requests and NACKs to the origin
  };

  // `rtcp_sender_ssrc` heads this node's RTCP on the link.
  RemotePublisher(CascadeLinkSender& link, uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval);
  ~RemotePublisher() override;
  RemotePublisher(const RemotePublisher&) = delete;
  RemotePublisher& operator=(const RemotePublisher&) = delete;

  // A track the origin announced; `params` carry its payload types and
  // header extension ids as its packets arrive, `layer_ssrcs` its SSRCs
  // (lowest layer first). Packets go to it until it is destroyed. Null when
  // the sid is routed already or the bound is reached.
  std::unique_ptr<Publication> make(TrackInfo info, PublicationParams params,
                                    std::span<const uint32_t> layer_ssrcs);
  // The origin learned SSRCs it did not know when it announced the track.
  bool set_layer_ssrcs(std::string_view sid, std::span<const uint32_t> layer_ssrcs);
  Publication* find(std::string_view sid);
  size_t route_count() const { return routes_.size(); }

  // A plain RTP packet off the link (in place; it may be rewritten by the fan-out).
  void on_link_rtp(std::span<uint8_t> packet, TimePoint now);
  // Deferred keyframe requests and NACKs for gaps on the link (a
  // publication without a transport of its own is not ticked by its owner).
  void on_tick(TimePoint now);

  // PublisherFeedback: the publications' RTCP goes to the origin.
  bool send_rtcp(std::span<uint8_t> buffer, size_t length) override;

  const Counters& counters() const { return counters_; }

 private:
  class Route;
  void drop(const Route* route);

  CascadeLinkSender& link_;
  uint32_t rtcp_sender_ssrc_;
  Duration keyframe_request_interval_;
  std::vector<std::unique_ptr<Route>> routes_;
  Counters counters_;
};

}  // namespace ct::sfu

#pragma once
// The subscriber connection of a client that offers to receive (a WHEP
// player, draft-ietf-wish-whep): instead of offering the tracks, the server
// answers the client's offer. Each audio or video m-section the client
// offers gets one waiting track of its kind whose codec it accepts, sent with
// the client's payload types and extension ids (JSEP, RFC 8829 §5.3); a
// section left without a track is answered inactive. A track published later
// takes an answered section of its kind that no longer carries one, so a
// player keeps playing a camera that was turned off and on. Simulcast layer
// choice and keyframes on start are the subscriber connection's, as for
// every subscriber.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/Clock.hpp"
#include "sdp/Negotiation.hpp"
#include "sfu/RoomEvents.hpp"
#include "sfu/Subscription.hpp"

namespace ct::sfu {

class Publication;
class SubscriberConnection;

class SubscriberOfferAnswerer {
 public:
  // A track that may be sent, as the mapping sees it.
  struct OfferableTrack {
    std::string sid;
    bool video = false;
    std::string codec_name;  // "opus", "VP8", "H264", "VP9"
    uint32_t clock_rate = 0;
    uint16_t channels = 0;
  };

  // The codecs a player may be answered (those the server forwards) and the
  // feedback and header extensions the subscriber connection uses.
  static sdp::CodecPolicy policy();
  // The codec of `m` that carries `track` (same name and clock rate, and
  // channels for audio); nullptr when the section accepts none.
  static const sdp::NegotiatedCodec* codec_for(const sdp::NegotiatedMedia& m, const OfferableTrack& track);
  // Which track each free section gets, as (index into negotiation.media,
  // index into `tracks`): in offer order, the first unassigned track of the
  // section's kind whose codec it accepts. Rejected and data sections and
  // those named in `taken_mids` get none.
  static std::vector<std::pair<size_t, size_t>> assign(const sdp::Negotiation& negotiation,
                                                       std::span<const OfferableTrack> tracks,
                                                       std::span<const std::string> taken_mids);
  // The extension ids of `m` a subscription writes (the client's numbers).
  static SubscriptionNegotiation extensions_of(const sdp::NegotiatedMedia& m);

  explicit SubscriberOfferAnswerer(SubscriberConnection& connection) : connection_(connection) {}

  // `publication` may be sent: it waits for a section (or takes a free one
  // at once when the offer was answered). withdraw: it is gone.
  void offer_track(Publication& publication, TimePoint now);
  void withdraw_track(Publication& publication);
  void clear() { waiting_.clear(); }

  // Answers the client's offer (again: an ICE restart keeps every section's
  // track). Errors: "bad_sdp" (unusable offer), "no_matching_tracks" (no
  // section can carry any of the tracks).
  std::variant<event::SubscriberAnswer, event::Error> answer(const std::string& sdp, TimePoint now);

 private:
  // An audio or video section of the client's offer, as answered.
  struct AnsweredSection {
    std::string mid;
    sdp::MediaKind kind = sdp::MediaKind::audio;
    std::vector<sdp::NegotiatedCodec> codecs;  // what the client accepts there
    SubscriptionNegotiation extensions;
    sdp::NegotiatedCodec sent;  // the codec of the track it carries (pt 0: never carried one)
  };
  bool carries_track(const std::string& mid) const;
  void bind(AnsweredSection& section, Publication& publication, const sdp::NegotiatedCodec& codec,
            TimePoint now);

  SubscriberConnection& connection_;
  std::vector<Publication*> waiting_;  // may be sent, in no section yet
  std::vector<AnsweredSection> answered_;
};

}  // namespace ct::sfu

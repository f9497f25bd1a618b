#include "cascade/CascadeTrackParams.hpp"

#include "sfu/PublicationLayer.hpp"

namespace ct::cascade {

CascadeTrack describe_track(const sfu::Publication& publication) {
  const sfu::TrackInfo& info = publication.info();
  const sfu::PublicationParams& params = publication.params();
  CascadeTrack t;
  t.sid = info.sid;
  t.participant = info.publisher;
  t.kind = params.video ? "video" : "audio";
  t.source = info.source;
  t.name = info.name;
  t.codec = params.codec_name;
  t.clock_rate = params.clock_rate;
  t.channels = params.channels;
  t.fmtp = params.fmtp;
  t.payload_type = params.payload_type;
  t.rtx_payload_type = params.rtx_payload_type;
  for (size_t i = 0; i < publication.layer_count(); ++i) {
    const sfu::PublicationLayer& layer = publication.layer(i);
    t.layers.push_back(CascadeLayer{layer.rid(), layer.ssrc(), layer.rtx_ssrc()});
  }
  t.extensions = CascadeExtensionIds{params.mid_id, params.audio_level_id,  params.abs_send_time_id,
                                     params.rid_id, params.repaired_rid_id, params.transport_cc_id};
  t.muted = publication.muted();
  t.published = true;
  return t;
}

std::optional<RemoteTrackParams> remote_track_params(const CascadeTrack& track) {
  const bool video = track.kind == "video";
  if ((!video && track.kind != "audio") || track.codec.empty() || track.clock_rate == 0 ||
      track.layers.empty())
    return std::nullopt;
  RemoteTrackParams r;
  r.info.sid = track.sid;
  r.info.publisher = track.participant;
  r.info.kind = track.kind;
  r.info.source = track.source;
  r.info.name = track.name;
  r.info.codec = track.codec;
  r.info.muted = track.muted;
  sfu::PublicationParams& p = r.params;
  p.video = video;
  p.codec_name = track.codec;
  p.clock_rate = track.clock_rate;
  p.channels = track.channels;
  p.fmtp = track.fmtp;
  p.payload_type = track.payload_type;
  p.rtx_payload_type = track.rtx_payload_type;
  p.nack = true;  // the origin answers NACKs from its retransmission buffer
  p.mid_id = track.extensions.mid;
  p.audio_level_id = track.extensions.audio_level;
  p.abs_send_time_id = track.extensions.abs_send_time;
  p.rid_id = track.extensions.rid;
  p.repaired_rid_id = track.extensions.repaired_rid;
  p.transport_cc_id = track.extensions.transport_cc;
  if (track.layers.size() > 1) {
    for (const auto& layer : track.layers) p.rids.push_back(layer.rid);
    r.info.rids = p.rids;
  }
  for (const auto& layer : track.layers) r.layer_ssrcs.push_back(layer.ssrc);
  return r;
}

}  // namespace ct::cascade

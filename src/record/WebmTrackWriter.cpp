#include "record/WebmTrackWriter.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <array>
#include <cstring>
#include <utility>

#include "record/H264SequenceParameterSet.hpp"
#include "record/LittleEndian.hpp"
#include "record/OpusPacket.hpp"
#include "record/Vp8FrameHeader.hpp"

namespace ct::record {

namespace {

// The muxer keeps a cluster in memory until it is written; bounding it
// bounds a track's memory (docs/recording.md).
constexpr const char* kClusterSizeLimit = "1048576";  // bytes
constexpr const char* kClusterTimeLimit = "5000";     // ms

// OpusHead (RFC 7845 §5.1), the CodecPrivate of an Opus track in Matroska.
constexpr size_t kOpusHeadSize = 19;
std::array<uint8_t, kOpusHeadSize> opus_head(uint8_t channels) {
  std::array<uint8_t, kOpusHeadSize> head{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd'};
  head[8] = 1;  // version
  head[9] = channels;
  store_le16(&head[10], 0);  // pre-skip: the recording starts mid-stream
  store_le32(&head[12], 48000);
  store_le16(&head[16], 0);  // output gain
  head[18] = 0;              // channel mapping family 0: mono or stereo
  return head;
}

}  // namespace

WebmTrackWriter::WebmTrackWriter(std::string path, Format format)
    : path_(std::move(path)), format_(format), clock_rate_(track_codec_clock_rate(format.codec)) {
  if (format_.channels == 0 || format_.channels > 2) format_.channels = 2;
}

WebmTrackWriter::~WebmTrackWriter() { close(); }

bool WebmTrackWriter::write(uint32_t rtp_timestamp, bool keyframe, std::span<const uint8_t> frame,
                            std::span<const uint8_t> parameter_sets) {
  if (failed_ || closed_) return false;
  if (frame.empty()) {
    ++stats_.frames_invalid;
    return false;
  }
  // Every frame extends the timestamp, skipped ones too, so a long wait for
  // the first keyframe cannot confuse the wrap.
  extended_timestamp_ =
      have_timestamp_ ? extended_timestamp_ + int32_t(rtp_timestamp - last_rtp_timestamp_) : 0;
  have_timestamp_ = true;
  last_rtp_timestamp_ = rtp_timestamp;

  const bool video = track_codec_is_video(format_.codec);
  std::optional<uint32_t> samples;
  if (!video) {
    samples = OpusPacket::samples(frame);
    if (!samples) {
      ++stats_.frames_invalid;
      return false;
    }
  }
  if (!header_written_) {
    if (video && !keyframe) {
      ++stats_.frames_skipped;
      return false;
    }
    if (!start(frame, parameter_sets)) return false;
    first_pts_ = extended_timestamp_;
    first_rtp_timestamp_ = rtp_timestamp;
  }
  const int64_t pts = extended_timestamp_ - first_pts_;
  if (pts <= last_pts_) {
    ++stats_.frames_out_of_order;
    return false;
  }
  last_pts_ = pts;
  if (!video) return mux(pts, *samples, true, frame);

  if (held_pts_ >= 0) {
    last_video_duration_ = pts - held_pts_;
    if (!write_held(last_video_duration_)) return false;
  }
  held_.assign(frame.begin(), frame.end());  // keeps its capacity: no allocation in steady state
  held_pts_ = pts;
  held_keyframe_ = keyframe;
  return true;
}

bool WebmTrackWriter::close() {
  if (closed_) return !failed_;
  if (header_written_ && !failed_) {
    // The last frame lasts as long as the one before (or one 30 fps frame).
    if (held_pts_ >= 0) write_held(last_video_duration_ > 0 ? last_video_duration_ : clock_rate_ / 30);
    if (!failed_) {
      const int result = av_write_trailer(context_);
      if (result < 0) fail("write trailer", result);
    }
  }
  closed_ = true;
  release();
  return !failed_;
}

// The SPS among the Annex B parameter sets gives the picture size.
bool WebmTrackWriter::read_h264_size(std::span<const uint8_t> parameter_sets) {
  for (size_t at = 0; at + 4 < parameter_sets.size();) {
    // Each NAL unit is behind 00 00 00 01, and none holds that sequence (§7.4.1).
    size_t end = at + 4;
    while (end + 4 <= parameter_sets.size() &&
           !(parameter_sets[end] == 0 && parameter_sets[end + 1] == 0 && parameter_sets[end + 2] == 0 &&
             parameter_sets[end + 3] == 1))
      ++end;
    if (end + 4 > parameter_sets.size()) end = parameter_sets.size();
    if (const auto sps = H264SequenceParameterSet::parse(parameter_sets.subspan(at + 4, end - at - 4))) {
      width_ = uint16_t(sps->width);
      height_ = uint16_t(sps->height);
      return true;
    }
    at = end;
  }
  return false;
}

bool WebmTrackWriter::start(std::span<const uint8_t> first_frame, std::span<const uint8_t> parameter_sets) {
  if (format_.codec == TrackCodec::Vp8) {
    const auto header = Vp8FrameHeader::parse(first_frame);
    if (!header || !header->keyframe) {
      ++stats_.frames_invalid;
      return false;
    }
    width_ = header->width;
    height_ = header->height;
  } else if (format_.codec == TrackCodec::H264 && !read_h264_size(parameter_sets)) {
    ++stats_.frames_skipped;  // a keyframe without its SPS: no decoder could start there
    return false;
  }
  const char* container = format_.codec == TrackCodec::H264 ? "matroska" : "webm";
  int result = avformat_alloc_output_context2(&context_, nullptr, container, path_.c_str());
  if (result < 0 || !context_) {
    fail("create muxer", result);
    return false;
  }
  AVStream* stream = avformat_new_stream(context_, nullptr);
  packet_ = av_packet_alloc();
  if (!stream || !packet_) {
    fail("create stream", AVERROR(ENOMEM));
    return false;
  }
  stream->time_base = AVRational{1, int(clock_rate_)};
  AVCodecParameters& parameters = *stream->codecpar;
  if (track_codec_is_video(format_.codec)) {
    parameters.codec_type = AVMEDIA_TYPE_VIDEO;
    parameters.codec_id = format_.codec == TrackCodec::H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_VP8;
    parameters.width = width_;
    parameters.height = height_;
    if (format_.codec == TrackCodec::H264) {
      // Annex B SPS and PPS: the muxer writes them as the avcC record
      // (ISO/IEC 14496-15 §5.2.4.1) and converts each frame to length prefixes.
      parameters.extradata =
          static_cast<uint8_t*>(av_mallocz(parameter_sets.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      if (!parameters.extradata) {
        fail("allocate SPS/PPS", AVERROR(ENOMEM));
        return false;
      }
      std::memcpy(parameters.extradata, parameter_sets.data(), parameter_sets.size());
      parameters.extradata_size = int(parameter_sets.size());
    }
  } else {
    parameters.codec_type = AVMEDIA_TYPE_AUDIO;
    parameters.codec_id = AV_CODEC_ID_OPUS;
    parameters.sample_rate = 48000;
    av_channel_layout_default(&parameters.ch_layout, format_.channels);
    const auto head = opus_head(format_.channels);
    parameters.extradata = static_cast<uint8_t*>(av_mallocz(head.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!parameters.extradata) {
      fail("allocate OpusHead", AVERROR(ENOMEM));
      return false;
    }
    std::memcpy(parameters.extradata, head.data(), head.size());
    parameters.extradata_size = int(head.size());
  }
  result = avio_open(&context_->pb, path_.c_str(), AVIO_FLAG_WRITE);
  if (result < 0) {
    fail("open", result);
    return false;
  }
  AVDictionary* options = nullptr;
  av_dict_set(&options, "cluster_size_limit", kClusterSizeLimit, 0);
  av_dict_set(&options, "cluster_time_limit", kClusterTimeLimit, 0);
  result = avformat_write_header(context_, &options);
  av_dict_free(&options);
  if (result < 0) {
    fail("write header", result);
    return false;
  }
  header_written_ = true;
  return true;
}

bool WebmTrackWriter::write_held(int64_t duration) {
  const int64_t pts = std::exchange(held_pts_, -1);
  return mux(pts, duration, held_keyframe_, held_);
}

bool WebmTrackWriter::mux(int64_t pts, int64_t duration, bool keyframe, std::span<const uint8_t> frame) {
  const AVRational rtp_clock{1, int(clock_rate_)};
  const AVRational time_base = context_->streams[0]->time_base;  // the muxer's choice (1 ms for WebM)
  packet_->data = const_cast<uint8_t*>(frame.data());            // read only: the muxer copies what it keeps
  packet_->size = int(frame.size());
  packet_->stream_index = 0;
  packet_->pts = packet_->dts = av_rescale_q(pts, rtp_clock, time_base);
  packet_->duration = av_rescale_q(duration, rtp_clock, time_base);
  packet_->flags = keyframe ? AV_PKT_FLAG_KEY : 0;
  const int result = av_write_frame(context_, packet_);
  av_packet_unref(packet_);  // no buffer of its own: only resets the fields
  if (result < 0) {
    fail("write frame", result);
    return false;
  }
  ++stats_.frames_written;
  duration_ = pts + duration;
  return true;
}

void WebmTrackWriter::fail(const std::string& what, int av_error) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> reason{};
  av_strerror(av_error, reason.data(), reason.size());
  error_ = path_ + ": " + what + ": " + reason.data();
  failed_ = true;
  release();
}

void WebmTrackWriter::release() {
  if (context_) {
    if (context_->pb) avio_closep(&context_->pb);
    avformat_free_context(context_);
    context_ = nullptr;
  }
  av_packet_free(&packet_);
}

}  // namespace ct::record

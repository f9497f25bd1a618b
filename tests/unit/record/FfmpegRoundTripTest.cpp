// Real VP8 from libvpx, through RTP packets, the assembler and IvfWriter,
// checked by FFmpeg: the file decodes without an error to the same pixels
// as the original. Then what the end-to-end-encryption check relies on:
// frames whose bytes after the clear header are changed never decode to
// the original pixels.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "RecordTestSupport.hpp"
#include "Vp8Packetizer.hpp"
#include "record/IvfReader.hpp"
#include "record/IvfWriter.hpp"
#include "record/Vp8FrameAssembler.hpp"

namespace ct::record {
namespace {

using test::CommandResult;
using test::read_file;
using test::run;
using test::TempDir;

struct SourceFrame {
  uint32_t rtp_timestamp;
  std::vector<uint8_t> data;
};

// Hands each frame to an IvfWriter, optionally changed first.
class IvfSink : public Vp8FrameAssembler::Listener {
 public:
  explicit IvfSink(IvfWriter& writer) : writer_(writer) {}
  void on_vp8_frame(const Vp8Frame& frame) override {
    if (!change) {
      writer_.write(frame.rtp_timestamp, frame.data);
      return;
    }
    std::vector<uint8_t> changed(frame.data.begin(), frame.data.end());
    change(changed, frame.keyframe);
    writer_.write(frame.rtp_timestamp, changed);
  }
  std::function<void(std::vector<uint8_t>&, bool keyframe)> change;

 private:
  IvfWriter& writer_;
};

class FfmpegRoundTrip : public ::testing::Test {
 protected:
  struct Source {
    std::vector<SourceFrame> frames;
    std::vector<std::string> md5;
  };

  static void SetUpTestSuite() { sources_ = new std::map<std::string, Source>; }
  static void TearDownTestSuite() {
    delete sources_;
    sources_ = nullptr;
  }
  void SetUp() override { CT_REQUIRE_FFMPEG(); }

  // 30 frames of FFmpeg's test pattern at 320x240, encoded by libvpx once
  // per suite and options.
  const std::vector<SourceFrame>& encode(const std::string& options = "") {
    auto [at, added] = sources_->try_emplace(options);
    if (added) at->second = encode_now(options);
    source_md5_ = at->second.md5;
    return at->second.frames;
  }

  Source encode_now(const std::string& options) {
    const std::string path = dir_.file("source.ivf");
    const CommandResult result =
        run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -frames:v 30 " + options +
                " -c:v libvpx -f ivf " + path,
            dir_.file("encode.err"));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const std::vector<uint8_t> bytes = read_file(path);
    auto reader = IvfReader::open(bytes);
    EXPECT_TRUE(reader);
    if (!reader) return {};
    EXPECT_EQ(reader->header().width, 320);
    EXPECT_EQ(reader->header().height, 240);
    EXPECT_EQ(reader->header().fourcc, IvfFileHeader::kVp8Fourcc);
    EXPECT_EQ(reader->header().frame_count, 30u);
    Source source;
    const IvfFileHeader& header = reader->header();
    while (auto frame = reader->next()) {
      // From the file's timebase to the 90 kHz RTP clock, starting near the wrap.
      const uint64_t ticks =
          frame->timestamp * 90000 * header.timebase_numerator / header.timebase_denominator;
      source.frames.push_back({uint32_t(0xFFFF0000u + ticks), {frame->data.begin(), frame->data.end()}});
    }
    EXPECT_TRUE(reader->at_end());
    EXPECT_EQ(source.frames.size(), 30u);
    source.md5 = frame_md5(path);
    EXPECT_EQ(source.md5.size(), 30u);
    EXPECT_EQ(last_errors_, "");
    return source;
  }

  // Each decoded frame's MD5, in order, as `ffmpeg -f framemd5` gives them.
  // Decoder complaints go to last_errors_.
  std::vector<std::string> frame_md5(const std::string& path) {
    const CommandResult result =
        run("ffmpeg -nostdin -v error -i " + path + " -f framemd5 -", dir_.file("decode.err"));
    last_exit_code_ = result.exit_code;
    last_errors_ = result.err;
    return test::parse_framemd5(result.out);
  }

  std::vector<test::RtpVp8Packet> packetize(const std::vector<SourceFrame>& frames) {
    // Small packets, so most frames span several; sequence numbers wrap.
    test::Vp8Packetizer packetizer(65500, 200);
    std::vector<test::RtpVp8Packet> packets;
    for (const SourceFrame& frame : frames) {
      for (auto& packet : packetizer.packetize(frame.rtp_timestamp, frame.data)) packets.push_back(packet);
    }
    return packets;
  }

  static void push_all(Vp8FrameAssembler& assembler, const std::vector<test::RtpVp8Packet>& packets) {
    for (const auto& packet : packets) {
      assembler.push(packet.sequence_number, packet.timestamp, packet.marker, packet.payload);
    }
    assembler.finish();
  }

  static std::map<std::string, Source>* sources_;
  TempDir dir_;
  std::vector<std::string> source_md5_;
  int last_exit_code_ = -1;
  std::string last_errors_;
};

std::map<std::string, FfmpegRoundTrip::Source>* FfmpegRoundTrip::sources_ = nullptr;

TEST_F(FfmpegRoundTrip, ThirtyFramesDecodeToTheOriginalPixels) {
  const std::vector<SourceFrame> frames = encode();
  ASSERT_EQ(frames.size(), 30u);
  std::vector<test::RtpVp8Packet> packets = packetize(frames);
  ASSERT_GT(packets.size(), 60u);
  // Reordered by up to 4 places, and every 7th packet sent twice.
  std::mt19937 random(3);
  std::vector<std::pair<size_t, size_t>> keys;
  for (size_t i = 0; i < packets.size(); ++i) keys.emplace_back(i + random() % 5, i);
  std::sort(keys.begin(), keys.end());
  std::vector<test::RtpVp8Packet> sent;
  for (const auto& key : keys) {
    sent.push_back(packets[key.second]);
    if (key.second % 7 == 0) sent.push_back(packets[key.second]);
  }

  const std::string out = dir_.file("out.ivf");
  {
    IvfWriter writer(out);
    ASSERT_TRUE(writer.is_open()) << writer.error();
    IvfSink sink(writer);
    Vp8FrameAssembler assembler(sink);
    push_all(assembler, sent);
    EXPECT_EQ(assembler.stats().frames, 30u);
    EXPECT_EQ(assembler.stats().incomplete_frames + assembler.stats().undecodable_frames, 0u);
    EXPECT_EQ(writer.frames_written(), 30u);
    EXPECT_TRUE(writer.error().empty()) << writer.error();
  }

  // The same frames, byte for byte, 1/30 s apart on the 90 kHz clock.
  const std::vector<uint8_t> written = read_file(out);
  auto reader = IvfReader::open(written);
  ASSERT_TRUE(reader);
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto frame = reader->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->timestamp, i * 3000);
    EXPECT_TRUE(
        std::equal(frame->data.begin(), frame->data.end(), frames[i].data.begin(), frames[i].data.end()));
  }
  EXPECT_TRUE(reader->at_end());

  const CommandResult probe =
      run("ffprobe -v error -count_frames -select_streams v:0 "
          "-show_entries stream=codec_name,width,height,nb_read_frames -of csv=p=0 " +
              out,
          dir_.file("probe.err"));
  EXPECT_EQ(probe.exit_code, 0);
  EXPECT_EQ(probe.out, "vp8,320,240,30\n");
  EXPECT_EQ(probe.err, "");

  EXPECT_EQ(frame_md5(out), source_md5_);
  EXPECT_EQ(last_exit_code_, 0);
  EXPECT_EQ(last_errors_, "");
}

TEST_F(FfmpegRoundTrip, ALostPacketLeavesAGapUntilTheNextKeyframe) {
  const std::vector<SourceFrame> frames = encode("-g 10 -keyint_min 10");  // keyframes 0, 10, 20
  ASSERT_EQ(frames.size(), 30u);
  std::vector<test::RtpVp8Packet> packets = packetize(frames);
  // Lose the first packet of frame 5.
  const auto lost = std::find_if(packets.begin(), packets.end(),
                                 [&](const auto& p) { return p.timestamp == frames[5].rtp_timestamp; });
  ASSERT_NE(lost, packets.end());
  packets.erase(lost);

  const std::string out = dir_.file("out.ivf");
  {
    IvfWriter writer(out);
    IvfSink sink(writer);
    Vp8FrameAssembler assembler(sink);
    push_all(assembler, packets);
    EXPECT_EQ(assembler.stats().frames, 25u);
    EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
    EXPECT_EQ(assembler.stats().undecodable_frames, 4u);  // 6 to 9
  }
  std::vector<std::string> expected(source_md5_.begin(), source_md5_.begin() + 5);
  expected.insert(expected.end(), source_md5_.begin() + 10, source_md5_.end());
  EXPECT_EQ(frame_md5(out), expected);
  EXPECT_EQ(last_errors_, "");
}

// What an end-to-end-encrypted frame looks like to the server: the first
// bytes in clear (a keyframe's 10: tag, start code, size), the rest changed.
class ChangedFrames : public FfmpegRoundTrip {
 protected:
  // Returns the decoded frames' MD5s of the changed file; the IVF header
  // still has the size, read from the clear bytes.
  std::vector<std::string> decode_changed(const std::function<void(std::vector<uint8_t>&, bool)>& change) {
    const std::vector<SourceFrame> frames = encode();
    const std::string out = dir_.file("changed.ivf");
    {
      IvfWriter writer(out);
      IvfSink sink(writer);
      sink.change = change;
      Vp8FrameAssembler assembler(sink);
      push_all(assembler, packetize(frames));
      EXPECT_EQ(writer.frames_written(), 30u);
      EXPECT_EQ(writer.header().width, 320);
      EXPECT_EQ(writer.header().height, 240);
    }
    return frame_md5(out);
  }

  size_t frames_like_the_source(const std::vector<std::string>& md5) const {
    const std::set<std::string> source(source_md5_.begin(), source_md5_.end());
    return size_t(std::count_if(md5.begin(), md5.end(), [&](const auto& m) { return source.count(m) > 0; }));
  }
};

TEST_F(ChangedFrames, FlippedBytesAfterTheFirstTenAreDecodeErrors) {
  const auto md5 = decode_changed([](std::vector<uint8_t>& frame, bool) {
    for (size_t i = 10; i < frame.size(); ++i) frame[i] ^= 0xFF;
  });
  // Observed with FFmpeg 5.1: "Invalid partitions" for every frame, none decoded.
  EXPECT_NE(last_errors_, "");
  EXPECT_EQ(frames_like_the_source(md5), 0u) << last_errors_;
}

TEST_F(ChangedFrames, RandomBytesAfterTheFirstTenNeverGiveTheOriginalPixels) {
  size_t decoded_without_error = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 random(seed);
    const auto md5 = decode_changed([&](std::vector<uint8_t>& frame, bool) {
      for (size_t i = 10; i < frame.size(); ++i) frame[i] = uint8_t(random());
    });
    EXPECT_EQ(frames_like_the_source(md5), 0u) << last_errors_;
    if (last_exit_code_ == 0 && last_errors_.empty() && md5.size() == 30) ++decoded_without_error;
  }
  // With FFmpeg 5.1, whether the keyframe decodes depends on the random
  // bytes where its header goes on (the partition count among them): when
  // it does, all 30 frames decode without a single reported error, to
  // wrong pixels. So an absence of decoder errors proves nothing; a check
  // that a file holds no picture must look at the pixels or the bytes.
  RecordProperty("files_decoded_without_error", int(decoded_without_error));
  EXPECT_GT(decoded_without_error, 0u)
      << "FFmpeg now reports errors for every such file: update this comment";
}

TEST_F(ChangedFrames, AnSFrameLikeLayoutNeverGivesTheOriginalPixels) {
  // 10 clear bytes in keyframes, 3 in delta frames, then ciphertext and a
  // 16-byte authentication tag (RFC 9605's AES-GCM suites).
  std::mt19937 random(12);
  const auto md5 = decode_changed([&](std::vector<uint8_t>& frame, bool keyframe) {
    for (size_t i = keyframe ? 10 : 3; i < frame.size(); ++i) frame[i] = uint8_t(random());
    for (int i = 0; i < 16; ++i) frame.push_back(uint8_t(random()));
  });
  RecordProperty("frames_decoded", int(md5.size()));
  RecordProperty("decoder_complaints", int(std::count(last_errors_.begin(), last_errors_.end(), '\n')));
  EXPECT_EQ(frames_like_the_source(md5), 0u) << last_errors_;
}

}  // namespace
}  // namespace ct::record

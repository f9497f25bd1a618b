#include <gtest/gtest.h>

#include "signal/SdpFragment.hpp"

namespace ct::signal {
namespace {

// A trickle PATCH body as a WHIP client sends it (RFC 9725 §4.3.2, RFC 8840 §9).
const std::string kTrickle =
    "a=ice-options:trickle ice2\r\n"
    "a=ice-ufrag:EsAw\r\n"
    "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:0\r\n"
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id "
    "1\r\n"
    "a=candidate:3471623853 1 UDP 2122194687 198.51.100.2 61765 typ host\r\n"
    "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active\r\n"
    "a=candidate:1 1 udp 1 fe80::1%eth0 5000 typ host\r\n"
    "a=end-of-candidates\r\n";

std::optional<SdpFragment> parse(std::string_view text, std::string* why = nullptr) {
  std::string error;
  auto f = SdpFragment::parse(text, error);
  if (why) *why = error;
  if (!f) {
    EXPECT_FALSE(error.empty()) << "a refusal says why";
  }
  return f;
}

TEST(SdpFragmentTest, ParsesATrickleFragment) {
  auto f = parse(kTrickle);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->ufrag(), "EsAw");
  EXPECT_EQ(f->pwd(), "bP+XJMM09aR8AiX1jdukzR6Y");
  EXPECT_EQ(f->ice_options, (std::vector<std::string>{"trickle", "ice2"}));
  EXPECT_EQ(f->bundle, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(f->media.size(), 1u);
  EXPECT_EQ(f->media[0].mline, "audio 9 UDP/TLS/RTP/SAVPF 111");
  EXPECT_EQ(f->media[0].mid, "0");
  ASSERT_EQ(f->media[0].candidates.size(), 4u);
  EXPECT_EQ(f->media[0].candidates[1], "candidate:3471623853 1 UDP 2122194687 198.51.100.2 61765 typ host");
  EXPECT_TRUE(f->media[0].end_of_candidates);
  EXPECT_EQ(f->candidate_count(), 4u);
}

TEST(SdpFragmentTest, TakesBareLineFeedsAndMediaLevelCredentials) {
  auto f = parse(
      "m=video 9 UDP/TLS/RTP/SAVPF 96\n"
      "a=mid:v\n"
      "a=ice-ufrag:abcd\n"
      "a=ice-pwd:0123456789012345678901\n"
      "a=unknown-attribute:skipped\n");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->ice_ufrag.empty());
  EXPECT_EQ(f->ufrag(), "abcd");
  EXPECT_EQ(f->pwd(), "0123456789012345678901");
  EXPECT_EQ(f->candidate_count(), 0u);
}

TEST(SdpFragmentTest, EndOfCandidatesAloneIsAFragment) {
  auto f = parse("a=end-of-candidates\r\n");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->end_of_candidates);
  EXPECT_TRUE(f->media.empty());
}

TEST(SdpFragmentTest, SerializesWhatItParses) {
  auto f = parse(kTrickle);
  ASSERT_TRUE(f);
  std::string text = f->serialize();
  auto again = parse(text);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->serialize(), text);
  EXPECT_EQ(again->media[0].candidates, f->media[0].candidates);
  EXPECT_NE(text.find("a=ice-ufrag:EsAw\r\n"), std::string::npos);
}

TEST(SdpFragmentTest, RefusesGarbage) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"\r\n\r\n", "empty"},
      {"hello", "line 1"},
      {"v=0\r\n", "'v='"},
      {"c=IN IP4 0.0.0.0\r\n", "'c='"},
      {"a=ice-ufrag:abc\r\n", "ice-ufrag"},   // shorter than 4
      {"a=ice-ufrag:ab!d\r\n", "ice-ufrag"},  // not an ICE character
      {"a=ice-pwd:short\r\n", "ice-pwd"},     // shorter than 22
      {"a=candidate:1 1 udp 1 192.0.2.1 5000 typ host\r\n", "before any m-line"},
      {"m=audio\r\n", "m-line"},
      {"m=audio x UDP/TLS/RTP/SAVPF 111\r\n", "m-line"},
      {"a=mid:0\r\n", "outside an m-line"},
      {"a=ice-lite:yes\r\n", "ice-lite"},
      {"a=end-of-candidates:now\r\n", "end-of-candidates"},
      {"a=group:BUNDLE 0 (1)\r\n", "BUNDLE"},
      {"a=ice-options:tr ickle\r\n", ""},
      {std::string("a=ice-ufrag:abcd\0\r\n", 19), "control"},
      {"a=ice-ufrag:abcd\x01\r\n", "control"},
  };
  for (const auto& [text, expected] : cases) {
    std::string why;
    if (text == "a=ice-options:tr ickle\r\n") {
      EXPECT_TRUE(parse(text)) << "two options";
      continue;
    }
    EXPECT_FALSE(parse(text, &why)) << text;
    EXPECT_NE(why.find(expected), std::string::npos) << text << " -> " << why;
  }
}

TEST(SdpFragmentTest, RefusesBadCandidates) {
  const std::string head = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
  for (const char* candidate : {
           "a=candidate:\r\n",
           "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 host\r\n",       // no typ
           "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 type host\r\n",  // "type"
           "a=candidate:1 0 udp 2122260223 192.0.2.1 61764 typ host\r\n",   // component 0
           "a=candidate:1 1 udp 99999999999 192.0.2.1 61764 typ host\r\n",  // priority over 32 bits
           "a=candidate:1 1 udp 1 192.0.2.1 65536 typ host\r\n",            // port
           "a=candidate:1 1 udp 1 192.0.2.1 -5 typ host\r\n",               // port
           "a=candidate:1 1 udp 1 <script> 5000 typ host\r\n",              // address
           "a=candidate:1 1 udp 1 192.0.2.1 5000 typ host generation\r\n",  // extension without value
           "a=candidate:1  1 udp 1 192.0.2.1 5000 typ host\r\n",            // two spaces
           "a=candidate:f!o 1 udp 1 192.0.2.1 5000 typ host\r\n",           // foundation
       }) {
    EXPECT_FALSE(parse(head + candidate)) << candidate;
  }
}

TEST(SdpFragmentTest, TruncatedFragmentsParseOrSayWhyNeverMore) {
  // Every prefix: either a fragment of what was there, or a refusal.
  for (size_t n = 0; n <= kTrickle.size(); ++n) {
    std::string error;
    auto f = SdpFragment::parse(std::string_view(kTrickle).substr(0, n), error);
    if (f) {
      EXPECT_LE(f->candidate_count(), 4u);
      EXPECT_LE(f->media.size(), 1u);
    } else {
      EXPECT_FALSE(error.empty()) << n;
    }
  }
}

TEST(SdpFragmentTest, SizesAreBounded) {
  std::string many_lines;
  for (size_t i = 0; i <= SdpFragment::kMaxLines; ++i) many_lines += "a=x\r\n";
  EXPECT_FALSE(parse(many_lines));
  std::string many_candidates = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  for (size_t i = 0; i <= SdpFragment::kMaxCandidates; ++i)
    many_candidates += "a=candidate:1 1 udp 1 192.0.2.1 " + std::to_string(1000 + i) + " typ host\r\n";
  std::string why;
  EXPECT_FALSE(parse(many_candidates, &why));
  EXPECT_NE(why.find("candidates"), std::string::npos) << why;
  std::string many_media;
  for (size_t i = 0; i <= SdpFragment::kMaxMedia; ++i) many_media += "m=audio 9 RTP/AVP 0\r\n";
  EXPECT_FALSE(parse(many_media));
  EXPECT_FALSE(parse("a=ice-options:" + std::string(SdpFragment::kMaxLineLength, 'x') + "\r\n"));
  EXPECT_FALSE(parse("a=ice-options:" + std::string(SdpFragment::kMaxIceOptionLength + 1, 'x') + "\r\n"));
  std::string many_options;
  for (size_t i = 0; i <= SdpFragment::kMaxIceOptions; ++i) many_options += "a=ice-options:trickle\r\n";
  EXPECT_FALSE(parse(many_options));
}

TEST(SdpFragmentTest, TakesTheIcePartOfAnAnswer) {
  const std::string answer =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0 1\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:srvA\r\n"
      "a=ice-pwd:serverpassword0123456789\r\na=fingerprint:sha-256 AA:BB\r\na=mid:0\r\n"
      "a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host\r\na=end-of-candidates\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:srvA\r\n"
      "a=ice-pwd:serverpassword0123456789\r\na=mid:1\r\n"
      "a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host\r\n";
  SdpFragment f = SdpFragment::ice_of(answer);
  EXPECT_TRUE(f.ice_lite);
  EXPECT_EQ(f.ice_ufrag, "srvA");
  EXPECT_EQ(f.ice_pwd, "serverpassword0123456789");
  EXPECT_EQ(f.bundle, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(f.media.size(), 1u);  // the bundle's first m-line only
  EXPECT_EQ(f.media[0].mid, "0");
  EXPECT_EQ(f.media[0].candidates.size(), 1u);
  EXPECT_TRUE(f.media[0].end_of_candidates);
  // What it serializes is a fragment a client can parse.
  auto back = parse(f.serialize());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ufrag(), "srvA");
}

TEST(SdpFragmentTest, ReplacesEveryIceCredential) {
  const std::string offer =
      "v=0\r\na=ice-ufrag:old1\r\nm=audio 9 X 0\r\na=ice-ufrag:old1\r\na=ice-pwd:oldpassword\r\n"
      "m=video 9 X 96\na=ice-ufrag:old1\na=ice-pwd:oldpassword\na=mid:1";
  std::string renewed = SdpFragment::with_ice_credentials(offer, "new2", "newpassword");
  EXPECT_EQ(renewed,
            "v=0\r\na=ice-ufrag:new2\r\nm=audio 9 X 0\r\na=ice-ufrag:new2\r\na=ice-pwd:newpassword\r\n"
            "m=video 9 X 96\na=ice-ufrag:new2\na=ice-pwd:newpassword\na=mid:1");
}

}  // namespace
}  // namespace ct::signal

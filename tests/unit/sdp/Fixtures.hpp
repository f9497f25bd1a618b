#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ct::sdp::test {

inline std::string load_fixture(const std::string& name) {
  std::ifstream in(std::string(CT_FIXTURES_DIR) + "/sdp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const std::vector<std::string>& fixture_names() {
  static const std::vector<std::string> names = {
      "chromium-offer-av.sdp", "chromium-offer-simulcast-datachannel.sdp", "chromium-offer-recvonly.sdp",
      "aiortc-offer-av-datachannel.sdp"};
  return names;
}

}  // namespace ct::sdp::test

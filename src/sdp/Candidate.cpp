#include "sdp/Candidate.hpp"

#include "sdp/Text.hpp"

namespace ct::sdp {

Result<Candidate> Candidate::parse(std::string_view text) {
  text = text::trim(text);
  if (text.starts_with("a=")) text.remove_prefix(2);
  if (text.starts_with("candidate:")) text.remove_prefix(10);
  auto tokens = text::split_spaces(text);
  if (tokens.size() < 8) return Error{"candidate needs at least 8 fields, has " + std::to_string(tokens.size())};

  Candidate c;
  c.foundation = std::string(tokens[0]);
  if (c.foundation.size() > 32) return Error{"candidate foundation longer than 32 characters"};
  auto component = text::parse_uint<uint16_t>(tokens[1]);
  if (!component || *component < 1 || *component > 256) return Error{"candidate component is not 1..256"};
  c.component = *component;
  c.transport = std::string(tokens[2]);
  auto priority = text::parse_uint<uint32_t>(tokens[3]);
  if (!priority) return Error{"candidate priority is not a 32-bit number"};
  c.priority = *priority;
  c.address = std::string(tokens[4]);
  auto port = text::parse_uint<uint16_t>(tokens[5]);
  if (!port) return Error{"candidate port is not 0..65535"};
  c.port = *port;
  if (tokens[6] != "typ") return Error{"candidate lacks 'typ'"};
  c.type = std::string(tokens[7]);

  // The rest is name/value pairs; raddr, rport and tcptype are the ones we model.
  if ((tokens.size() - 8) % 2 != 0) return Error{"candidate extension '" + std::string(tokens.back()) + "' has no value"};
  for (size_t i = 8; i + 1 < tokens.size(); i += 2) {
    std::string_view name = tokens[i], value = tokens[i + 1];
    if (name == "raddr") {
      c.related_address = std::string(value);
    } else if (name == "rport") {
      auto rport = text::parse_uint<uint16_t>(value);
      if (!rport) return Error{"candidate rport is not 0..65535"};
      c.related_port = *rport;
    } else if (name == "tcptype") {
      c.tcp_type = std::string(value);
    } else {
      c.extensions.emplace_back(std::string(name), std::string(value));
    }
  }
  return c;
}

std::string Candidate::to_string() const {
  std::string out = "candidate:";
  out += foundation;
  out += ' ' + std::to_string(component) + ' ' + transport + ' ' + std::to_string(priority) + ' ' + address + ' ' +
         std::to_string(port) + " typ " + type;
  if (related_address) out += " raddr " + *related_address;
  if (related_port) out += " rport " + std::to_string(*related_port);
  if (tcp_type) out += " tcptype " + *tcp_type;
  for (const auto& [name, value] : extensions) out += ' ' + name + ' ' + value;
  return out;
}

}  // namespace ct::sdp

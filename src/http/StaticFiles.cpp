#include "http/StaticFiles.hpp"

#include <stdexcept>
#include <system_error>

namespace ct::http {

namespace fs = std::filesystem;

namespace {

bool is_within(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec || !fs::is_directory(root_, ec)) {
    throw std::runtime_error("HTTP static root '" + root + "' is not a readable directory");
  }
}

std::optional<fs::path> StaticFiles::resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  fs::path full = root_;
  size_t pos = 1;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const auto segment = path.substr(pos, end - pos);
    if (segment == "..") return std::nullopt;
    if (!segment.empty() && segment != ".") full /= segment;
    pos = end + 1;
  }
  std::error_code ec;
  auto canon = fs::canonical(full, ec);
  if (ec) return std::nullopt;
  if (fs::is_directory(canon, ec)) canon = fs::canonical(canon / "index.html", ec);
  if (ec || !is_within(canon, root_) || !fs::is_regular_file(canon, ec)) return std::nullopt;
  return canon;
}

bool StaticFiles::has_dot_dot(std::string_view path) {
  size_t pos = 0;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(pos, end - pos) == "..") return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace ct::http

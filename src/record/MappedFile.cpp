#include "record/MappedFile.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ct::record {

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error_ = path + ": open: " + std::strerror(errno);
    return;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    error_ = path + ": stat: " + std::strerror(errno);
  } else if (status.st_size == 0) {
    open_ = true;  // nothing to map
  } else {
    void* data = ::mmap(nullptr, size_t(status.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      error_ = path + ": mmap: " + std::strerror(errno);
    } else {
      data_ = static_cast<const uint8_t*>(data);
      size_ = size_t(status.st_size);
      open_ = true;
    }
  }
  ::close(fd);  // the mapping stays valid
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace ct::record

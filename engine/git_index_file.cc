#include "engine/git_index_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sotinc {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kHashSize = 20;
// ctime, mtime (2 x 8), dev, ino, mode, uid, gid, size (6 x 4), id, flags.
constexpr size_t kEntryFixedSize = 16 + 24 + 20 + 2;
constexpr uint16_t kFlagExtended = 0x4000;
constexpr uint16_t kNameMask = 0x0fff;

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint16_t Be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// The index file mapped read-only (mapping avoids copying a file that is
// megabytes long for big trees); unmapped on destruction.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // False with errno set on failure; an empty file maps to size() == 0.
  bool Map(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    if (ok && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* data = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      ok = data != MAP_FAILED;
      data_ = ok ? data : nullptr;
      if (!ok) size_ = 0;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
  }
  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// git's varint of index v4 (an "offset encoding": each continuation adds 1).
bool DecodeVarint(const unsigned char** p, const unsigned char* end, uint64_t* out) {
  if (*p >= end) return false;
  unsigned char c = *(*p)++;
  uint64_t value = c & 127;
  while (c & 128) {
    if (*p >= end || value >= (uint64_t{1} << 56)) return false;
    c = *(*p)++;
    value = ((value + 1) << 7) | (c & 127);
  }
  *out = value;
  return true;
}

}  // namespace

std::string GitIndexEntry::IdHex() const {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(40, '0');
  for (int i = 0; i < 20; ++i) {
    hex[2 * i] = kDigits[id[i] >> 4];
    hex[2 * i + 1] = kDigits[id[i] & 15];
  }
  return hex;
}

Result<std::vector<GitIndexEntry>> ReadGitIndexFile(const std::string& path) {
  std::vector<GitIndexEntry> entries;
  MappedFile file;
  if (!file.Map(path)) {
    if (errno == ENOENT) return entries;  // no index yet: an empty one, as in git
    return Status::Error("cannot read the index '" + path + "': " + std::strerror(errno));
  }

  auto corrupt = [&](const std::string& why) {
    return Status::Error("the index '" + path + "' is corrupt (" + why +
                         "); `git status` may repair it, else remove it and run `git reset`");
  };
  const unsigned char* begin = file.data();
  if (file.size() < kHeaderSize + kHashSize || std::memcmp(begin, "DIRC", 4) != 0) {
    return corrupt("no index header");
  }
  const uint32_t version = Be32(begin + 4);
  if (version < 2 || version > 4) {
    return Status::Error("the index '" + path + "' has version " + std::to_string(version) +
                         ", which sotinc cannot read (2 to 4 are supported)");
  }
  const uint32_t count = Be32(begin + 8);
  const unsigned char* end = begin + file.size() - kHashSize;
  const unsigned char* p = begin + kHeaderSize;
  if (count > file.size() / kEntryFixedSize) return corrupt("impossible entry count");
  entries.resize(count);

  std::string previous;  // v4 paths are compressed against the previous one
  for (uint32_t i = 0; i < count; ++i) {
    const unsigned char* start = p;
    if (static_cast<size_t>(end - p) < kEntryFixedSize) return corrupt("truncated entry");
    GitIndexEntry& e = entries[i];
    e.ctime_sec = Be32(p);
    e.ctime_nsec = Be32(p + 4);
    e.mtime_sec = Be32(p + 8);
    e.mtime_nsec = Be32(p + 12);
    e.dev = Be32(p + 16);
    e.ino = Be32(p + 20);
    e.mode = Be32(p + 24);
    e.uid = Be32(p + 28);
    e.gid = Be32(p + 32);
    e.size = Be32(p + 36);
    std::memcpy(e.id, p + 40, 20);
    e.flags = Be16(p + 60);
    p += kEntryFixedSize;
    if (e.flags & kFlagExtended) {
      if (version < 3 || end - p < 2) return corrupt("bad extended flags");
      e.extended_flags = Be16(p);
      p += 2;
    }
    if (version == 4) {
      uint64_t strip = 0;
      if (!DecodeVarint(&p, end, &strip) || strip > previous.size()) {
        return corrupt("bad path compression");
      }
      const void* nul = std::memchr(p, '\0', static_cast<size_t>(end - p));
      if (nul == nullptr) return corrupt("unterminated path");
      const auto* suffix_end = static_cast<const unsigned char*>(nul);
      e.path.reserve(previous.size() - strip + static_cast<size_t>(suffix_end - p));
      e.path.assign(previous, 0, previous.size() - strip);
      e.path.append(reinterpret_cast<const char*>(p), static_cast<size_t>(suffix_end - p));
      p = suffix_end + 1;
      previous = e.path;
    } else {
      size_t length = e.flags & kNameMask;
      if (length == kNameMask) {  // 4095 or longer: find the NUL
        const void* nul = std::memchr(p + length, '\0', static_cast<size_t>(end - (p + length)));
        if (nul == nullptr) return corrupt("unterminated path");
        length = static_cast<size_t>(static_cast<const unsigned char*>(nul) - p);
      }
      if (static_cast<size_t>(end - p) <= length) return corrupt("truncated path");
      e.path.assign(reinterpret_cast<const char*>(p), length);
      // Pad with 1 to 8 NULs to a multiple of 8 bytes from the entry's start.
      const size_t entry_size = (static_cast<size_t>(p - start) + length + 8) & ~size_t{7};
      if (static_cast<size_t>(end - start) < entry_size) return corrupt("truncated entry");
      p = start + entry_size;
    }
  }

  // Extensions: 4-byte signature, 32-bit size, data.
  while (end - p >= 8) {
    if (std::memcmp(p, "link", 4) == 0) {
      return Status::Error("the index '" + path +
                           "' is a split index (core.splitIndex), which sotinc cannot read; "
                           "run `git update-index --no-split-index`");
    }
    if (std::memcmp(p, "sdir", 4) == 0) {
      return Status::Error("the index '" + path +
                           "' is a sparse index (index.sparse), which sotinc cannot read; "
                           "run `git sparse-checkout set --no-sparse-index`");
    }
    const uint32_t size = Be32(p + 4);
    if (static_cast<uint64_t>(end - p) - 8 < size) return corrupt("truncated extension");
    p += 8 + size;
  }
  return entries;
}

}  // namespace sotinc

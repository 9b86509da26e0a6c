// The little byte format shared by the cache codec (engine/result_codec.h)
// and the worker pool's messages (engine/job.h): little-endian base-128
// varints, zigzag for signed integers, strings as a varint length then the
// bytes, doubles as 8 little-endian bytes of their IEEE representation.
//
// WireReader trusts nothing: every read checks its bounds, the first
// failure is sticky (test once at the end of a group), and a length is
// never believed beyond the bytes that remain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"

namespace sotinc {

void PutVarint(std::string* out, uint64_t v);
void PutZigzag(std::string* out, int64_t v);
void PutString(std::string* out, std::string_view s);
void PutDouble(std::string* out, double v);
// A content id, packed: a form byte (0 = the string as is, 1 = 40 hex
// digits (a git blob id) as 20 bytes, 2 = "x:" + 32 hex digits as 16 bytes),
// then the string or the raw bytes.
void PutContentId(std::string* out, std::string_view id);
// One path of a list sorted by path: the length of the prefix it shares
// with the previous path (empty for the first), then the rest as a string.
void PutPathAfter(std::string* out, std::string_view previous, std::string_view path);
// varint count, then per finding: path, zigzag line, zigzag column, message.
void PutFindingsBody(std::string* out, const std::vector<Finding>& findings);

class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Records the first failure; always returns false.
  bool Fail(const char* what);

  bool Byte(unsigned char* out);
  bool Varint(uint64_t* out);
  bool Int(int* out);  // zigzag, within int's range
  bool String(std::string* out);
  bool Double(double* out);
  bool FindingsBody(std::vector<Finding>* out);
  bool ContentId(std::string* out);  // as PutContentId wrote it
  // A path as PutPathAfter wrote it after `previous` (which may alias
  // nothing in *out); fails when the shared prefix is longer than it.
  bool PathAfter(std::string_view previous, std::string* out);
  // True when every byte was consumed (and nothing failed).
  bool AtEnd();

 private:
  const char* p_;
  const char* end_;
  std::string error_;
};

}  // namespace sotinc

#include "engine/wire.h"

#include <climits>
#include <cstring>

namespace sotinc {
namespace {

// A finding takes at least four bytes (two empty strings, two varints), so
// a count above remaining/4 is a lie; checking it bounds the reserve().
constexpr size_t kMinFindingBytes = 4;

// Content id forms (PutContentId).
constexpr unsigned char kIdString = 0;
constexpr unsigned char kIdGitHex = 1;   // 40 lower-case hex digits (a blob id)
constexpr unsigned char kIdHashHex = 2;  // "x:" + 32 lower-case hex digits (XXH3-128)

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutZigzag(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}

void PutDouble(std::string* out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void PutFindingsBody(std::string* out, const std::vector<Finding>& findings) {
  PutVarint(out, findings.size());
  for (const Finding& f : findings) {
    PutString(out, f.path);
    PutZigzag(out, f.line);
    PutZigzag(out, f.column);
    PutString(out, f.message);
  }
}

bool WireReader::Fail(const char* what) {
  if (error_.empty()) error_ = what;
  return false;
}

bool WireReader::Byte(unsigned char* out) {
  if (failed()) return false;
  if (p_ == end_) return Fail("truncated");
  *out = static_cast<unsigned char>(*p_++);
  return true;
}

bool WireReader::Varint(uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    unsigned char b;
    if (!Byte(&b)) return false;
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && b > 1) return Fail("varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      // One encoding per value, so decoding and re-encoding is the identity.
      if (b == 0 && shift > 0) return Fail("varint is not minimal");
      *out = v;
      return true;
    }
  }
  return Fail("varint overflows 64 bits");
}

bool WireReader::Int(int* out) {
  uint64_t z;
  if (!Varint(&z)) return false;
  int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  if (v < INT_MIN || v > INT_MAX) return Fail("integer out of range");
  *out = static_cast<int>(v);
  return true;
}

bool WireReader::String(std::string* out) {
  uint64_t n;
  if (!Varint(&n)) return false;
  if (n > remaining()) return Fail("string length exceeds the data");
  out->assign(p_, static_cast<size_t>(n));
  p_ += n;
  return true;
}

bool WireReader::PathAfter(std::string_view previous, std::string* out) {
  uint64_t shared = 0;
  std::string rest;
  if (!Varint(&shared) || !String(&rest)) return false;
  if (shared > previous.size()) return Fail("shared path prefix longer than the previous path");
  std::string path;
  path.reserve(static_cast<size_t>(shared) + rest.size());
  path.assign(previous.substr(0, static_cast<size_t>(shared))).append(rest);
  *out = std::move(path);
  return true;
}

bool WireReader::Double(double* out) {
  if (failed()) return false;
  if (remaining() < 8) return Fail("truncated");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits |= static_cast<uint64_t>(static_cast<unsigned char>(p_[i])) << (8 * i);
  p_ += 8;
  std::memcpy(out, &bits, sizeof bits);
  return true;
}

bool WireReader::FindingsBody(std::vector<Finding>* out) {
  uint64_t count;
  if (!Varint(&count)) return false;
  if (count > remaining() / kMinFindingBytes) return Fail("finding count exceeds the data");
  out->clear();
  out->reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    Finding f;
    if (!String(&f.path) || !Int(&f.line) || !Int(&f.column) || !String(&f.message)) {
      return false;
    }
    out->push_back(std::move(f));
  }
  return true;
}

bool WireReader::AtEnd() { return failed() ? false : (p_ == end_ || Fail("trailing bytes")); }

void PutPathAfter(std::string* out, std::string_view previous, std::string_view path) {
  size_t shared = 0;
  while (shared < previous.size() && shared < path.size() && previous[shared] == path[shared]) {
    ++shared;
  }
  PutVarint(out, shared);
  PutString(out, path.substr(shared));
}

void PutContentId(std::string* out, std::string_view id) {
  // Packs hex in one pass; a non-hex digit (or upper case) falls back to
  // the string form.
  std::string_view hex;
  unsigned char form = kIdString;
  if (id.size() == 40) {
    form = kIdGitHex;
    hex = id;
  } else if (id.size() == 34 && id[0] == 'x' && id[1] == ':') {
    form = kIdHashHex;
    hex = id.substr(2);
  }
  if (form != kIdString) {
    const size_t mark = out->size();
    out->push_back(static_cast<char>(form));
    for (size_t i = 0; i < hex.size(); i += 2) {
      const int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
      if ((hi | lo) < 0) {
        out->resize(mark);
        form = kIdString;
        break;
      }
      out->push_back(static_cast<char>(hi * 16 + lo));
    }
    if (form != kIdString) return;
  }
  out->push_back(static_cast<char>(kIdString));
  PutString(out, id);
}

bool WireReader::ContentId(std::string* id) {
  unsigned char form;
  if (!Byte(&form)) return false;
  if (form == kIdString) return String(id);
  if (form != kIdGitHex && form != kIdHashHex) return Fail("unknown content id form");
  static const char kDigits[] = "0123456789abcdef";
  const size_t bytes = form == kIdGitHex ? 20 : 16;
  id->assign(form == kIdGitHex ? "" : "x:");
  for (size_t i = 0; i < bytes; ++i) {
    unsigned char b;
    if (!Byte(&b)) return false;
    id->push_back(kDigits[b >> 4]);
    id->push_back(kDigits[b & 15]);
  }
  return true;
}

}  // namespace sotinc

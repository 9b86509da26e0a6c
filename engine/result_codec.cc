#include "engine/result_codec.h"

#include <xxhash.h>

#include <climits>
#include <cstdint>
#include <cstring>

namespace sotinc {
namespace {

constexpr unsigned char kKindRule = 'R';
constexpr unsigned char kKindFindings = 'F';
// A finding takes at least four bytes (two empty strings, two varints), so
// a count above remaining/4 is a lie; checking it bounds the reserve().
constexpr size_t kMinFindingBytes = 4;

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

void PutString(std::string* out, const std::string& s) {
  PutVarint(out, s.size());
  out->append(s);
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

// A cursor over untrusted bytes.  Every read checks the bounds first; the
// first failure is sticky so callers can test once at the end of a group.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  bool Fail(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }

  bool Byte(unsigned char* out) {
    if (failed()) return false;
    if (p_ == end_) return Fail("truncated");
    *out = static_cast<unsigned char>(*p_++);
    return true;
  }

  bool Varint(uint64_t* out) {
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

  bool Int(int* out) {
    uint64_t z;
    if (!Varint(&z)) return false;
    int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    if (v < INT_MIN || v > INT_MAX) return Fail("integer out of range");
    *out = static_cast<int>(v);
    return true;
  }

  bool String(std::string* out) {
    uint64_t n;
    if (!Varint(&n)) return false;
    if (n > remaining()) return Fail("string length exceeds the data");
    out->assign(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }

  bool Double(double* out) {
    if (failed()) return false;
    if (remaining() < 8) return Fail("truncated");
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<uint64_t>(static_cast<unsigned char>(p_[i])) << (8 * i);
    p_ += 8;
    std::memcpy(out, &bits, sizeof bits);
    return true;
  }

  bool Header(unsigned char kind) {
    unsigned char version, k;
    if (!Byte(&version) || !Byte(&k)) return false;
    if (version != kResultCodecVersion) return Fail("unknown format version");
    if (k != kind) return Fail("wrong record kind");
    return true;
  }

  bool FindingsBody(std::vector<Finding>* out) {
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

  bool AtEnd() { return failed() ? false : (p_ == end_ || Fail("trailing bytes")); }

 private:
  const char* p_;
  const char* end_;
  std::string error_;
};

Status DecodeError(const char* what, const Reader& r) {
  return Status::Error(std::string("cached ") + what + " is malformed (" + r.error() + ")");
}

}  // namespace

std::string EncodeRuleResult(const RuleResult& result) {
  std::string out;
  out.push_back(static_cast<char>(kResultCodecVersion));
  out.push_back(static_cast<char>(kKindRule));
  out.push_back(static_cast<char>(result.status));
  out.push_back(static_cast<char>(result.severity));
  uint64_t bits;
  std::memcpy(&bits, &result.duration_ms, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  PutString(&out, result.id);
  PutString(&out, result.reason);
  PutFindingsBody(&out, result.findings);
  return out;
}

Result<RuleResult> DecodeRuleResult(std::string_view bytes) {
  Reader r(bytes);
  RuleResult result;
  unsigned char status = 0, severity = 0;
  if (r.Header(kKindRule) && r.Byte(&status) && r.Byte(&severity)) {
    if (status > static_cast<unsigned char>(RuleStatus::kSkipped)) r.Fail("unknown status");
    if (severity > static_cast<unsigned char>(Severity::kInfo)) r.Fail("unknown severity");
  }
  if (!r.failed()) {
    result.status = static_cast<RuleStatus>(status);
    result.severity = static_cast<Severity>(severity);
  }
  if (!r.Double(&result.duration_ms) || !r.String(&result.id) || !r.String(&result.reason) ||
      !r.FindingsBody(&result.findings) || !r.AtEnd()) {
    return DecodeError("rule result", r);
  }
  return result;
}

std::string EncodeFindings(const std::vector<Finding>& findings) {
  std::string out;
  out.push_back(static_cast<char>(kResultCodecVersion));
  out.push_back(static_cast<char>(kKindFindings));
  PutFindingsBody(&out, findings);
  return out;
}

Result<std::vector<Finding>> DecodeFindings(std::string_view bytes) {
  Reader r(bytes);
  std::vector<Finding> findings;
  if (!r.Header(kKindFindings) || !r.FindingsBody(&findings) || !r.AtEnd()) {
    return DecodeError("findings", r);
  }
  return findings;
}

std::string ResultDigest(const RuleResult& result) {
  // A domain prefix keeps this digest apart from other XXH3 uses (content
  // ids, keys) even if their inputs happened to coincide.
  std::string canonical = "sotinc.result-digest.v1";
  canonical.push_back(static_cast<char>(result.status));
  PutString(&canonical, result.reason);
  PutFindingsBody(&canonical, result.findings);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(canonical.data(), canonical.size()));
  return std::string(reinterpret_cast<const char*>(c.digest), sizeof c.digest);
}

}  // namespace sotinc

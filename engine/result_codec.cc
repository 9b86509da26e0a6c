#include "engine/result_codec.h"

#include <xxhash.h>

#include "engine/wire.h"

namespace sotinc {
namespace {

constexpr unsigned char kKindRule = 'R';
constexpr unsigned char kKindFindings = 'F';

// A result record starts with the format version and its kind.
bool Header(WireReader& r, unsigned char kind) {
  unsigned char version, k;
  if (!r.Byte(&version) || !r.Byte(&k)) return false;
  if (version != kResultCodecVersion) return r.Fail("unknown format version");
  if (k != kind) return r.Fail("wrong record kind");
  return true;
}

Status DecodeError(const char* what, const WireReader& r) {
  return Status::Error(std::string("cached ") + what + " is malformed (" + r.error() + ")");
}

}  // namespace

std::string EncodeRuleResult(const RuleResult& result) {
  std::string out;
  out.push_back(static_cast<char>(kResultCodecVersion));
  out.push_back(static_cast<char>(kKindRule));
  out.push_back(static_cast<char>(result.status));
  out.push_back(static_cast<char>(result.severity));
  PutDouble(&out, result.duration_ms);
  PutString(&out, result.id);
  PutString(&out, result.reason);
  PutFindingsBody(&out, result.findings);
  return out;
}

Result<RuleResult> DecodeRuleResult(std::string_view bytes) {
  WireReader r(bytes);
  RuleResult result;
  unsigned char status = 0, severity = 0;
  if (Header(r, kKindRule) && r.Byte(&status) && r.Byte(&severity)) {
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
  WireReader r(bytes);
  std::vector<Finding> findings;
  if (!Header(r, kKindFindings) || !r.FindingsBody(&findings) || !r.AtEnd()) {
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

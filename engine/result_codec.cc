#include "engine/result_codec.h"

#include <xxhash.h>

#include <algorithm>

#include "engine/wire.h"

namespace sotinc {
namespace {

constexpr unsigned char kKindRule = 'R';
constexpr unsigned char kKindFindings = 'F';
constexpr unsigned char kKindFileRecord = 'P';


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

std::string EncodeFileRecord(const std::vector<FileVerdict>& verdicts) {
  std::string out;
  out.push_back(static_cast<char>(kResultCodecVersion));
  out.push_back(static_cast<char>(kKindFileRecord));
  PutVarint(&out, verdicts.size());
  std::string_view previous;
  for (const FileVerdict& v : verdicts) {
    PutPathAfter(&out, previous, v.path);
    PutContentId(&out, v.content_id);
    PutFindingsBody(&out, v.findings);
    previous = v.path;
  }
  return out;
}

Result<std::vector<FileVerdict>> DecodeFileRecord(std::string_view bytes) {
  WireReader r(bytes);
  std::vector<FileVerdict> verdicts;
  uint64_t count = 0;
  if (Header(r, kKindFileRecord) && r.Varint(&count)) {
    // Every file takes at least four bytes: never believe a count beyond that.
    if (count > r.remaining() / 4) r.Fail("file count beyond the record's size");
    for (uint64_t i = 0; i < count && !r.failed(); ++i) {
      FileVerdict v;
      std::string_view previous;
      if (!verdicts.empty()) previous = verdicts.back().path;
      if (!r.PathAfter(previous, &v.path) || !r.ContentId(&v.content_id) ||
          !r.FindingsBody(&v.findings)) {
        break;
      }
      if (!verdicts.empty() && !(previous < v.path)) {
        r.Fail("paths out of order");
        break;
      }
      verdicts.push_back(std::move(v));
    }
  }
  if (r.failed() || !r.AtEnd()) return DecodeError("file record", r);
  return verdicts;
}

bool FileRecordIndex::Parse(std::string bytes) {
  bytes_ = std::move(bytes);
  buffer_.clear();
  entries_.clear();
  WireReader r(bytes_);
  uint64_t count = 0;
  std::string rest, id;
  std::vector<Finding> findings;
  size_t previous_at = 0, previous_size = 0;
  if (Header(r, kKindFileRecord) && r.Varint(&count) && count <= r.remaining() / 4) {
    entries_.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t shared = 0;
      if (!r.Varint(&shared) || !r.String(&rest) || !r.ContentId(&id)) break;
      if (shared > previous_size) {
        r.Fail("shared path prefix longer than the previous path");
        break;
      }
      Entry e;
      e.path_at = buffer_.size();
      buffer_.append(buffer_, previous_at, static_cast<size_t>(shared)).append(rest);
      e.path_size = buffer_.size() - e.path_at;
      if (i > 0 && !(std::string_view(buffer_).substr(previous_at, previous_size) <
                     std::string_view(buffer_).substr(e.path_at, e.path_size))) {
        r.Fail("paths out of order");
        break;
      }
      e.id_at = buffer_.size();
      buffer_.append(id);
      e.id_size = id.size();
      e.findings_at = bytes_.size() - r.remaining();
      if (!r.FindingsBody(&findings)) break;
      previous_at = e.path_at;
      previous_size = e.path_size;
      entries_.push_back(e);
    }
  } else if (!r.failed()) {
    r.Fail("file count beyond the record's size");
  }
  if (r.failed() || !r.AtEnd() || entries_.size() != count) {
    bytes_.clear();
    buffer_.clear();
    entries_.clear();
    return false;
  }
  return true;
}

const FileRecordIndex::Entry* FileRecordIndex::Find(std::string_view wanted) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), wanted,
                             [this](const Entry& e, std::string_view p) { return path(e) < p; });
  return it != entries_.end() && path(*it) == wanted ? &*it : nullptr;
}

std::vector<Finding> FileRecordIndex::findings(const Entry& e) const {
  WireReader r(std::string_view(bytes_).substr(e.findings_at));
  std::vector<Finding> out;
  r.FindingsBody(&out);  // checked by Parse
  return out;
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

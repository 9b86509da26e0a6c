// The byte form of a rule's result as the cache stores it, and the digest
// that early cutoff compares.
//
// Format (version 1, every integer a little-endian base-128 varint unless
// said otherwise; a "string" is a varint byte length then the bytes):
//   rule result:  u8 version=1, u8 kind='R', u8 status, u8 severity,
//                 8-byte little-endian IEEE double duration_ms,
//                 string id, string reason, findings
//   findings:     u8 version=1, u8 kind='F', findings         (standalone)
//   file record:  u8 version=1, u8 kind='P', varint count, then per file,
//                 in strictly increasing path order: varint length of the
//                 prefix shared with the previous path, string rest of the
//                 path, content id (u8 form: 0 = string as is, 1 = 40 hex
//                 digits as 20 bytes, 2 = "x:" + 32 hex digits as 16 bytes),
//                 findings body
//   findings body: varint count, then per finding:
//                 string path, zigzag varint line, zigzag varint column,
//                 string message
// `cached` is not encoded: a decoded result is a plain value with
// cached=false, and the engine marks it cached itself.  A new field means a
// new version byte; decoders reject versions they do not know, which the
// engine treats as a cache miss.
//
// Decoding trusts nothing: any byte string (truncated, garbage, lengths
// near 2^64) gives either the exact value that was encoded or an error
// Status.  It never reads out of bounds, and never allocates more than a
// small multiple of the input's size, so it is safe to fuzz.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"
#include "engine/status.h"

namespace sotinc {

// The current format version, the first byte of every encoding.
inline constexpr unsigned char kResultCodecVersion = 1;

std::string EncodeRuleResult(const RuleResult& result);
Result<RuleResult> DecodeRuleResult(std::string_view bytes);

// The per-file cache stores only findings (the status follows from them).
std::string EncodeFindings(const std::vector<Finding>& findings);
Result<std::vector<Finding>> DecodeFindings(std::string_view bytes);

// The per-file results of one per-file rule for a group of files (see
// engine/runner.cc: one record per top-level folder): each file's path,
// the content id it was judged at, and its findings.  Encoded compactly,
// since a record covers thousands of files and is rewritten whenever one
// of them is judged again.
struct FileVerdict {
  std::string path;
  std::string content_id;
  std::vector<Finding> findings;
};
// `verdicts` must be sorted by path, without duplicates.
std::string EncodeFileRecord(const std::vector<FileVerdict>& verdicts);
Result<std::vector<FileVerdict>> DecodeFileRecord(std::string_view bytes);

// A file record read for lookups, without a string per file: paths and ids
// are rebuilt into one buffer, and a file's findings are decoded only when
// asked for. What a run does with the records of the rules it reruns.
class FileRecordIndex {
 public:
  struct Entry {
    size_t path_at, path_size, id_at, id_size;  // in the buffer
    size_t findings_at;                         // in the record's bytes
  };
  // False (and empty) when `bytes` is not a well-formed record.
  bool Parse(std::string bytes);
  // The entry of `path`, or null.
  const Entry* Find(std::string_view path) const;
  std::string_view path(const Entry& e) const { return {buffer_.data() + e.path_at, e.path_size}; }
  std::string_view content_id(const Entry& e) const { return {buffer_.data() + e.id_at, e.id_size}; }
  std::vector<Finding> findings(const Entry& e) const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::string bytes_;
  std::string buffer_;
  std::vector<Entry> entries_;  // sorted by path
};

// 16 raw bytes: XXH3-128 (canonical, big-endian) of the status, reason and
// findings, in that order.  It leaves out what does not change what a
// dependent sees: id, severity, duration_ms and cached.  Two results with
// the same digest are interchangeable for the rules that depend on them,
// which is what lets a rerun with an unchanged result keep its dependents
// cached.  Findings are hashed in the order given: callers sort them first
// (SortFindings), otherwise equal results may digest differently, which
// costs a rerun but is never wrong.
std::string ResultDigest(const RuleResult& result);

}  // namespace sotinc

#include "engine/run_memo.h"

#include "engine/content_ids.h"
#include "engine/keys.h"
#include "engine/result_codec.h"
#include "engine/runner.h"
#include "engine/wire.h"

namespace sotinc {
namespace {

constexpr unsigned char kMemoVersion = 1;
constexpr unsigned char kKindMemo = 'M';

void PutStrings(std::string* out, const std::vector<std::string>& strings) {
  PutVarint(out, strings.size());
  for (const std::string& s : strings) PutString(out, s);
}

bool Strings(WireReader& r, std::vector<std::string>* out) {
  uint64_t n = 0;
  if (!r.Varint(&n)) return false;
  if (n > r.remaining()) return r.Fail("count beyond the bytes left");
  out->resize(n);
  for (std::string& s : *out) {
    if (!r.String(&s)) return false;
  }
  return true;
}

// A count, believed only as far as each item takes at least one byte.
bool Count(WireReader& r, uint64_t* n) {
  if (!r.Varint(n)) return false;
  if (*n > r.remaining()) return r.Fail("count beyond the bytes left");
  return true;
}

bool RuleDescription(WireReader& r, Rule* rule) {
  int line = 0, column = 0;
  unsigned char severity = 0, enabled = 0;
  if (!r.String(&rule->id) || !r.String(&rule->title) || !r.String(&rule->description) ||
      !r.String(&rule->kind) || !r.String(&rule->loc.file) || !r.Int(&line) || !r.Int(&column) ||
      !r.Byte(&severity) || !r.Byte(&enabled)) {
    return false;
  }
  if (severity > static_cast<unsigned char>(Severity::kInfo)) return r.Fail("unknown severity");
  if (enabled > 1) return r.Fail("bad flag");
  rule->loc.line = line;
  rule->loc.column = column;
  rule->severity = static_cast<Severity>(severity);
  rule->enabled = enabled == 1;
  return Strings(r, &rule->tags) && Strings(r, &rule->depends_on);
}

}  // namespace

std::string RunMemoKey(const std::vector<std::string>& fields) {
  KeyBuilder key;
  key.Add("run-memo").Add(kEngineKeyVersion).Add(SOTINC_VERSION).AddU64(fields.size());
  for (const std::string& f : fields) key.Add(f);
  return key.Finish();
}

namespace {

// HashBytes of a file's bytes, streamed; empty when it cannot be read.
std::string HashOf(FileSource* source, const FileEntry& file) {
  ByteHasher hasher;
  Status read = source->ReadChunks(file, [&hasher](std::string_view b) { hasher.Update(b); });
  return read.ok() ? hasher.Finish() : "";
}

}  // namespace

std::string ListingDigest(const std::vector<FileEntry>& files, FileSource* source,
                          int64_t listed_at_ns, std::vector<HashedFile>* hashed) {
  KeyBuilder key;
  key.AddU64(files.size());
  for (const FileEntry& f : files) {
    key.Add(f.path).AddU64(static_cast<uint64_t>(f.type)).AddU64(f.size).Add(f.content_id);
    if (!f.content_id.empty()) continue;
    if (StatDataSettled(f, listed_at_ns)) {
      // The stat cache decides such a file's id from exactly these.
      key.Add("stat")
          .AddU64(static_cast<uint64_t>(f.mtime_ns))
          .AddU64(static_cast<uint64_t>(f.ctime_ns))
          .AddU64(f.ino);
      continue;
    }
    std::string hash = HashOf(source, f);
    if (hash.empty()) return "";
    key.Add("bytes").Add(hash);
    hashed->push_back({f, std::move(hash)});
  }
  return key.Finish();
}

bool StillTheSame(FileSource* source, const std::vector<HashedFile>& hashed) {
  for (const HashedFile& h : hashed) {
    if (HashOf(source, h.file) != h.hash) return false;
  }
  return true;
}

bool CanMemoize(const RunReport& report) {
  if (report.interrupted != 0) return false;
  for (const RuleResult& r : report.results) {
    if (r.status == RuleStatus::kError) return false;
  }
  return true;
}

RuleResult AsReplayed(const RuleResult& result) {
  RuleResult out = result;
  out.cached = result.status == RuleStatus::kPass || result.status == RuleStatus::kFail;
  // A cached result's duration is what this run spent on it: nothing.
  if (out.cached) out.duration_ms = 0;
  out.explain.clear();
  return out;
}

Rule DescriptionOf(const Rule& rule) {
  Rule d;
  d.id = rule.id;
  d.title = rule.title;
  d.description = rule.description;
  d.severity = rule.severity;
  d.tags = rule.tags;
  d.depends_on = rule.depends_on;
  d.enabled = rule.enabled;
  d.kind = rule.kind;
  d.loc = rule.loc;
  return d;
}

std::string EncodeRunMemo(const RunMemo& memo) {
  std::string out;
  out.push_back(static_cast<char>(kMemoVersion));
  out.push_back(static_cast<char>(kKindMemo));
  PutString(&out, memo.listing);
  PutVarint(&out, memo.config_files.size());
  for (const ConfigFileDigest& f : memo.config_files) {
    PutString(&out, f.path);
    PutString(&out, f.digest);
  }
  PutVarint(&out, memo.rules.size());
  for (const Rule& rule : memo.rules) {
    for (const std::string* s : {&rule.id, &rule.title, &rule.description, &rule.kind,
                                 &rule.loc.file}) {
      PutString(&out, *s);
    }
    PutZigzag(&out, rule.loc.line);
    PutZigzag(&out, rule.loc.column);
    out.push_back(static_cast<char>(rule.severity));
    out.push_back(rule.enabled ? 1 : 0);
    PutStrings(&out, rule.tags);
    PutStrings(&out, rule.depends_on);
  }
  PutVarint(&out, memo.results.size());
  for (const RuleResult& result : memo.results) {
    PutString(&out, EncodeRuleResult(result));
    out.push_back(result.cached ? 1 : 0);
  }
  return out;
}

Result<RunMemo> DecodeRunMemo(std::string_view bytes) {
  WireReader r(bytes);
  RunMemo memo;
  unsigned char version = 0, kind = 0;
  uint64_t n = 0;
  if (r.Byte(&version) && r.Byte(&kind)) {
    if (version != kMemoVersion) r.Fail("unknown format version");
    if (kind != kKindMemo) r.Fail("wrong record kind");
  }
  if (!r.failed() && r.String(&memo.listing) && Count(r, &n)) {
    memo.config_files.resize(n);
    for (ConfigFileDigest& f : memo.config_files) {
      if (!r.String(&f.path) || !r.String(&f.digest)) break;
    }
  }
  if (!r.failed() && Count(r, &n)) {
    memo.rules.resize(n);
    for (Rule& rule : memo.rules) {
      if (!RuleDescription(r, &rule)) break;
    }
  }
  if (!r.failed() && Count(r, &n)) {
    memo.results.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string encoded;
      unsigned char cached = 0;
      if (!r.String(&encoded) || !r.Byte(&cached)) break;
      Result<RuleResult> result = DecodeRuleResult(encoded);
      if (!result.ok()) {
        r.Fail("bad rule result");
        break;
      }
      if (cached > 1) {
        r.Fail("bad flag");
        break;
      }
      result->cached = cached == 1;
      memo.results.push_back(std::move(*result));
    }
  }
  if (r.failed() || !r.AtEnd()) {
    return Status::Error("the run memo is malformed (" + r.error() + ")");
  }
  return memo;
}

}  // namespace sotinc

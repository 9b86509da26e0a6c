// The no-op shortcut of `sotinc check`: what a complete run of the working
// tree found, kept so that the next run over the very same inputs can say
// it again without loading the config or computing a single key.
//
// A rule's result depends only on its definition, the settings, the files
// it reads and its prerequisites' results (engine/keys.h). So when
//   - the config files read (the main one and every include) have the same
//     bytes,
//   - the listing of the working tree (every path with its content id, or,
//     for a file git has no id for, the stat data the stat cache trusts,
//     or its bytes when it changed moments ago) is the same, and
//   - the same rules were asked for by the same sotinc,
// then every key is the same, and every result is the cached one: the run
// would be a warm no-op. The memo holds those results in the form such a
// run reports them (engine/runner.h), and the rule descriptions the
// reports need, so a run that finds its memo current is a listing, a
// few file reads and one cache lookup.
//
// A memo is written only after a run with nothing the next run would redo:
// no error result, no interruption, every result written to the cache.
//
// Format (engine/wire.h primitives):
//   u8 version=1, u8 kind='M', string listing digest,
//   varint n, n x (string path, string XXH3-128 of the bytes),
//   varint n, n x rule (string id, title, description, kind, loc.file,
//     zigzag loc.line, zigzag loc.column, u8 severity, u8 enabled,
//     varint n tags x string, varint n depends_on x string),
//   varint n, n x (string EncodeRuleResult, u8 cached)
// Decoding trusts nothing, as in engine/result_codec.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/file_source.h"
#include "engine/result.h"
#include "engine/rule.h"
#include "engine/status.h"

namespace sotinc {

struct RunReport;

// A config file as the loader read it.
struct ConfigFileDigest {
  std::string path;    // as the loader named it
  std::string digest;  // HashBytes of the bytes
  bool operator==(const ConfigFileDigest& o) const {
    return path == o.path && digest == o.digest;
  }
};

struct RunMemo {
  std::string listing;                        // ListingDigest
  std::vector<ConfigFileDigest> config_files;
  // Every rule of the config, with only what reports show (no check, no
  // canonical form, no timeout).
  std::vector<Rule> rules;
  std::vector<RuleResult> results;            // as a replay reports them
};

// The cache key of a record of this file's kind: `fields` say which
// (for a run memo: the config path and the rules asked for, see
// cli/check_command.cc). Fields are length-prefixed, so no two lists of
// fields give the same key.
std::string RunMemoKey(const std::vector<std::string>& fields);

// A file of a listing that ListingDigest covered by its bytes: its stat
// data could not vouch for it yet (StatDataSettled).
struct HashedFile {
  FileEntry file;
  std::string hash;  // HashBytes of the bytes
};

// A digest of a listing (FileSource::List(), before `ignore:`) taken at
// `listed_at_ns` (Unix ns, read before listing): paths, types, sizes and
// content ids; for a file without a content id, the stat data the stat
// cache trusts when it is settled, else a hash of its bytes read through
// `source` (those files go to *hashed). A file modified moments ago could
// be rewritten with the same size and timestamps; its bytes cannot.
// Empty when such a file cannot be read.
std::string ListingDigest(const std::vector<FileEntry>& files, FileSource* source,
                          int64_t listed_at_ns, std::vector<HashedFile>* hashed);

// Whether every file in `hashed` still has the bytes it was hashed with
// (checked before a memo is written: the run read them in between).
bool StillTheSame(FileSource* source, const std::vector<HashedFile>& hashed);

// Whether a run's report may be memoized: it finished, and no result is an
// error (errors are never cached, so the next run must redo them).
bool CanMemoize(const RunReport& report);

// `result` as a later run with every key unchanged reports it: passes and
// failures come from the cache (and took that run no time); skips are
// decided again, to the same end.
RuleResult AsReplayed(const RuleResult& result);

// The descriptive part of a rule (what RunMemo::rules holds).
Rule DescriptionOf(const Rule& rule);

std::string EncodeRunMemo(const RunMemo& memo);
Result<RunMemo> DecodeRunMemo(std::string_view bytes);

}  // namespace sotinc

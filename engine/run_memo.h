// The no-op shortcut of `sotinc check`: what a complete run of the working
// tree found, kept so that the next run over the very same inputs can say
// it again without loading the config or computing a single key.
//
// A rule's result depends only on its definition, the settings, the files
// it reads and its prerequisites' results (engine/keys.h). So when
//   - the config files read (the main one and every include) have the same
//     bytes,
//   - the listing of the working tree (every path with its content id, or,
//     for a file git does not know, the stat data the stat cache trusts)
//     is the same, and
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

// The cache key of the memo for one kind of run: `signature` says which
// rules were asked for, from which config path (see cli/check_command.cc).
std::string RunMemoKey(std::string_view signature);

// A digest of a listing (FileSource::List(), before `ignore:`): paths,
// types, sizes, content ids, and the stat data of files without one.
std::string ListingDigest(const std::vector<FileEntry>& files);

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

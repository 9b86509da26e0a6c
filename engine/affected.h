// Which rules a change can affect (`--since`, `--staged`), decided from
// keys, not from a diff: a rule is affected when its definition differs
// between the base config and today's, or when its inputs over the base
// snapshot differ from its inputs now (trees list blob ids cheaply, so the
// base side reads no content). Everything that depends on an affected rule
// is affected too. Deleted, moved and renamed files, and files outside any
// folder a diff tool would guess, are covered because whole input sets are
// compared.
//
// Conservative where it cannot know: a rule without declared inputs (a
// `command` with no `files:`) is always affected, and a file whose id now is
// a hash rather than a blob id compares as changed. Never the other way.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/content_ids.h"
#include "engine/graph.h"
#include "engine/inputs.h"
#include "engine/run_memo.h"
#include "engine/snapshot.h"

namespace sotinc {

// What FindAffected needs of the base side, for every rule of the base
// config: its DefinitionDigest (with the base settings) and the digest of
// its inputs over the base snapshot (DigestInputs, with the base
// max_file_bytes: when the definitions agree, so do the settings that
// shape the inputs). All of it is a function of the base commit's tree and
// of the config files read from outside it, so the cache keeps it
// (EncodeBaseRecord) and the next `--staged` or `--since` run on the same
// base lists nothing of it.
struct BaseSide {
  std::map<std::string, std::string> definitions;  // id -> DefinitionDigest
  std::map<std::string, InputsDigest> inputs;      // id -> DigestInputs
};

BaseSide DescribeBase(const std::vector<Rule>& rules, const Settings& settings,
                      const Snapshot& base, ContentIds* ids);

// A BaseSide as the cache keeps it, with the config files the base config
// read from disk (a --config outside the repository: what the tree does
// not pin down). Format (engine/wire.h): u8 version=1, u8 kind='B',
// varint n, n x (string path, string digest), varint n, n x (string id,
// string definition, string inputs digest, string inputs error).
// Decoding trusts nothing, as in engine/result_codec.h.
struct BaseRecord {
  std::vector<ConfigFileDigest> disk_files;
  BaseSide side;
};
std::string EncodeBaseRecord(const BaseRecord& record);
Result<BaseRecord> DecodeBaseRecord(std::string_view bytes);

struct AffectedQuery {
  const RuleGraph* graph = nullptr;
  std::vector<const Rule*> selected;  // the rules the user asked for
  Settings settings;                  // today's
  const BaseSide* base = nullptr;
  const Snapshot* now = nullptr;
  ContentIds* now_ids = nullptr;
};

// The affected subset of query.selected (ids), closed under dependents.
std::set<std::string> FindAffected(const AffectedQuery& query);

}  // namespace sotinc

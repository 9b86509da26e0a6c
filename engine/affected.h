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
#include <vector>

#include "engine/content_ids.h"
#include "engine/graph.h"
#include "engine/snapshot.h"

namespace sotinc {

struct AffectedQuery {
  const RuleGraph* graph = nullptr;
  std::vector<const Rule*> selected;  // the rules the user asked for
  Settings settings;                  // today's
  const Snapshot* base = nullptr;     // with the base config's ignore globs
  ContentIds* base_ids = nullptr;
  // id -> DefinitionDigest of the base config's rules (with its settings).
  const std::map<std::string, std::string>* base_definitions = nullptr;
  const Snapshot* now = nullptr;
  ContentIds* now_ids = nullptr;
};

// The affected subset of query.selected (ids), closed under dependents.
std::set<std::string> FindAffected(const AffectedQuery& query);

}  // namespace sotinc

// A rule's inputs: what its result depends on besides its definition, as
// recorded by Check::Fingerprint over one snapshot.
//
// Inputs are kept as a manifest (the files with their content ids, and a
// digest of the other facts) so that the key can be computed from it, and
// so that `--explain` can say which input changed since the rule last ran.
// A manifest views the snapshot's strings, so it must not outlive it.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/check.h"
#include "engine/content_ids.h"
#include "engine/rule.h"
#include "engine/snapshot.h"

namespace sotinc {

struct InputManifest {
  InputManifest() = default;
  InputManifest(InputManifest&&) = default;
  InputManifest& operator=(InputManifest&&) = default;
  // Not copyable: `files` may view `owned_`.
  InputManifest(const InputManifest&) = delete;
  InputManifest& operator=(const InputManifest&) = delete;

  // (path, size/content id), in order. The views are into the snapshot the
  // manifest was collected over, which outlives it (a rule over 13,000
  // files no longer copies 26,000 strings for its key), or into Own().
  std::vector<std::pair<std::string_view, std::string_view>> files;
  std::string facts_digest;  // 16 bytes
  std::string error;         // a content id that could not be computed (unreadable file)

  // Keeps `text` for as long as the manifest, moves included; the view is
  // for `files`.
  std::string_view Own(std::string text) { return owned_.emplace_back(std::move(text)); }

  // Digest of files + facts: equal digests, equal inputs.
  std::string Digest() const;

 private:
  std::deque<std::string> owned_;  // a deque: its strings never move
};

// Path -> content id over a manifest's files, by binary search. The files
// nearly always come in path order and are then searched where they are; a
// hash map of them cost about 80 bytes per input for each rule in progress,
// which in a cold run at L was more than the snapshot itself.
class InputIdIndex {
 public:
  using Files = std::vector<std::pair<std::string_view, std::string_view>>;

  // Indexes `files`, which must outlive this index; when a path comes twice,
  // its first entry counts.
  void Index(const Files* files);
  // The content id of `path`, or null when it is not an input.
  const std::string_view* Find(std::string_view path) const;

 private:
  const Files* files_ = nullptr;
  Files sorted_;  // a sorted copy, only when *files_ is not strictly ascending
};

// Records `rule`'s inputs over `snapshot`, resolving content ids through `ids`.
InputManifest CollectInputs(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                            uint64_t max_file_bytes);

// CollectInputs() without keeping the files: a digest that two snapshots
// share exactly when the rule's manifests over them have equal Digest()s
// (it is not that digest). For comparing the two sides of a change.
struct InputsDigest {
  std::string digest;  // 16 bytes
  std::string error;   // as InputManifest::error
};
InputsDigest DigestInputs(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                          uint64_t max_file_bytes);

// What the cache remembers of a rule's last fresh run, for --explain.
//
// A per-file rule's files are already in its per-file records (one per
// top-level folder, each path with its content id), so its stored manifest
// names those folders (`record_groups`) instead of repeating every input:
// a one-file change then writes a few bytes, not a copy of 13,000 paths
// and ids. `inputs.files` is empty in such a manifest until the caller
// fills it from the records (Runner: WhyItRuns).
struct RunManifest {
  std::string definition_digest;                              // 16 bytes
  std::vector<std::pair<std::string, std::string>> deps;      // (id, result digest)
  InputManifest inputs;
  bool files_in_records = false;
  std::vector<std::string> record_groups;  // sorted; only with files_in_records

  std::string Encode() const;
  static bool Decode(std::string_view bytes, RunManifest* out);
};

// Why `now` differs from `before` (the last run), in words: "definition
// changed", "dependency X result changed", "input a/b.py changed", ...
std::string ExplainDifference(const RunManifest& before, const RunManifest& now);

}  // namespace sotinc

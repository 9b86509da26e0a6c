#include "engine/inputs.h"

#include <algorithm>
#include <map>

#include "engine/keys.h"
#include "engine/wire.h"

namespace sotinc {
namespace {

// The id an input is recorded with: its content id when the rule reads
// the content (`error` set when it cannot be computed), else its size.
std::string InputId(const FileEntry& file, bool with_content, ContentIds* ids,
                    std::string* error) {
  std::string id;
  if (with_content) {
    Result<std::string> cid = ids->Get(file);
    if (cid.ok()) {
      id = std::move(*cid);
    } else if (error->empty()) {
      *error = cid.error();
    }
  }
  if (id.empty()) id = "size:" + std::to_string(file.size);
  return id;
}

class ManifestRecorder : public InputRecorder {
 public:
  ManifestRecorder(InputManifest* manifest, ContentIds* ids) : manifest_(manifest), ids_(ids) {}

  // Called once per input of every rule (hundreds of thousands of times
  // on a warm run of a large repository): no needless string copies.
  void File(const FileEntry& file, bool with_content) override {
    if (with_content && !file.content_id.empty()) {  // what ids_->Get() would return
      manifest_->files.emplace_back(file.path, file.content_id);
      return;
    }
    manifest_->files.emplace_back(
        file.path, manifest_->Own(InputId(file, with_content, ids_, &manifest_->error)));
  }

  void Fact(std::string_view text) override { facts_.Add(text); }

  // The manifest of a rule over 120,000 files, grown by doubling, held up
  // to twice the memory it needs for as long as the rule was in progress.
  void Expect(size_t count) override { manifest_->files.reserve(manifest_->files.size() + count); }

  std::string FactsDigest() const { return facts_.Finish(); }

 private:
  InputManifest* manifest_;
  ContentIds* ids_;
  KeyBuilder facts_;
};

// The same inputs streamed into a digest, keeping nothing.
class DigestRecorder : public InputRecorder {
 public:
  explicit DigestRecorder(ContentIds* ids) : ids_(ids) {}

  void File(const FileEntry& file, bool with_content) override {
    ++count_;
    files_.Add(file.path);
    if (with_content && !file.content_id.empty()) {
      files_.Add(file.content_id);
    } else {
      files_.Add(InputId(file, with_content, ids_, &error_));
    }
  }

  void Fact(std::string_view text) override { facts_.Add(text); }

  InputsDigest Finish() {
    files_.AddU64(count_).Add(facts_.Finish());
    return {files_.Finish(), error_};
  }

 private:
  ContentIds* ids_;
  KeyBuilder files_;
  KeyBuilder facts_;
  uint64_t count_ = 0;
  std::string error_;
};

CheckContext ContextFor(const Rule& rule, const Snapshot& snapshot, uint64_t max_file_bytes) {
  CheckContext ctx;
  ctx.tree = &snapshot.tree;
  ctx.files = &snapshot.files;
  ctx.max_file_bytes = max_file_bytes;
  ctx.rule_id = rule.id;
  ctx.allow_empty = rule.allow_empty;
  return ctx;
}

}  // namespace

std::string InputManifest::Digest() const {
  KeyBuilder key;
  key.AddU64(files.size());
  for (const auto& [path, id] : files) key.Add(path).Add(id);
  key.Add(facts_digest);
  return key.Finish();
}

void InputIdIndex::Index(const Files* files) {
  files_ = files;
  sorted_.clear();
  auto ascending = [](const Files::value_type& a, const Files::value_type& b) {
    return a.first < b.first;
  };
  auto not_ascending = [&](const Files::value_type& a, const Files::value_type& b) {
    return !ascending(a, b);
  };
  if (std::adjacent_find(files->begin(), files->end(), not_ascending) == files->end()) return;
  sorted_ = *files;
  std::stable_sort(sorted_.begin(), sorted_.end(), ascending);
  sorted_.erase(std::unique(sorted_.begin(), sorted_.end(),
                            [](const Files::value_type& a, const Files::value_type& b) {
                              return a.first == b.first;
                            }),
                sorted_.end());
}

const std::string_view* InputIdIndex::Find(std::string_view path) const {
  const Files& files = sorted_.empty() ? *files_ : sorted_;
  auto it = std::lower_bound(
      files.begin(), files.end(), path,
      [](const Files::value_type& e, std::string_view p) { return e.first < p; });
  return it != files.end() && it->first == path ? &it->second : nullptr;
}

InputManifest CollectInputs(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                            uint64_t max_file_bytes) {
  InputManifest manifest;
  if (rule.check == nullptr) return manifest;
  ManifestRecorder recorder(&manifest, ids);
  rule.check->Fingerprint(ContextFor(rule, snapshot, max_file_bytes), &recorder);
  manifest.facts_digest = recorder.FactsDigest();
  return manifest;
}

InputsDigest DigestInputs(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                          uint64_t max_file_bytes) {
  DigestRecorder recorder(ids);
  if (rule.check != nullptr) {
    rule.check->Fingerprint(ContextFor(rule, snapshot, max_file_bytes), &recorder);
  }
  return recorder.Finish();
}

// Version 3: the wire format (engine/wire.h) with each path stored as the
// length of the prefix it shares with the previous one plus the rest, and
// content ids packed: a manifest lists every input of a rule, and is written
// each time the rule runs. Version 3 adds a byte after the facts digest:
// 0, then the files as in version 2; or 1, then the record groups.
constexpr unsigned char kManifestTag = 'M';
constexpr unsigned char kManifestVersion = 3;

std::string RunManifest::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kManifestTag));
  out.push_back(static_cast<char>(kManifestVersion));
  PutString(&out, definition_digest);
  PutVarint(&out, deps.size());
  for (const auto& [id, digest] : deps) {
    PutString(&out, id);
    PutString(&out, digest);
  }
  PutString(&out, inputs.facts_digest);
  out.push_back(files_in_records ? 1 : 0);
  if (files_in_records) {
    PutVarint(&out, record_groups.size());
    for (const std::string& group : record_groups) PutString(&out, group);
    return out;
  }
  PutVarint(&out, inputs.files.size());
  std::string_view previous;
  for (const auto& [path, id] : inputs.files) {
    PutPathAfter(&out, previous, path);
    PutContentId(&out, id);
    previous = path;
  }
  return out;
}

bool RunManifest::Decode(std::string_view in, RunManifest* out) {
  WireReader r(in);
  RunManifest m;
  unsigned char tag = 0, version = 0;
  uint64_t count = 0;
  if (!r.Byte(&tag) || tag != kManifestTag || !r.Byte(&version) || version != kManifestVersion ||
      !r.String(&m.definition_digest) || !r.Varint(&count) || count > r.remaining()) {
    return false;
  }
  for (uint64_t i = 0; i < count; ++i) {
    std::string id, digest;
    if (!r.String(&id) || !r.String(&digest)) return false;
    m.deps.emplace_back(std::move(id), std::move(digest));
  }
  unsigned char in_records = 0;
  if (!r.String(&m.inputs.facts_digest) || !r.Byte(&in_records) || in_records > 1 ||
      !r.Varint(&count) || count > r.remaining()) {
    return false;
  }
  m.files_in_records = in_records == 1;
  if (m.files_in_records) {
    m.record_groups.resize(static_cast<size_t>(count));
    for (std::string& group : m.record_groups) {
      if (!r.String(&group)) return false;
    }
    if (!r.AtEnd()) return false;
    *out = std::move(m);
    return true;
  }
  m.inputs.files.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view previous;
    if (!m.inputs.files.empty()) previous = m.inputs.files.back().first;
    std::string path, id;
    if (!r.PathAfter(previous, &path) || !r.ContentId(&id)) return false;
    m.inputs.files.emplace_back(m.inputs.Own(std::move(path)), m.inputs.Own(std::move(id)));
  }
  if (!r.AtEnd()) return false;
  *out = std::move(m);
  return true;
}

std::string ExplainDifference(const RunManifest& before, const RunManifest& now) {
  std::vector<std::string> reasons;
  if (before.definition_digest != now.definition_digest) reasons.push_back("definition changed");
  std::map<std::string, std::string> old_deps(before.deps.begin(), before.deps.end());
  for (const auto& [id, digest] : now.deps) {
    auto it = old_deps.find(id);
    if (it == old_deps.end()) reasons.push_back("dependency " + id + " added");
    else if (it->second != digest) reasons.push_back("dependency " + id + " result changed");
  }
  std::map<std::string, std::string> new_deps(now.deps.begin(), now.deps.end());
  for (const auto& [id, digest] : before.deps) {
    if (!new_deps.count(id)) reasons.push_back("dependency " + id + " removed");
  }
  std::map<std::string_view, std::string_view> old_files(before.inputs.files.begin(),
                                                         before.inputs.files.end());
  std::map<std::string_view, std::string_view> new_files(now.inputs.files.begin(),
                                                         now.inputs.files.end());
  std::vector<std::string> changes;
  for (const auto& [path, id] : new_files) {
    auto it = old_files.find(path);
    if (it == old_files.end()) changes.push_back("input " + std::string(path) + " added");
    else if (it->second != id) changes.push_back("input " + std::string(path) + " changed");
  }
  for (const auto& [path, id] : old_files) {
    if (!new_files.count(path)) changes.push_back("input " + std::string(path) + " removed");
  }
  const size_t kShown = 5;
  for (size_t i = 0; i < changes.size() && i < kShown; ++i) reasons.push_back(changes[i]);
  if (changes.size() > kShown) {
    reasons.push_back("and " + std::to_string(changes.size() - kShown) + " more input changes");
  }
  if (before.inputs.facts_digest != now.inputs.facts_digest) {
    reasons.push_back("directory structure changed");
  }
  if (reasons.empty()) return "no cached result (evicted, or the last run was interrupted)";
  std::string out;
  for (const std::string& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace sotinc

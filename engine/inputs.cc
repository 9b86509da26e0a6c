#include "engine/inputs.h"

#include <map>

#include "engine/keys.h"

namespace sotinc {
namespace {

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
    std::string id;
    if (with_content) {
      Result<std::string> cid = ids_->Get(file);
      if (cid.ok()) {
        id = std::move(*cid);
      } else if (manifest_->error.empty()) {
        manifest_->error = cid.error();
      }
    }
    if (id.empty()) id = "size:" + std::to_string(file.size);
    manifest_->files.emplace_back(file.path, std::move(id));
  }

  void Fact(std::string_view text) override { facts_.Add(text); }

  std::string FactsDigest() const { return facts_.Finish(); }

 private:
  InputManifest* manifest_;
  ContentIds* ids_;
  KeyBuilder facts_;
};

// Length-prefixed fields for the manifest encoding.
void PutField(std::string* out, std::string_view s) {
  out->append(std::to_string(s.size()));
  out->push_back(':');
  out->append(s.data(), s.size());
}

bool GetField(std::string_view* in, std::string* out) {
  size_t colon = in->find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 12) return false;
  size_t n = 0;
  for (size_t i = 0; i < colon; ++i) {
    char c = (*in)[i];
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (in->size() - colon - 1 < n) return false;
  out->assign(in->substr(colon + 1, n));
  in->remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

std::string InputManifest::Digest() const {
  KeyBuilder key;
  key.AddU64(files.size());
  for (const auto& [path, id] : files) key.Add(path).Add(id);
  key.Add(facts_digest);
  return key.Finish();
}

InputManifest CollectInputs(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                            uint64_t max_file_bytes) {
  InputManifest manifest;
  if (rule.check == nullptr) return manifest;
  ManifestRecorder recorder(&manifest, ids);
  CheckContext ctx;
  ctx.tree = &snapshot.tree;
  ctx.files = &snapshot.files;
  ctx.max_file_bytes = max_file_bytes;
  ctx.rule_id = rule.id;
  ctx.allow_empty = rule.allow_empty;
  rule.check->Fingerprint(ctx, &recorder);
  manifest.facts_digest = recorder.FactsDigest();
  return manifest;
}

std::string RunManifest::Encode() const {
  std::string out = "m1;";
  PutField(&out, definition_digest);
  PutField(&out, std::to_string(deps.size()));
  for (const auto& [id, digest] : deps) {
    PutField(&out, id);
    PutField(&out, digest);
  }
  PutField(&out, inputs.facts_digest);
  PutField(&out, std::to_string(inputs.files.size()));
  for (const auto& [path, id] : inputs.files) {
    PutField(&out, path);
    PutField(&out, id);
  }
  return out;
}

bool RunManifest::Decode(std::string_view in, RunManifest* out) {
  if (in.substr(0, 3) != "m1;") return false;
  in.remove_prefix(3);
  RunManifest m;
  std::string count;
  if (!GetField(&in, &m.definition_digest) || !GetField(&in, &count)) return false;
  size_t n = std::strtoull(count.c_str(), nullptr, 10);
  if (n > in.size()) return false;
  for (size_t i = 0; i < n; ++i) {
    std::string id, digest;
    if (!GetField(&in, &id) || !GetField(&in, &digest)) return false;
    m.deps.emplace_back(std::move(id), std::move(digest));
  }
  if (!GetField(&in, &m.inputs.facts_digest) || !GetField(&in, &count)) return false;
  n = std::strtoull(count.c_str(), nullptr, 10);
  if (n > in.size()) return false;
  for (size_t i = 0; i < n; ++i) {
    std::string path, id;
    if (!GetField(&in, &path) || !GetField(&in, &id)) return false;
    m.inputs.files.emplace_back(std::move(path), std::move(id));
  }
  if (!in.empty()) return false;
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
  std::map<std::string, std::string> old_files(before.inputs.files.begin(),
                                               before.inputs.files.end());
  std::map<std::string, std::string> new_files(now.inputs.files.begin(), now.inputs.files.end());
  std::vector<std::string> changes;
  for (const auto& [path, id] : new_files) {
    auto it = old_files.find(path);
    if (it == old_files.end()) changes.push_back("input " + path + " added");
    else if (it->second != id) changes.push_back("input " + path + " changed");
  }
  for (const auto& [path, id] : old_files) {
    if (!new_files.count(path)) changes.push_back("input " + path + " removed");
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

// The `unique` kind: the value at `key` differs in every matching file that
// has it (SPEC section 3).
//
// Files are read in sorted path order; the first file to hold a value owns
// it, and every later file holding the same value gets a finding naming
// that first file. Values compare by their YAML 1.2 canonical form
// (rules/yaml_value.h): `1` and `1.0` are the same value, `1` and "1" are
// not. With a `[*]` key every value a file holds counts; a value repeated
// within one file is not a duplicate (SPEC: "already appeared in a file
// earlier in path order"). A whole-rule kind: a file's result depends on
// the files before it.
#include <exception>
#include <unordered_map>
#include <utility>

#include "rules/key_path.h"
#include "rules/kinds.h"
#include "rules/yaml_value.h"

namespace sotinc {
namespace {

class UniqueCheck : public Check {
 public:
  const char* kind() const override { return "unique"; }
  bool reads_content() const override { return true; }
  // Not per-file, but the globs still say which files are inputs.
  const GlobList* file_globs() const override { return &files_; }

  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    // Canonical value -> the first file that holds it.
    std::unordered_map<std::string, std::string> first;
    for (const GlobMatch& m : MatchFiles(ctx, files_, out)) {
      const FileEntry& file = (*ctx.files)[m.index];
      std::string content;
      Result<bool> loaded = LoadContent(ctx, file, &content, out);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded) continue;
      try {
        CompareValues(file.path, content, &first, out);
      } catch (const std::exception& e) {
        return Status::Error("unique check of " + file.path + ": " + e.what());
      } catch (...) {
        return Status::Error("unique check of " + file.path + ": unknown exception");
      }
    }
    return Status::Ok();
  }

  GlobList files_;
  KeyPath key_;

 private:
  void CompareValues(const std::string& path, std::string_view content,
                     std::unordered_map<std::string, std::string>* first,
                     std::vector<Finding>* out) const {
    YamlFile file;
    Finding error;
    if (!YamlFile::Load(path, content, &file, &error)) {
      out->push_back(std::move(error));
      return;
    }
    NodeBudget budget = NodeBudget::ForFile(content.size());
    std::vector<std::string> values;  // this file's, claimed after it is done
    std::vector<Finding> found;
    auto add = [&](const YAML::Mark& mark, std::string message) {
      int line = 0, column = 0;
      file.Locate(mark, &line, &column);
      found.push_back(Finding{path, line, column, std::move(message)});
    };
    for (const YAML::Node& doc : file.documents()) {
      bool ok = ResolveKeyPath(doc, key_, &budget, [&](const KeyPathHit& hit) {
        std::string canonical;
        if (!hit.found || !CanonicalOf(hit.node, &budget, &canonical)) return true;
        auto it = first->find(canonical);
        if (it != first->end()) {
          add(hit.mark, "duplicate value " + RenderNode(hit.node) + " of " + hit.path() +
                            "; first in " + it->second);
        } else {
          values.push_back(std::move(canonical));
        }
        return true;
      });
      if (!ok) {
        // Neither report nor claim values from a file not fully checked.
        found.clear();
        values.clear();
        add(doc.Mark(), "not checked: " + budget.Reason());
        break;
      }
    }
    for (std::string& v : values) first->emplace(std::move(v), path);
    out->insert(out->end(), std::make_move_iterator(found.begin()),
                std::make_move_iterator(found.end()));
  }
};

}  // namespace

std::unique_ptr<Check> ParseUnique(Fields& f) {
  auto check = std::make_unique<UniqueCheck>();
  bool ok = f.Globs("files", &check->files_);
  YAML::Node key = f.Get("key");
  if (!key.IsDefined() || key.IsNull()) {
    f.diag()->Error(f.KeyNode("key"),
                    "the check needs 'key' (the key path whose value "
                    "must be unique)");
    ok = false;
  } else {
    ok = ParseKeyPathAt(key, "key", f.diag(), &check->key_) && ok;
  }
  return ok ? std::move(check) : nullptr;
}

}  // namespace sotinc

// The `yaml` kind: every matching file parses as YAML (JSON included) and
// each of its documents satisfies the rule's criteria (SPEC section 3).
//
// `require` is about presence; `forbid` about absence; `equals`, `enum`,
// `match` and `type` judge only the values that are present. Values are
// typed as YAML 1.2 (rules/yaml_value.h) on both sides, the config's and the
// file's, so `equals: {version: 1}` wants the number 1, not the string "1".
// Every walk over a document spends from one budget per file, and a file
// that runs it out gets one finding instead of a hang.
#include <re2/re2.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <set>
#include <utility>

#include "rules/key_path.h"
#include "rules/kinds.h"
#include "rules/yaml_value.h"

namespace sotinc {
namespace {

struct EqualsRule {
  KeyPath path;
  Value expected;  // as written; `<capture>`s substituted per file
  bool has_refs = false;
  std::string canonical;  // of `expected` when it has no references
};

struct EnumRule {
  KeyPath path;
  std::vector<Value> allowed;
  std::vector<std::string> canonical;  // parallel to allowed
};

struct MatchRule {
  KeyPath path;
  std::unique_ptr<RE2> re;
};

struct TypeRule {
  KeyPath path;
  std::vector<ValueType> types;
};

// "'1'" or, when the types differ from the other side's, "the string '1'".
std::string Describe(ValueType type, const std::string& rendered, bool with_type) {
  if (!with_type || type == ValueType::kNull) return rendered;
  return std::string("the ") + ValueTypeName(type) + " " + rendered;
}

// A scalar as written, for `match`: strings quoted, the rest as they are
// (numbers, bools and nulls are short words); an empty null is "null".
std::string RenderWritten(ValueType type, const std::string& written) {
  if (type != ValueType::kString) return written.empty() ? "null" : written;
  Value v;
  v.type = type;
  v.text = written;
  return Render(v);
}

class YamlCheck : public Check {
 public:
  const char* kind() const override { return "yaml"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return true; }
  const GlobList* file_globs() const override { return &files_; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    // yaml-cpp throws; nothing here should, but no exception may leave a
    // check, and an unexpected one is a bug to report, not a finding.
    try {
      CheckContent(input, content, out);
    } catch (const std::exception& e) {
      return Status::Error("yaml check of " + input.file->path + ": " + e.what());
    } catch (...) {
      return Status::Error("yaml check of " + input.file->path + ": unknown exception");
    }
    return Status::Ok();
  }

  size_t criteria() const {
    return require_.size() + forbid_.size() + equals_.size() + enum_.size() + match_.size() +
           type_.size();
  }

  GlobList files_;
  std::vector<KeyPath> require_;
  std::vector<KeyPath> forbid_;
  std::vector<EqualsRule> equals_;
  std::vector<EnumRule> enum_;
  std::vector<MatchRule> match_;
  std::vector<TypeRule> type_;

 private:
  // What one file's checks share.
  struct FileState {
    const std::string& path;
    const YamlFile& file;
    const std::vector<const Value*>& expected;  // equals_[i].expected, substituted
    NodeBudget* budget;
    std::vector<Finding>* out;

    void Add(const YAML::Mark& mark, std::string message) {
      int line = 0, column = 0;
      file.Locate(mark, &line, &column);
      out->push_back(Finding{path, line, column, std::move(message)});
    }
  };

  void CheckContent(const CheckInput& input, std::string_view content,
                    std::vector<Finding>* out) const {
    const std::string& path = input.file->path;
    YamlFile file;
    Finding error;
    if (!YamlFile::Load(path, content, &file, &error)) {
      out->push_back(std::move(error));
      return;
    }
    // Only values with `<capture>`s differ from file to file.
    std::vector<Value> substituted(equals_.size());
    std::vector<const Value*> expected;
    for (size_t i = 0; i < equals_.size(); ++i) {
      if (equals_[i].has_refs) substituted[i] = Substitute(equals_[i].expected, input.captures);
      expected.push_back(equals_[i].has_refs ? &substituted[i] : &equals_[i].expected);
    }
    NodeBudget budget = NodeBudget::ForFile(content.size());
    std::vector<Finding> found;
    FileState state{path, file, expected, &budget, &found};
    for (const YAML::Node& doc : file.documents()) {
      if (!CheckDocument(doc, &state)) {
        // The findings so far may be a million alias expansions: drop them
        // and say once why this file was not checked.
        found.clear();
        state.Add(doc.Mark(), "not checked: " + budget.Reason());
        break;
      }
    }
    out->insert(out->end(), std::make_move_iterator(found.begin()),
                std::make_move_iterator(found.end()));
  }

  // False when the budget ran out.
  bool CheckDocument(const YAML::Node& doc, FileState* st) const {
    auto each = [&](const KeyPath& path, const std::function<void(const KeyPathHit&)>& f) {
      return ResolveKeyPath(doc, path, st->budget, [&](const KeyPathHit& hit) {
        f(hit);
        return true;
      });
    };
    for (const KeyPath& path : require_) {
      bool ok = each(path, [&](const KeyPathHit& hit) {
        if (hit.found) return;
        st->Add(hit.mark, "missing required key '" + hit.path() + "'" +
                              (hit.reason().empty() ? "" : ": " + hit.reason()));
      });
      if (!ok) return false;
    }
    for (const KeyPath& path : forbid_) {
      bool ok = each(path, [&](const KeyPathHit& hit) {
        if (hit.found) st->Add(hit.key_mark, "forbidden key '" + hit.path() + "' is present");
      });
      if (!ok) return false;
    }
    for (size_t i = 0; i < equals_.size(); ++i) {
      const Value& expected = *st->expected[i];
      const std::string canonical =
          equals_[i].has_refs ? Canonical(expected) : equals_[i].canonical;
      bool ok = each(equals_[i].path, [&](const KeyPathHit& hit) {
        std::string actual;
        if (!hit.found || !CanonicalOf(hit.node, st->budget, &actual)) return;
        if (actual == canonical) return;
        ValueType type = TypeOf(hit.node);
        bool types_differ = type != expected.type;
        st->Add(hit.mark, hit.path() + " is " + Describe(type, RenderNode(hit.node), types_differ) +
                              ", expected " +
                              Describe(expected.type, Render(expected), types_differ));
      });
      if (!ok) return false;
    }
    for (const EnumRule& rule : enum_) {
      bool ok = each(rule.path, [&](const KeyPathHit& hit) {
        std::string actual;
        if (!hit.found || !CanonicalOf(hit.node, st->budget, &actual)) return;
        if (std::find(rule.canonical.begin(), rule.canonical.end(), actual) !=
            rule.canonical.end()) {
          return;
        }
        std::string allowed;
        for (const Value& v : rule.allowed) allowed += (allowed.empty() ? "" : ", ") + Render(v);
        st->Add(hit.mark,
                hit.path() + " is " + RenderNode(hit.node) + ", expected one of " + allowed);
      });
      if (!ok) return false;
    }
    for (const MatchRule& rule : match_) {
      bool ok = each(rule.path, [&](const KeyPathHit& hit) {
        if (!hit.found) return;
        ValueType type = TypeOf(hit.node);
        if (type == ValueType::kMap || type == ValueType::kList) {
          st->Add(hit.mark, hit.path() + " is " + ValueTypeNoun(type) +
                                ", expected a scalar matching '" + rule.re->pattern() + "'");
          return;
        }
        std::string written = st->file.WrittenForm(hit.node);
        if (RE2::PartialMatch(written, *rule.re)) return;
        st->Add(hit.mark, hit.path() + " is " + RenderWritten(type, written) +
                              ", which does not match '" + rule.re->pattern() + "'");
      });
      if (!ok) return false;
    }
    for (const TypeRule& rule : type_) {
      bool ok = each(rule.path, [&](const KeyPathHit& hit) {
        if (!hit.found) return;
        ValueType type = TypeOf(hit.node);
        if (std::find(rule.types.begin(), rule.types.end(), type) != rule.types.end()) return;
        std::string expected;
        for (ValueType t : rule.types) {
          expected += (expected.empty() ? "" : " or ") + std::string(ValueTypeName(t));
        }
        st->Add(hit.mark,
                hit.path() + ": type is " + ValueTypeName(type) + ", expected " + expected);
      });
      if (!ok) return false;
    }
    return true;
  }
};

// Reads `key` as a list of key paths (a single string is a list of one).
void ReadPathList(Fields& f, const char* key, std::vector<KeyPath>* out) {
  YAML::Node node = f.Get(key);
  if (!node.IsDefined() || node.IsNull()) return;
  if (node.IsMap()) {
    f.Error(key, std::string("'") + key + "' must be a list of key paths, not a mapping");
    return;
  }
  if (node.IsScalar()) {
    KeyPath path;
    if (ParseKeyPathAt(node, key, f.diag(), &path)) out->push_back(std::move(path));
    return;
  }
  for (const YAML::Node& item : node) {
    KeyPath path;
    if (ParseKeyPathAt(item, key, f.diag(), &path)) out->push_back(std::move(path));
  }
}

// Calls `add(path, value)` for each entry of the mapping `key` (key path ->
// something), reporting entries whose key is not a valid path.
void ReadPathMap(Fields& f, const char* key,
                 const std::function<void(KeyPath, const YAML::Node&)>& add) {
  YAML::Node node = f.Get(key);
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    f.Error(key, std::string("'") + key + "' must be a mapping of key path to " +
                     (std::string(key) == "equals"  ? "value"
                      : std::string(key) == "enum"  ? "list of allowed values"
                      : std::string(key) == "match" ? "regular expression"
                                                    : "type") +
                     ", not " + NodeTypeName(node));
    return;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    KeyPath path;
    if (!ParseKeyPathAt(it->first, key, f.diag(), &path)) continue;
    if (!seen.insert(path.text()).second) {
      f.diag()->Error(it->first, "'" + path.text() + "' appears twice in '" + key + "'");
      continue;
    }
    add(std::move(path), it->second);
  }
}

// Converts a config value (its own budget: sotinc.yaml may hold aliases).
bool ConfigValue(const YAML::Node& node, Diagnostics* diag, Value* out) {
  NodeBudget budget;
  if (ToValue(node, &budget, out)) return true;
  diag->Error(node, "value too large to compare: " + budget.Reason());
  return false;
}

// Reports each `<name>` in `value` that some positive glob of `files` does
// not bind (a file it matches would have nothing to put there).
void CheckCaptureRefs(const GlobList& files, const Value& value, const KeyPath& path,
                      const YAML::Node& at, Diagnostics* diag) {
  std::vector<std::string> refs = CaptureRefs(value);
  if (refs.empty()) return;
  for (const std::string& pattern : files.patterns()) {
    if (!pattern.empty() && pattern[0] == '!') continue;
    Result<Glob> glob = Glob::Compile(pattern);
    if (!glob.ok()) continue;  // already reported by Fields::Globs
    const std::vector<std::string>& names = glob->capture_names();
    for (const std::string& ref : refs) {
      if (std::find(names.begin(), names.end(), ref) != names.end()) continue;
      std::string bound;
      for (const std::string& n : names) bound += (bound.empty() ? "<" : ", <") + n + ">";
      diag->Error(at, "'equals' value for '" + path.text() + "' uses <" + ref +
                          ">, but the glob '" + pattern + "' binds no capture of that name (" +
                          (bound.empty() ? "it binds none" : "it binds " + bound) + ")");
    }
  }
}

const char kTypeNames[] = "string, number, bool, map, list or null";

}  // namespace

std::unique_ptr<Check> ParseYaml(Fields& f) {
  Diagnostics* diag = f.diag();
  size_t errors_before = diag->count();
  auto check = std::make_unique<YamlCheck>();
  bool globs_ok = f.Globs("files", &check->files_);

  ReadPathList(f, "require", &check->require_);
  ReadPathList(f, "forbid", &check->forbid_);

  ReadPathMap(f, "equals", [&](KeyPath path, const YAML::Node& value) {
    EqualsRule rule;
    if (!ConfigValue(value, diag, &rule.expected)) return;
    rule.has_refs = !CaptureRefs(rule.expected).empty();
    if (rule.has_refs && globs_ok) {
      CheckCaptureRefs(check->files_, rule.expected, path, value, diag);
    }
    rule.canonical = Canonical(rule.expected);
    rule.path = std::move(path);
    check->equals_.push_back(std::move(rule));
  });

  ReadPathMap(f, "enum", [&](KeyPath path, const YAML::Node& value) {
    if (!value.IsSequence() || value.size() == 0) {
      diag->Error(value, "'enum' for '" + path.text() + "' must be a non-empty list of " +
                             "allowed values, not " +
                             (value.IsSequence() ? "an empty list" : NodeTypeName(value)));
      return;
    }
    EnumRule rule;
    for (const YAML::Node& item : value) {
      Value v;
      if (!ConfigValue(item, diag, &v)) return;
      rule.canonical.push_back(Canonical(v));
      rule.allowed.push_back(std::move(v));
    }
    rule.path = std::move(path);
    check->enum_.push_back(std::move(rule));
  });

  ReadPathMap(f, "match", [&](KeyPath path, const YAML::Node& value) {
    if (!value.IsScalar()) {
      diag->Error(value, "'match' for '" + path.text() +
                             "' must be a regular expression (a string), not " +
                             NodeTypeName(value));
      return;
    }
    std::unique_ptr<RE2> re = CompileRegex(value, value.Scalar(), false, diag);
    if (re) check->match_.push_back(MatchRule{std::move(path), std::move(re)});
  });

  ReadPathMap(f, "type", [&](KeyPath path, const YAML::Node& value) {
    std::vector<YAML::Node> names;
    if (value.IsScalar() || value.IsNull()) {
      names.push_back(value);
    } else if (value.IsSequence() && value.size() > 0) {
      for (const YAML::Node& item : value) names.push_back(item);
    } else {
      diag->Error(value, "'type' for '" + path.text() + "' must be one of " + kTypeNames +
                             " (or a list of them), not " + NodeTypeName(value));
      return;
    }
    TypeRule rule;
    for (const YAML::Node& name : names) {
      ValueType type;
      // A plain `null` in the config is itself a null node.
      if (name.IsNull()) {
        rule.types.push_back(ValueType::kNull);
        continue;
      }
      if (name.IsScalar() && ParseValueType(name.Scalar(), &type)) {
        rule.types.push_back(type);
        continue;
      }
      std::string text = name.IsScalar() ? name.Scalar() : NodeTypeName(name);
      std::string suggestion = Suggest(text, {"string", "number", "bool", "map", "list", "null"});
      diag->Error(name, "unknown type '" + text + "' for '" + path.text() + "'" +
                            (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                            "; use " + kTypeNames);
      return;
    }
    rule.path = std::move(path);
    check->type_.push_back(std::move(rule));
  });

  // No criterion at all means "every file parses" (what `sotinc init` writes
  // for YAML and JSON files). Criteria that are all empty are a mistake.
  bool any_key = false;
  for (const char* key : {"require", "forbid", "equals", "enum", "match", "type"}) {
    any_key = any_key || f.Has(key);
  }
  if (check->criteria() == 0 && any_key && diag->count() == errors_before) {
    YAML::Node at = f.KeyNode("require");
    for (const char* key : {"forbid", "equals", "enum", "match", "type"}) {
      if (f.Has(key)) at = f.KeyNode(key);
    }
    diag->Error(at,
                "a yaml check's criteria are all empty: give require, forbid, equals, enum, "
                "match or type at least one entry, or leave them all out to check only that "
                "the files parse");
  }
  if (diag->count() != errors_before) return nullptr;
  return check;
}

}  // namespace sotinc

#include "rules/config.h"

#include <re2/re2.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <tuple>

#include "engine/path_index.h"
#include "rules/fields.h"
#include "rules/kinds.h"
#include "rules/node_canonical.h"
#include "rules/units.h"
#include "rules/yaml_load.h"
#include "rules/yaml_syntax.h"

namespace sotinc {

std::string ConfigError::Text() const {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

const Rule* Config::Find(const std::string& id) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& r, const std::string& v) { return r.id < v; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

namespace {

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[{<") != std::string::npos; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Loader {
 public:
  Loader(ConfigFiles& files, ConfigError* error) : files_(files), error_(error) {}

  Result<Config> Load(const std::string& path) {
    Config config;
    config.files.push_back(path);
    Rank(path);
    Diagnostics diag(path, &error_->lines);
    std::optional<YAML::Node> root = ReadAndParse(path, &diag, nullptr);
    if (!root) return Fail();
    if (!root->IsMap()) {
      diag.Error(*root, root->IsNull()
                            ? std::string("the config is empty; it needs 'version: 1' and 'rules'")
                            : std::string("the config must be a mapping with 'version: 1' and "
                                          "'rules', not ") +
                                  NodeTypeName(*root));
      return Fail();
    }
    Fields top(*root, "the config", &diag);
    LoadVersion(top, *root, &diag);
    LoadSettings(top, &config.settings);
    if (top.StringList("ignore", &config.ignore)) {
      top.CompileGlobs("ignore", config.ignore, &config.ignore_globs);
    }
    std::vector<std::string> includes;
    bool has_includes = top.StringList("include", &includes);
    YAML::Node rules = top.Get("rules");
    if (!rules.IsDefined() && !has_includes) {
      diag.Error(*root, "the config needs 'rules' (a list of rules) or 'include' (rule files)");
    }
    top.Finish();
    LoadRules(rules, &diag, &config);
    LoadIncludes(top, includes, &config);
    CheckGraph(config);
    if (!error_->lines.empty()) return Fail();
    std::sort(config.rules.begin(), config.rules.end(),
              [](const Rule& a, const Rule& b) { return a.id < b.id; });
    return config;
  }

  // Errors in reading order: by file (the main one first, then includes in
  // the order they were read), line and column. Lines that name no known
  // file keep their place at the end.
  Status Fail() {
    using Key = std::tuple<size_t, long, long>;
    std::vector<std::pair<Key, std::string>> keyed;
    for (std::string& line : error_->lines) keyed.emplace_back(SortKey(line), std::move(line));
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    error_->lines.clear();
    for (auto& [key, line] : keyed) error_->lines.push_back(std::move(line));
    return Status::Error(error_->Text());
  }

 private:
  // One depends_on entry: rule `rule` (its id, or its label) names `target`.
  struct DepLoc {
    std::string rule, target;
    YAML::Node node;
    std::string file;
  };

  size_t Rank(const std::string& file) {
    auto [it, inserted] = rank_.emplace(file, rank_.size());
    return it->second;
  }

  std::tuple<size_t, long, long> SortKey(const std::string& line) const {
    const std::tuple<size_t, long, long> unknown{rank_.size(), 0, 0};
    size_t best = std::string::npos, best_len = 0;
    for (const auto& [file, rank] : rank_) {
      if (file.size() >= best_len && line.size() > file.size() &&
          line.compare(0, file.size(), file) == 0 && line[file.size()] == ':') {
        best = rank;
        best_len = file.size();
      }
    }
    if (best == std::string::npos) return unknown;
    const char* p = line.c_str() + best_len + 1;
    char* end = nullptr;
    long l = std::strtol(p, &end, 10);
    if (end == p || *end != ':') return unknown;
    p = end + 1;
    long c = std::strtol(p, &end, 10);
    if (end == p || *end != ':') return unknown;
    return {best, l, c};
  }

  // Reads and parses one file. A read failure is reported at `include_at`
  // (the include entry) when given, else at the start of the file.
  std::optional<YAML::Node> ReadAndParse(const std::string& path, Diagnostics* diag,
                                         Diagnostics* include_diag,
                                         const YAML::Node& include_at = YAML::Node()) {
    Result<std::string> text = files_.Read(path);
    if (!text.ok()) {
      if (include_diag != nullptr) {
        include_diag->Error(include_at,
                            "cannot read included file '" + path + "': " + text.error());
      } else {
        diag->Error(YAML::Mark::null_mark(), "cannot read the config file: " + text.error());
      }
      return std::nullopt;
    }
    std::vector<YAML::Node> docs;
    try {
      docs = LoadAllDocuments(*text);
    } catch (const YAML::DeepRecursion& e) {
      diag->Error(e.mark,
                  "invalid YAML: values nest too deeply here (a config needs only a "
                  "few levels)");
      return std::nullopt;
    } catch (const YAML::Exception& e) {
      int line = e.mark.line >= 0 ? e.mark.line : 0;
      int column = e.mark.column >= 0 ? e.mark.column : 0;
      std::string msg = DescribeSyntaxError(*text, e.mark, e.msg, &line, &column);
      YAML::Mark mark = YAML::Mark::null_mark();
      mark.line = line;
      mark.column = column;
      diag->Error(mark, "invalid YAML: " + msg);
      return std::nullopt;
    }
    if (docs.empty()) return YAML::Node(YAML::NodeType::Null);
    for (size_t i = 1; i < docs.size(); ++i) {
      if (docs[i].IsNull()) continue;
      diag->Error(docs[i],
                  "a second YAML document starts here; a config file holds one "
                  "(check the indentation of this line, or remove '---')");
      return std::nullopt;
    }
    if (!CheckLocalTags(docs[0], diag)) return std::nullopt;
    return docs[0];
  }

  void LoadVersion(Fields& top, const YAML::Node& root, Diagnostics* diag) {
    YAML::Node v = top.Get("version");
    if (!v.IsDefined()) {
      diag->Error(root, "the config needs 'version: 1' (the version of the config format)");
    } else if (!v.IsScalar()) {
      top.Error("version", std::string("'version' must be 1, not ") + NodeTypeName(v));
    } else if (v.Scalar() != "1") {
      top.Error("version", "unsupported config version '" + v.Scalar() +
                               "': this sotinc reads version 1; write 'version: 1'");
    }
  }

  // A duration (settings.timeout, a rule's timeout) into *ms.
  static void Duration(Fields& f, const char* key, int64_t* ms) {
    YAML::Node n = f.Get(key);
    if (!n.IsDefined()) return;
    if (n.IsScalar() && ParseDuration(n.Scalar(), ms)) return;
    f.Error(key, std::string("'") + key +
                     "' must be a duration from 1ms to 7 days such as 500ms, 30s or 2m, not " +
                     (n.IsScalar() ? "'" + n.Scalar() + "'" : NodeTypeName(n)));
  }

  void LoadSettings(Fields& top, Settings* settings) {
    YAML::Node node = top.Get("settings");
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap()) {
      top.Error("settings", std::string("'settings' must be a mapping (jobs, timeout, "
                                        "max_file_bytes, worker_memory), not ") +
                                NodeTypeName(node));
      return;
    }
    Fields f(node, "settings", top.diag());
    YAML::Node jobs = f.Get("jobs");
    if (jobs.IsDefined()) {
      int64_t n = 0;
      if (jobs.IsScalar() && jobs.Scalar() == "auto") {
        settings->jobs = 0;
      } else if (jobs.IsScalar() && RE2::FullMatch(jobs.Scalar(), "[0-9]{1,9}") &&
                 (n = std::stoll(jobs.Scalar())) >= 1) {
        settings->jobs = static_cast<int>(std::min<int64_t>(n, 1024));
      } else {
        f.Error("jobs", "'jobs' must be 'auto' or a whole number of at least 1, not " +
                            (jobs.IsScalar() ? "'" + jobs.Scalar() + "'"
                                             : std::string(NodeTypeName(jobs))));
      }
    }
    Duration(f, "timeout", &settings->timeout_ms);
    YAML::Node size = f.Get("max_file_bytes");
    if (size.IsDefined() &&
        !(size.IsScalar() && ParseSize(size.Scalar(), &settings->max_file_bytes))) {
      f.Error("max_file_bytes",
              "'max_file_bytes' must be a size such as 8MiB, 512KiB or 1000000 (units B, KiB, "
              "MiB, GiB, KB, MB, GB), not " +
                  (size.IsScalar() ? "'" + size.Scalar() + "'" : std::string(NodeTypeName(size))));
    }
    YAML::Node memory = f.Get("worker_memory");
    if (memory.IsDefined() &&
        !(memory.IsScalar() && ParseSize(memory.Scalar(), &settings->worker_memory) &&
          settings->worker_memory >= (16u << 20))) {
      f.Error("worker_memory",
              "'worker_memory' must be a size of at least 16MiB such as 512MiB or 2GiB, not " +
                  (memory.IsScalar() ? "'" + memory.Scalar() + "'"
                                     : std::string(NodeTypeName(memory))));
    }
    f.Finish();
  }

  // The item of list `value` whose text is `text` (or `value` itself).
  static YAML::Node ItemNode(const YAML::Node& value, const std::string& text) {
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) {
        if (item.IsScalar() && item.Scalar() == text) return item;
      }
    }
    return value;
  }

  // The include entry that selected `path`, for a read failure. (Returned,
  // never assigned: YAML::Node::operator= writes through to the tree.)
  static YAML::Node IncludeEntry(const YAML::Node& value, const std::vector<std::string>& includes,
                                 const std::string& path) {
    for (const std::string& pattern : includes) {
      if (pattern.empty() || pattern[0] == '!') continue;
      Result<Glob> g = Glob::Compile(pattern);
      if (g.ok() && g->Match(path)) return ItemNode(value, pattern);
    }
    return value;
  }

  void LoadIncludes(Fields& top, const std::vector<std::string>& includes, Config* config) {
    if (includes.empty()) return;
    GlobList globs;
    if (!top.CompileGlobs("include", includes, &globs)) return;
    Diagnostics* diag = top.diag();
    YAML::Node value = top.Get("include");
    Result<std::vector<std::string>> listed = files_.List();
    if (!listed.ok()) {
      top.Error("include",
                "cannot list the repository's files to expand 'include': " + listed.error());
      return;
    }
    PathIndex index(*listed);
    std::vector<std::string> dead;
    std::vector<GlobMatch> matches = globs.MatchAll(index, &dead);
    for (const std::string& d : dead) {
      diag->Error(
          ItemNode(value, d),
          HasGlobChars(d)
              ? "include '" + d + "' matched no file (globs are relative to the repository root)"
              : "included file '" + d +
                    "' does not exist (paths are relative to the repository root)");
    }
    for (const GlobMatch& m : matches) {
      const std::string path(index.paths()[m.index]);
      if (path == config->files.front()) continue;
      YAML::Node at = IncludeEntry(value, includes, path);
      Rank(path);
      Diagnostics file_diag(path, &error_->lines);
      std::optional<YAML::Node> root = ReadAndParse(path, &file_diag, diag, at);
      if (!root) continue;
      config->files.push_back(path);
      if (!root->IsMap()) {
        file_diag.Error(*root, std::string("an included file must be a mapping with 'rules', "
                                           "not ") +
                                   NodeTypeName(*root));
        continue;
      }
      Fields f(*root, "an included file", &file_diag);
      YAML::Node rules = f.Get("rules");
      if (!rules.IsDefined()) {
        file_diag.Error(*root, "an included file needs 'rules' (a list of rules)");
      }
      f.Finish();
      LoadRules(rules, &file_diag, config);
    }
  }

  void LoadRules(const YAML::Node& rules, Diagnostics* diag, Config* config) {
    if (!rules.IsDefined() || rules.IsNull()) return;
    if (!rules.IsSequence()) {
      diag->Error(rules, std::string("'rules' must be a list of rules (each item starting "
                                     "with '- id:'), not ") +
                             NodeTypeName(rules));
      return;
    }
    size_t index = 0;
    for (const YAML::Node& node : rules) {
      ++index;
      std::string label = "#" + std::to_string(index);
      if (!node.IsMap()) {
        diag->set_rule(label);
        diag->Error(node, std::string("a rule must be a mapping with 'id' and 'check', not ") +
                              NodeTypeName(node));
        continue;
      }
      LoadRule(node, label, diag, config);
    }
    diag->set_rule("");
  }

  void LoadRule(const YAML::Node& node, const std::string& label, Diagnostics* diag,
                Config* config) {
    static const RE2 kId("[A-Za-z0-9][A-Za-z0-9_.-]*");
    Rule rule;
    rule.loc = SourceLoc{diag->file(), node.Mark().line + 1, node.Mark().column + 1};
    Fields f(node, "rule", diag);
    // Until the id is known to be good, the rule is named by its place.
    diag->set_rule(label);
    YAML::Node id = f.Get("id");
    if (!id.IsDefined()) {
      diag->Error(node, "the rule needs 'id' (a unique name such as AR001)");
    } else if (!id.IsScalar() || id.Scalar().empty()) {
      f.Error("id", std::string("'id' must be a name such as AR001, not ") + NodeTypeName(id));
    } else if (!RE2::FullMatch(id.Scalar(), kId) || id.Scalar().size() > 200) {
      f.Error("id", "invalid rule id '" + id.Scalar() +
                        "': use up to 200 letters, digits, '_', '.' and '-', starting with a "
                        "letter or digit");
    } else {
      rule.id = id.Scalar();
      diag->set_rule(rule.id);
      SourceLoc here{diag->file(), id.Mark().line + 1, id.Mark().column + 1};
      auto [it, inserted] = seen_ids_.emplace(rule.id, here);
      if (!inserted) {
        f.Error("id", "duplicate rule id '" + rule.id + "': it is also defined at " +
                          it->second.ToString() + "; give each rule its own id");
      }
    }
    std::string rule_name = rule.id.empty() ? label : rule.id;
    f.String("title", &rule.title);
    f.String("description", &rule.description);
    YAML::Node severity = f.Get("severity");
    if (severity.IsDefined() &&
        !(severity.IsScalar() && ParseSeverity(severity.Scalar(), &rule.severity))) {
      std::string ignored;  // Choice reports the mistake (with a suggestion)
      f.Choice("severity", {"error", "warning", "info"}, &ignored);
    }
    f.StringList("tags", &rule.tags);
    if (f.StringList("depends_on", &rule.depends_on)) {
      YAML::Node deps = f.Get("depends_on");
      if (deps.IsSequence()) {
        for (const YAML::Node& item : deps) {
          dep_locs_.push_back({rule_name, item.Scalar(), item, diag->file()});
        }
      } else {
        dep_locs_.push_back({rule_name, deps.Scalar(), deps, diag->file()});
      }
    }
    f.Bool("enabled", &rule.enabled);
    f.Bool("allow_empty", &rule.allow_empty);
    Duration(f, "timeout", &rule.timeout_ms);
    // Fields of a check written at the rule's level: an indentation slip
    // that "unknown key" would explain badly. (Ambiguous names such as
    // `name` or `type` are left to the unknown-key message.)
    static const char* const kCheckFields[] = {
        "kind",       "files",      "pattern", "parents", "entries",     "count", "min",
        "max",        "same_names", "dirs",    "on",      "ignore_case", "scope", "require",
        "forbid",     "equals",     "enum",    "match",   "bytes",       "lines", "run",
        "pass_files", "per_file",   "batch",   "env",     "format"};
    for (const char* key : kCheckFields) {
      const YAML::Node& map = node;  // const: operator[] must not add the key
      if (map[key].IsDefined()) {
        f.Skip(key);  // reported here, so not again as unknown
        diag->Error(f.KeyNode(key),
                    std::string("'") + key + "' is a field of the check: move it inside 'check:'");
      }
    }
    YAML::Node check = f.Get("check");
    f.Finish();
    if (!check.IsDefined()) {
      diag->Error(node, "the rule needs 'check' (a mapping with 'kind' and the kind's fields)");
    } else if (!check.IsMap()) {
      f.Error("check", std::string("'check' must be a mapping with 'kind' and the kind's "
                                   "fields, not ") +
                           NodeTypeName(check));
    } else {
      LoadCheck(check, diag, &rule);
    }
    config->rules.push_back(std::move(rule));
  }

  void LoadCheck(const YAML::Node& node, Diagnostics* diag, Rule* rule) {
    Fields f(node, "check", diag);
    YAML::Node kind = f.Get("kind");
    if (!kind.IsDefined()) {
      diag->Error(node, "the check needs 'kind' (one of " + JoinNames(KindNames()) + ")");
      return;
    }
    if (!kind.IsScalar()) {
      f.Error("kind",
              "'kind' must be one of " + JoinNames(KindNames()) + ", not " + NodeTypeName(kind));
      return;
    }
    rule->kind = kind.Scalar();
    CheckParser parser = FindKind(rule->kind);
    if (parser == nullptr) {
      std::string msg = "unknown check kind '" + rule->kind + "'";
      std::string s = Suggest(rule->kind, KindNames());
      msg +=
          s.empty() ? " (kinds: " + JoinNames(KindNames()) + ")" : " (did you mean '" + s + "'?)";
      f.Error("kind", msg);
      return;
    }
    size_t before = diag->count();
    try {
      rule->check = parser(f);
    } catch (const std::exception&) {
      // A kind's parser should report through Fields; never let a throw
      // (yaml-cpp's included) reach the user raw.
      rule->check = nullptr;
      if (diag->count() == before) {
        diag->Error(node, "sotinc could not read this '" + rule->kind +
                              "' check (an internal error; please report it)");
      }
    }
    if (rule->check == nullptr && diag->count() == before) {
      diag->Error(node, "this '" + rule->kind + "' check is invalid");
    }
    f.Finish();
    rule->canonical = "allow_empty=" + std::string(rule->allow_empty ? "1" : "0") + ";";
    if (!CanonicalNodeText(node, &rule->canonical)) {
      diag->Error(node,
                  "the check is too large once YAML aliases are expanded; write it "
                  "without nested aliases");
      rule->canonical.clear();
    }
  }

  // Unknown targets and cycles of depends_on.
  void CheckGraph(const Config& config) {
    std::map<std::string, const Rule*> by_id;
    for (const Rule& r : config.rules) {
      if (!r.id.empty()) by_id.emplace(r.id, &r);
    }
    std::vector<std::string> ids;
    for (const auto& [id, r] : by_id) ids.push_back(id);
    // The depends_on entry of each edge, for positions.
    std::map<std::pair<std::string, std::string>, const DepLoc*> edge_loc;
    for (const DepLoc& d : dep_locs_) {
      edge_loc.emplace(std::make_pair(d.rule, d.target), &d);
      if (by_id.count(d.target)) continue;
      Diagnostics diag(d.file, &error_->lines);
      diag.set_rule(d.rule);
      std::string msg = "depends_on names unknown rule '" + d.target + "'";
      std::string s = Suggest(d.target, ids);
      msg += s.empty() ? " (no rule has this id)" : " (did you mean '" + s + "'?)";
      diag.Error(d.node, msg);
    }
    // Iterative depth-first search in id order; an edge to a rule still on
    // the stack closes a cycle, reported at that depends_on entry.
    enum Colour { kWhite, kGrey, kBlack };
    std::map<std::string, Colour> colour;
    for (const auto& [start_id, start_rule] : by_id) {
      if (colour[start_id] != kWhite) continue;
      std::vector<std::pair<const Rule*, size_t>> stack{{start_rule, 0}};
      colour[start_id] = kGrey;
      while (!stack.empty()) {
        auto& [rule, next] = stack.back();
        if (next == rule->depends_on.size()) {
          colour[rule->id] = kBlack;
          stack.pop_back();
          continue;
        }
        const std::string& dep = rule->depends_on[next++];
        auto target = by_id.find(dep);
        if (target == by_id.end()) continue;
        Colour c = colour[dep];
        if (c == kWhite) {
          colour[dep] = kGrey;
          stack.push_back({target->second, 0});
        } else if (c == kGrey) {
          ReportCycle(stack, dep, edge_loc);
        }
      }
    }
  }

  void ReportCycle(const std::vector<std::pair<const Rule*, size_t>>& stack, const std::string& dep,
                   const std::map<std::pair<std::string, std::string>, const DepLoc*>& edges) {
    size_t start = 0;
    while (stack[start].first->id != dep) ++start;
    std::string cycle;
    for (size_t i = start; i < stack.size(); ++i) cycle += stack[i].first->id + " -> ";
    cycle += dep;
    const Rule& last = *stack.back().first;
    auto loc = edges.find({last.id, dep});
    std::string msg = "dependency cycle: " + cycle +
                      (stack.size() - start == 1 ? "; a rule cannot depend on itself"
                                                 : "; remove one of these depends_on entries");
    if (loc != edges.end()) {
      Diagnostics diag(loc->second->file, &error_->lines);
      diag.set_rule(last.id);
      diag.Error(loc->second->node, msg);
    } else {
      error_->lines.push_back(last.loc.ToString() + ": rule " + last.id + ": " + msg);
    }
  }

  ConfigFiles& files_;
  ConfigError* error_;
  std::map<std::string, size_t> rank_;  // file -> order of reading, for sorting errors
  std::map<std::string, SourceLoc> seen_ids_;
  std::vector<DepLoc> dep_locs_;
};

}  // namespace

Result<Config> LoadConfig(const std::string& path, ConfigFiles& files, ConfigError* error) {
  ConfigError local;
  if (error == nullptr) error = &local;
  error->lines.clear();
  Loader loader(files, error);
  try {
    return loader.Load(path);
  } catch (const std::exception&) {
    // yaml-cpp throws on some malformed trees even after a successful
    // parse; never let its text reach the user.
    error->lines.push_back(path +
                           ":1:1: sotinc could not read this config (an internal "
                           "error; please report it with the config)");
    return loader.Fail();
  }
}

}  // namespace sotinc

// The structure kinds: they look only at which paths exist.
//   dir_count       children of matching parents, counted
//   required_files  entries every matching directory must hold
//   path_name       names (or whole paths) of matching files
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <set>

#include "rules/kinds.h"

namespace sotinc {
namespace {

// Parents of the `parents` / `dirs` fields: "." names the root, the rest
// are globs over directories.
struct DirSelector {
  bool root = false;
  GlobList globs;
  std::vector<std::string> patterns;

  bool Parse(Fields& fields, const char* key) {
    if (!fields.StringList(key, &patterns, true)) return false;
    if (patterns.empty()) {
      // An empty list would select nothing and pass silently.
      fields.Error(key, std::string("'") + key + "' needs at least one glob");
      return false;
    }
    std::vector<std::string> rest;
    for (const std::string& p : patterns) {
      if (p == "." || p == "./")
        root = true;
      else
        rest.push_back(p);
    }
    if (rest.empty()) return true;
    Result<GlobList> g = GlobList::Compile(rest);
    if (!g.ok()) {
      fields.Error(key, std::string("invalid glob in '") + key + "': " + g.error());
      return false;
    }
    globs = std::move(*g);
    return true;
  }

  // Names the positive globs can bind, for `<name>` references.
  std::vector<std::string> CaptureNames() const {
    std::vector<std::string> names;
    for (const std::string& p : patterns) {
      if (p == "." || p == "./" || p[0] == '!') continue;
      Result<Glob> g = Glob::Compile(p);
      if (!g.ok()) continue;
      for (const std::string& n : g->capture_names()) {
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      }
    }
    return names;
  }

  size_t Count(const Tree& tree) const {
    return (root ? 1 : 0) + (globs.empty() ? 0 : globs.MatchAll(tree.dirs).size());
  }

  // Matching directories ("" for the root) in sorted order, with captures.
  std::vector<std::pair<std::string, Captures>> Select(const CheckContext& ctx,
                                                       std::vector<Finding>* out) const {
    std::vector<std::pair<std::string, Captures>> dirs;
    if (root) dirs.push_back({"", {}});
    if (!globs.empty()) {
      std::vector<std::string> dead;
      for (GlobMatch& m : globs.MatchAll(ctx.tree->dirs, &dead)) {
        dirs.push_back({std::string(ctx.tree->dirs.paths()[m.index]), std::move(m.captures)});
      }
      AddDeadGlobFindings(ctx, dead, out);
    }
    return dirs;
  }
};

std::string Prefix(const std::string& dir) { return dir.empty() ? "" : dir + "/"; }

// Names of the direct children of `dir` in `index` (files or dirs).
void ChildNames(const PathIndex& index, const std::string& dir, std::vector<std::string>* out) {
  std::string prefix = Prefix(dir);
  auto [first, last] = index.PrefixRange(prefix);
  for (uint32_t i = first; i < last; ++i) {
    std::string_view rest(index.paths()[i]);
    rest.remove_prefix(prefix.size());
    if (rest.find('/') == std::string_view::npos) out->emplace_back(rest);
  }
}

// Structure kinds are pure functions of the path set and cost about what a
// projection of it would, so their input fingerprint is the outcome of
// evaluating them over the tree: equal outcomes, equal results.
void FingerprintByEvaluating(const Check& check, const CheckContext& ctx,
                             InputRecorder* inputs) {
  std::vector<Finding> findings;
  Status s = check.Run(ctx, &findings);
  inputs->Fact(s.ok() ? "ok" : "error:" + s.message());
  for (const Finding& f : findings) inputs->Fact(f.path + '\0' + f.message);
}

class DirCountCheck : public Check {
 public:
  const char* kind() const override { return "dir_count"; }
  bool reads_content() const override { return false; }
  size_t CountInputs(const Tree& tree) const override { return parents_.Count(tree); }
  void Fingerprint(const CheckContext& ctx, InputRecorder* inputs) const override {
    FingerprintByEvaluating(*this, ctx, inputs);
  }

  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    std::vector<std::pair<std::string, std::set<std::string>>> names_by_parent;
    for (auto& [dir, captures] : parents_.Select(ctx, out)) {
      std::vector<std::string> children;
      if (entries_ != "files") ChildNames(ctx.tree->dirs, dir, &children);
      if (entries_ != "dirs") ChildNames(ctx.tree->files, dir, &children);
      std::set<std::string> matched;
      for (const std::string& c : children) {
        if (!name_ || RE2::PartialMatch(c, *name_)) matched.insert(c);
      }
      int64_t n = static_cast<int64_t>(matched.size());
      std::string what = Noun(n);
      if (count_ >= 0 && n != count_) {
        out->push_back(Finding{dir, 0, 0,
                               "has " + std::to_string(n) + " " + what + ", expected exactly " +
                                   std::to_string(count_)});
      } else if (min_ >= 0 && n < min_) {
        out->push_back(Finding{dir, 0, 0,
                               "has " + std::to_string(n) + " " + what + ", expected at least " +
                                   std::to_string(min_)});
      } else if (max_ >= 0 && n > max_) {
        out->push_back(Finding{dir, 0, 0,
                               "has " + std::to_string(n) + " " + what + ", expected at most " +
                                   std::to_string(max_)});
      }
      names_by_parent.push_back({dir, std::move(matched)});
    }
    if (same_names_) CompareNames(names_by_parent, out);
    return Status::Ok();
  }

  // "directories", "matching files", "entry", ... for a count of `n`.
  std::string Noun(int64_t n) const {
    bool one = n == 1;
    const char* base = entries_ == "dirs"    ? (one ? "directory" : "directories")
                       : entries_ == "files" ? (one ? "file" : "files")
                                             : (one ? "entry" : "entries");
    return name_ ? std::string("matching ") + base : base;
  }

  // Parents whose set of names differs from the most common set (the first
  // such set in path order wins a tie) get a finding.
  static void CompareNames(const std::vector<std::pair<std::string, std::set<std::string>>>& all,
                           std::vector<Finding>* out) {
    std::map<std::set<std::string>, std::pair<size_t, size_t>> freq;  // set -> (count, first)
    for (size_t i = 0; i < all.size(); ++i) {
      auto [it, inserted] = freq.try_emplace(all[i].second, 0, i);
      it->second.first++;
    }
    const std::set<std::string>* common = nullptr;
    size_t best = 0, best_first = 0;
    for (const auto& [set, cf] : freq) {
      if (cf.first > best || (cf.first == best && cf.second < best_first)) {
        best = cf.first;
        best_first = cf.second;
        common = &set;
      }
    }
    for (const auto& [dir, names] : all) {
      if (names == *common) continue;
      std::string missing, extra;
      for (const std::string& n : *common) {
        if (!names.count(n)) missing += (missing.empty() ? "" : ", ") + n;
      }
      for (const std::string& n : names) {
        if (!common->count(n)) extra += (extra.empty() ? "" : ", ") + n;
      }
      std::string msg = "names differ from the most common set (" + std::to_string(best) + " of " +
                        std::to_string(all.size()) + " parents)";
      if (!missing.empty()) msg += "; missing: " + missing;
      if (!extra.empty()) msg += "; extra: " + extra;
      out->push_back(Finding{dir, 0, 0, msg});
    }
  }

  DirSelector parents_;
  std::unique_ptr<RE2> name_;
  std::string entries_ = "dirs";
  int64_t count_ = -1, min_ = -1, max_ = -1;
  bool same_names_ = false;
};

class RequiredFilesCheck : public Check {
 public:
  const char* kind() const override { return "required_files"; }
  bool reads_content() const override { return false; }
  size_t CountInputs(const Tree& tree) const override { return dirs_.Count(tree); }
  void Fingerprint(const CheckContext& ctx, InputRecorder* inputs) const override {
    FingerprintByEvaluating(*this, ctx, inputs);
  }

  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    for (auto& [dir, captures] : dirs_.Select(ctx, out)) {
      std::string prefix = Prefix(dir);
      for (const Entry& e : entries_) {
        if (e.is_glob) {
          std::string text = Substitute(e.text, captures, /*escape=*/false);
          const Glob* glob = e.glob.get();
          std::unique_ptr<Glob> bound;
          if (e.has_refs) {
            // The entry names captures of `dirs`: compile it for this dir,
            // with the bound values taken literally.
            Result<Glob> g = Glob::Compile(Substitute(e.text, captures, /*escape=*/true));
            if (!g.ok()) return Status::Error("glob '" + text + "': " + g.error());
            bound = std::make_unique<Glob>(std::move(*g));
            glob = bound.get();
          }
          if (!AnyMatch(ctx.tree->files, prefix, *glob) &&
              !AnyMatch(ctx.tree->dirs, prefix, *glob)) {
            out->push_back(
                Finding{prefix + text, 0, 0, "missing required entry matching '" + text + "'"});
          }
          continue;
        }
        std::string name = Substitute(e.text, captures, /*escape=*/false);
        std::string path = prefix + name;
        if (e.want_dir) {
          if (ctx.tree->dirs.Find(path) < 0) {
            out->push_back(Finding{path, 0, 0, "missing required directory '" + name + "/'"});
          }
        } else if (ctx.tree->files.Find(path) < 0 && ctx.tree->dirs.Find(path) < 0) {
          out->push_back(Finding{path, 0, 0, "missing required file '" + name + "'"});
        }
      }
    }
    return Status::Ok();
  }

  static bool AnyMatch(const PathIndex& index, const std::string& prefix, const Glob& glob) {
    auto [first, last] = index.PrefixRange(prefix);
    for (uint32_t i = first; i < last; ++i) {
      if (glob.Match(std::string_view(index.paths()[i]).substr(prefix.size()))) return true;
    }
    return false;
  }

  // Replaces `<name>` with the capture of the dirs glob; with `escape`, so
  // that a glob takes the value literally.
  static std::string Substitute(const std::string& text, const Captures& captures, bool escape) {
    std::string out = text;
    for (const auto& [name, value] : captures) {
      std::string ref = "<" + name + ">";
      std::string with = escape ? EscapeGlob(value) : value;
      for (size_t pos = out.find(ref); pos != std::string::npos; pos = out.find(ref, pos)) {
        out.replace(pos, ref.size(), with);
        pos += with.size();
      }
    }
    return out;
  }

  static std::string EscapeGlob(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (std::string_view("\\*?[]{}<>,!").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
    return out;
  }

  struct Entry {
    std::string text;       // as written, without a trailing '/'
    bool want_dir = false;  // written with a trailing '/'
    bool is_glob = false;
    bool has_refs = false;       // names a capture of `dirs` (glob entries)
    std::unique_ptr<Glob> glob;  // compiled, for a glob without refs
  };
  DirSelector dirs_;
  std::vector<Entry> entries_;
};

class PathNameCheck : public Check {
 public:
  const char* kind() const override { return "path_name"; }
  bool reads_content() const override { return false; }
  bool per_file() const override { return true; }
  const GlobList* file_globs() const override { return &files_; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view,
                   std::vector<Finding>* out) const override {
    const std::string& path = input.file->path;
    std::string_view subject = path;
    if (!on_path_) {
      size_t slash = path.rfind('/');
      if (slash != std::string::npos) subject.remove_prefix(slash + 1);
    }
    if (!RE2::PartialMatch(subject, *pattern_)) {
      out->push_back(Finding{path, 0, 0,
                             std::string(on_path_ ? "path" : "name") + " '" + std::string(subject) +
                                 "' does not match '" + pattern_->pattern() + "'"});
    }
    return Status::Ok();
  }

  GlobList files_;
  std::unique_ptr<RE2> pattern_;
  bool on_path_ = false;
};

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[{\\") != std::string::npos; }

}  // namespace

std::unique_ptr<Check> ParseDirCount(Fields& f) {
  auto check = std::make_unique<DirCountCheck>();
  bool ok = check->parents_.Parse(f, "parents");
  if (f.Has("name")) {
    check->name_ = f.Regex("name", false, false);
    ok = ok && check->name_ != nullptr;
  }
  if (f.Has("entries")) ok = f.Choice("entries", {"dirs", "files", "any"}, &check->entries_) && ok;
  f.Int("count", &check->count_, 0);
  f.Int("min", &check->min_, 0);
  f.Int("max", &check->max_, 0);
  f.Bool("same_names", &check->same_names_);
  if (check->count_ >= 0 && (check->min_ >= 0 || check->max_ >= 0)) {
    f.Error("count", "use either 'count' or 'min'/'max', not both");
    ok = false;
  }
  if (check->min_ >= 0 && check->max_ >= 0 && check->min_ > check->max_) {
    f.Error("min", "'min' is greater than 'max'");
    ok = false;
  }
  if (check->count_ < 0 && check->min_ < 0 && check->max_ < 0 && !check->same_names_) {
    f.diag()->Error(f.KeyNode("kind"), "dir_count needs 'count', 'min', 'max' or 'same_names'");
    ok = false;
  }
  return ok ? std::move(check) : nullptr;
}

// True when `text` is a plain relative path: no empty, "." or ".." segment.
bool IsRelativePath(const std::string& text) {
  if (text.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    std::string seg = text.substr(start, slash == std::string::npos ? slash : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

std::unique_ptr<Check> ParseRequiredFiles(Fields& f) {
  auto check = std::make_unique<RequiredFilesCheck>();
  bool ok = check->dirs_.Parse(f, "dirs");
  std::vector<std::string> captures = check->dirs_.CaptureNames();
  std::vector<std::string> files;
  if (!f.StringList("files", &files, true)) return nullptr;
  if (files.empty()) {
    f.Error("files", "'files' needs at least one entry");
    return nullptr;
  }
  for (const std::string& text : files) {
    RequiredFilesCheck::Entry e;
    e.text = text;
    while (!e.text.empty() && e.text.back() == '/') {
      e.text.pop_back();
      e.want_dir = true;
    }
    // `<name>` of a capture bound by `dirs` is a reference; check the
    // syntax with a placeholder in its place.
    Captures placeholders;
    for (const std::string& name : captures) {
      if (e.text.find("<" + name + ">") == std::string::npos) continue;
      e.has_refs = true;
      placeholders.emplace_back(name, "x");
    }
    std::string resolved = RequiredFilesCheck::Substitute(e.text, placeholders, false);
    if (HasGlobChars(resolved)) {
      e.is_glob = true;
      Result<Glob> g = Glob::Compile(resolved);
      if (!g.ok()) {
        f.Error("files", "invalid glob '" + text + "' in 'files': " + g.error());
        ok = false;
        continue;
      }
      if (!e.has_refs) e.glob = std::make_unique<Glob>(std::move(*g));
    } else if (!IsRelativePath(resolved)) {
      f.Error("files", "'" + text + "' in 'files' must be a path relative to the directory");
      ok = false;
      continue;
    } else if (resolved.find('<') != std::string::npos) {
      std::string names;
      for (const std::string& n : captures) names += (names.empty() ? "" : ", ") + ("<" + n + ">");
      f.Error("files",
              "'" + text + "' in 'files' names a capture that 'dirs' does not bind" +
                  (names.empty() ? std::string(" (it binds none)") : " (it binds " + names + ")"));
      ok = false;
      continue;
    }
    check->entries_.push_back(std::move(e));
  }
  return ok ? std::move(check) : nullptr;
}

std::unique_ptr<Check> ParsePathName(Fields& f) {
  auto check = std::make_unique<PathNameCheck>();
  bool ok = f.Globs("files", &check->files_);
  check->pattern_ = f.Regex("pattern", true, false);
  std::string on = "name";
  if (f.Has("on")) ok = f.Choice("on", {"name", "path"}, &on) && ok;
  check->on_path_ = on == "path";
  return ok && check->pattern_ ? std::move(check) : nullptr;
}

}  // namespace sotinc

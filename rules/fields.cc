#include "rules/fields.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>

namespace sotinc {

void Diagnostics::Error(const YAML::Mark& at, const std::string& message) {
  std::string line = file_;
  // yaml-cpp marks are 0-based; a null mark has negative fields.
  int l = at.line >= 0 ? at.line + 1 : 1;
  int c = at.column >= 0 ? at.column + 1 : 1;
  line += ":" + std::to_string(l) + ":" + std::to_string(c) + ": ";
  if (!rule_.empty()) line += "rule " + rule_ + ": ";
  line += message;
  lines_->push_back(line);
}

void Diagnostics::Error(const YAML::Node& at, const std::string& message) {
  Error(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), message);
}

namespace {

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Levenshtein distance where swapping two neighbours also costs one
// ("optimal string alignment"), so "tilte" is one edit from "title".
size_t EditDistance(const std::string& a, const std::string& b, size_t limit) {
  // Three rolling rows (a swap looks two rows back), and an early stop once
  // a whole row exceeds `limit`: the distance can only grow from there.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    size_t row_min = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit) return limit + 1;
    before.swap(prev);
    prev.swap(row);
  }
  return prev[b.size()];
}

// The value node of `key` in `map` (first occurrence), or an undefined node.
// Const access: yaml-cpp's non-const operator[] would add the key.
YAML::Node Lookup(const YAML::Node& map, const char* key) {
  const YAML::Node& m = map;
  return m[key];
}

std::string Quote(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return NodeTypeName(n);
}

// A hint for the RE2 errors that come from Perl habits.
std::string RegexHint(const RE2& re, const std::string& pattern) {
  switch (re.error_code()) {
    case RE2::ErrorBadPerlOp:
      if (pattern.find("(?=") != std::string::npos || pattern.find("(?!") != std::string::npos ||
          pattern.find("(?<=") != std::string::npos || pattern.find("(?<!") != std::string::npos) {
        return " (RE2 has no lookahead or lookbehind; match the text itself, or use a "
               "second rule)";
      }
      if (pattern.find("(?P=") != std::string::npos) return " (RE2 has no backreferences)";
      if (pattern.find("(?<") != std::string::npos) {
        return " (write a named group as (?P<name>...))";
      }
      return "";
    case RE2::ErrorBadEscape:
      for (size_t i = 0; i + 1 < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
          if (std::isdigit(static_cast<unsigned char>(pattern[i + 1]))) {
            return " (RE2 has no backreferences)";
          }
          ++i;
        }
      }
      return "";
    case RE2::ErrorRepeatSize:
      return " (a count in {n,m} is at most 1000, and n must not exceed m)";
    case RE2::ErrorPatternTooLarge:
      return " (simplify the pattern or split it into several rules)";
    default:
      return "";
  }
}

}  // namespace

std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string lower = Lower(word);
  // Short words allow fewer edits: "id" must not suggest every 2-letter key.
  size_t allowed = lower.size() <= 3 ? 1 : lower.size() <= 6 ? 2 : lower.size() / 3;
  std::string best;
  size_t best_distance = allowed + 1;
  // The edit distance takes time and memory |word| x |candidate|: a long
  // word (nobody mistyped a 100 KB id) gets no suggestion, and a candidate
  // whose length alone is too far off is not compared.
  if (word.size() > kSuggestMaxLength) return best;
  for (const std::string& c : candidates) {
    size_t gap = c.size() > lower.size() ? c.size() - lower.size() : lower.size() - c.size();
    if (c.size() > kSuggestMaxLength || gap >= best_distance) continue;
    size_t d = EditDistance(lower, Lower(c), best_distance - 1);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

const char* NodeTypeName(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "unknown";
}

Fields::Fields(const YAML::Node& map, std::string what, Diagnostics* diag)
    : map_(map), what_(std::move(what)), diag_(diag) {}

void Fields::Needs(const char* key) {
  // "rule" -> "the rule needs 'id'"; "the config" and "an included file" as they are.
  bool article = what_.compare(0, 4, "the ") == 0 || what_.compare(0, 3, "an ") == 0 ||
                 what_.compare(0, 2, "a ") == 0;
  diag_->Error(map_, (article ? what_ : "the " + what_) + " needs '" + key + "'");
}

bool Fields::Has(const char* key) {
  known_.insert(key);
  return Lookup(map_, key).IsDefined();
}

YAML::Node Fields::Get(const char* key) {
  known_.insert(key);
  return Lookup(map_, key);
}

YAML::Node Fields::KeyNode(const char* key) const {
  if (!map_.IsMap()) return map_;
  for (auto it = map_.begin(); it != map_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return map_;
}

YAML::Mark Fields::Where(const char* key) const {
  YAML::Node value = Lookup(map_, key);
  if (value.IsDefined() && !value.IsNull()) return value.Mark();
  YAML::Node at = KeyNode(key);
  return at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
}

void Fields::Error(const char* key, const std::string& message) {
  known_.insert(key);
  diag_->Error(Where(key), message);
}

bool Fields::String(const char* key, std::string* out, bool required) {
  YAML::Node n = Get(key);
  if (!n.IsDefined()) {
    if (required) Needs(key);
    return false;
  }
  if (!n.IsScalar()) {
    Error(key, std::string("'") + key + "' must be a string, not " + NodeTypeName(n));
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool Fields::Bool(const char* key, bool* out) {
  YAML::Node n = Get(key);
  if (!n.IsDefined()) return false;
  if (n.IsScalar() && n.Tag() != "!") {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return *out = true, true;
    if (s == "false" || s == "False" || s == "FALSE") return *out = false, true;
  }
  std::string msg = std::string("'") + key + "' must be true or false, not ";
  if (n.IsScalar() && n.Tag() == "!") {
    msg += "the quoted string " + Quote(n) + " (remove the quotes)";
  } else {
    msg += Quote(n);
  }
  Error(key, msg);
  return false;
}

bool Fields::Int(const char* key, int64_t* out, int64_t min_value) {
  YAML::Node n = Get(key);
  if (!n.IsDefined()) return false;
  if (n.IsScalar() && n.Tag() != "!") {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    bool digits = !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-');
    if (digits && *end == '\0' && errno == 0 && v >= min_value) {
      *out = v;
      return true;
    }
  }
  Error(key, std::string("'") + key + "' must be a whole number of at least " +
                 std::to_string(min_value) + ", not " + Quote(n));
  return false;
}

bool Fields::StringList(const char* key, std::vector<std::string>* out, bool required) {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) {
      if (n.IsDefined()) {
        Error(key, std::string("'") + key + "' is empty; give a string or a list of strings");
      } else {
        Needs(key);
      }
    }
    return false;
  }
  std::vector<std::string> values;
  if (n.IsScalar()) {
    values.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const YAML::Node& item : n) {
      if (!item.IsScalar()) {
        diag_->Error(
            item, std::string("items of '") + key + "' must be strings, not " + NodeTypeName(item));
        return false;
      }
      values.push_back(item.Scalar());
    }
  } else {
    Error(key, std::string("'") + key + "' must be a string or a list of strings, not " +
                   NodeTypeName(n));
    return false;
  }
  *out = std::move(values);
  return true;
}

bool Fields::CompileGlobs(const char* key, const std::vector<std::string>& patterns,
                          GlobList* out) {
  Result<GlobList> all = GlobList::Compile(patterns);
  if (all.ok()) {
    *out = std::move(*all);
    return true;
  }
  // Compile each entry alone to report every bad one at its own item.
  YAML::Node value = Get(key);
  std::vector<YAML::Node> items;
  if (value.IsSequence()) {
    for (const YAML::Node& item : value) items.push_back(item);
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    Result<GlobList> one = GlobList::Compile({patterns[i]});
    if (one.ok()) continue;
    // GlobList names the entry ("glob 1 ('x'): "); this message names it itself.
    std::string why = one.error();
    std::string prefix = "glob 1 ('" + patterns[i] + "'): ";
    if (why.compare(0, prefix.size(), prefix) == 0) why = why.substr(prefix.size());
    std::string msg = "invalid glob '" + patterns[i] + "' in '" + key + "': " + why;
    if (i < items.size()) {
      diag_->Error(items[i], msg);
    } else {
      Error(key, msg);
    }
  }
  return false;
}

bool Fields::Globs(const char* key, GlobList* out, bool required) {
  std::vector<std::string> patterns;
  if (!StringList(key, &patterns, required)) return false;
  GlobList globs;
  if (!CompileGlobs(key, patterns, &globs)) return false;
  if (patterns.empty()) {
    Error(key, std::string("'") + key + "' is an empty list; give at least one glob");
    return false;
  }
  if (globs.empty()) {
    Error(key, std::string("'") + key +
                   "' has only '!' exclusions; add a glob that selects files (e.g. '**')");
    return false;
  }
  *out = std::move(globs);
  return true;
}

bool Fields::Choice(const char* key, std::initializer_list<const char*> values, std::string* out) {
  std::string list;
  for (const char* v : values) {
    list += list.empty() ? "" : ", ";
    list += v;
  }
  YAML::Node n = Get(key);
  if (!n.IsDefined()) return false;
  if (n.IsScalar()) {
    for (const char* v : values) {
      if (n.Scalar() == v) {
        *out = v;
        return true;
      }
    }
  }
  std::string msg = std::string("'") + key + "' must be one of " + list + ", not " + Quote(n);
  if (n.IsScalar()) {
    std::string s = Suggest(n.Scalar(), std::vector<std::string>(values.begin(), values.end()));
    if (!s.empty()) msg += " (did you mean '" + s + "'?)";
  }
  Error(key, msg);
  return false;
}

std::unique_ptr<re2::RE2> CompileRegex(const YAML::Node& node, const std::string& pattern,
                                       bool ignore_case, Diagnostics* diag) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!ignore_case);
  // Bound the memory one user pattern may take (default is 8 MiB).
  options.set_max_mem(64 << 20);
  auto re = std::make_unique<re2::RE2>(pattern, options);
  if (!re->ok()) {
    diag->Error(node, "invalid regular expression '" + pattern + "': " + re->error() +
                          RegexHint(*re, pattern));
    return nullptr;
  }
  return re;
}

std::unique_ptr<re2::RE2> Fields::Regex(const char* key, bool required, bool ignore_case) {
  std::string pattern;
  if (!String(key, &pattern, required)) return nullptr;
  if (pattern.empty()) {
    // An empty pattern matches everything: never what a rule means.
    Error(key, std::string("'") + key + "' is an empty regular expression, which matches " +
                   "everything; write the pattern to look for");
    return nullptr;
  }
  YAML::Node node = Get(key);
  return CompileRegex(node, pattern, ignore_case, diag_);
}

void Fields::Finish() {
  if (!map_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  std::map<std::string, YAML::Mark> seen;
  for (auto it = map_.begin(); it != map_.end(); ++it) {
    if (!it->first.IsScalar()) {
      diag_->Error(it->first, std::string("a key of ") + what_ + " must be a name, not " +
                                  NodeTypeName(it->first));
      continue;
    }
    const std::string& key = it->first.Scalar();
    auto [first, inserted] = seen.emplace(key, it->first.Mark());
    if (!inserted) {
      diag_->Error(it->first, "key '" + key + "' appears twice in " + what_ + " (first at line " +
                                  std::to_string(first->second.line + 1) + "); remove one");
      continue;
    }
    if (known_.count(key) || skipped_.count(key)) continue;
    std::string msg = "unknown key '" + key + "' in " + what_;
    std::string suggestion = Suggest(key, known);
    if (!suggestion.empty()) {
      msg += " (did you mean '" + suggestion + "'?)";
    } else if (!known.empty()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      msg += " (known keys: " + list + ")";
    }
    diag_->Error(it->first, msg);
  }
}

}  // namespace sotinc

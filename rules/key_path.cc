#include "rules/key_path.h"

#include <utility>

namespace sotinc {
namespace {

Status ErrorAt(size_t pos, const std::string& message) {
  return Status::Error("column " + std::to_string(pos + 1) + ": " + message);
}

bool NeedsQuotes(const std::string& key) {
  return key.empty() || key.find_first_of(".[]") != std::string::npos || key[0] == '"' ||
         key[0] == '\'';
}

void AppendSegment(const KeyPathSegment& s, bool first, std::string* out) {
  switch (s.kind) {
    case KeyPathSegment::kKey:
      if (!first) out->push_back('.');
      if (!NeedsQuotes(s.key)) {
        *out += s.key;
        return;
      }
      out->push_back('"');
      for (char c : s.key) {
        if (c == '"' || c == '\\') out->push_back('\\');
        out->push_back(c);
      }
      out->push_back('"');
      return;
    case KeyPathSegment::kIndex:
      *out += "[" + std::to_string(s.index) + "]";
      return;
    case KeyPathSegment::kEach:
      *out += "[*]";
      return;
  }
}

// Parses one key at `*pos` (bare or quoted) into *key.
Status ParseKey(std::string_view text, size_t* pos, std::string* key) {
  size_t start = *pos;
  char quote = start < text.size() ? text[start] : '\0';
  if (quote == '"' || quote == '\'') {
    size_t i = start + 1;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (quote == '"' && c == '\\' && i + 1 < text.size()) {
        key->push_back(text[++i]);
      } else if (c == quote) {
        // In single quotes, '' is one quote.
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          key->push_back('\'');
          ++i;
          continue;
        }
        *pos = i + 1;
        return Status::Ok();
      } else {
        key->push_back(c);
      }
    }
    return ErrorAt(start, std::string("unclosed ") + quote);
  }
  size_t end = text.find_first_of(".[]", start);
  if (end == std::string_view::npos) end = text.size();
  if (end < text.size() && text[end] == ']') return ErrorAt(end, "']' without '['");
  if (end == start) return ErrorAt(start, "empty key (quote it as \"\" if you mean one)");
  *key = std::string(text.substr(start, end - start));
  *pos = end;
  return Status::Ok();
}

// Parses `[*]` or `[N]` at `*pos`.
Status ParseSelector(std::string_view text, size_t* pos, KeyPathSegment* segment) {
  size_t open = *pos;
  size_t close = text.find(']', open);
  if (close == std::string_view::npos) return ErrorAt(open, "unclosed '['");
  std::string_view inside = text.substr(open + 1, close - open - 1);
  if (inside == "*") {
    segment->kind = KeyPathSegment::kEach;
  } else {
    size_t digits = !inside.empty() && inside[0] == '-' ? 1 : 0;
    bool ok = inside.size() > digits && inside.size() - digits <= 18;
    for (size_t i = digits; i < inside.size() && ok; ++i) ok = inside[i] >= '0' && inside[i] <= '9';
    if (!ok) return ErrorAt(open + 1, "expected '*' or an index between '[' and ']'");
    segment->kind = KeyPathSegment::kIndex;
    segment->index = std::stoll(std::string(inside));
  }
  *pos = close + 1;
  return Status::Ok();
}

// Where resolution stands: the node reached, how, and the concrete path to
// it. One Walker follows the path depth-first, so memory stays proportional
// to the path's length however far a `[*]` fans out.
struct Step {
  YAML::Node node;
  bool has_key = false;  // reached through a map key
  YAML::Mark key_mark;
};

YAML::Mark ReportMark(const Step& s) {
  if (!s.has_key) return s.node.Mark();
  YAML::Mark m = s.node.Mark();
  // An empty null is marked at the next token and an alias at its anchor,
  // which may be anywhere; the key is where the value is written.
  if (s.node.IsNull() || m.is_null() || m.pos < s.key_mark.pos) return s.key_mark;
  return m;
}

class Walker {
 public:
  Walker(const KeyPath& path, NodeBudget* budget, const KeyPathVisitor& visit)
      : segs_(path.segments()), budget_(budget), visit_(visit) {}

  // Follows segs_[at...] from `s`; false when the budget ran out or the
  // visitor asked to stop.
  bool Walk(const Step& s, size_t at) {
    if (at == segs_.size()) return Report(s, at, KeyPathHit::Stop::kNone);
    const KeyPathSegment& seg = segs_[at];
    if (seg.kind == KeyPathSegment::kKey) {
      if (!s.node.IsMap()) return Report(s, at, KeyPathHit::Stop::kNotMap);
      for (auto it = s.node.begin(); it != s.node.end(); ++it) {
        if (!budget_->Spend()) return false;
        if (!it->first.IsScalar() || it->first.Scalar() != seg.key) continue;
        return Descend(Step{it->second, true, it->first.Mark()}, at, seg);
      }
      return Report(s, at, KeyPathHit::Stop::kAbsent);
    }
    if (!s.node.IsSequence()) return Report(s, at, KeyPathHit::Stop::kNotList);
    int64_t size = static_cast<int64_t>(s.node.size());
    int64_t first = 0, last = size;
    if (seg.kind == KeyPathSegment::kIndex) {
      first = seg.index < 0 ? size + seg.index : seg.index;
      if (first < 0 || first >= size) return Report(s, at, KeyPathHit::Stop::kOutOfRange);
      last = first + 1;
    }
    int64_t i = 0;
    for (auto it = s.node.begin(); it != s.node.end() && i < last; ++it, ++i) {
      if (!budget_->Spend()) return false;
      if (i < first) continue;
      if (!Descend(Step{*it, false, YAML::Mark()}, at,
                   KeyPathSegment{KeyPathSegment::kIndex, "", i})) {
        return false;
      }
    }
    return true;
  }

 private:
  bool Descend(const Step& s, size_t at, const KeyPathSegment& taken) {
    taken_.push_back(taken);
    bool ok = Walk(s, at + 1);
    taken_.pop_back();
    return ok;
  }

  bool Report(const Step& s, size_t at, KeyPathHit::Stop stop) {
    KeyPathHit hit;
    hit.found = stop == KeyPathHit::Stop::kNone;
    hit.node = s.node;
    hit.mark = ReportMark(s);
    hit.key_mark = s.has_key ? s.key_mark : hit.mark;
    hit.stop = stop;
    hit.taken = &taken_;
    hit.rest = &segs_;
    hit.rest_from = at;
    return visit_(hit) && !budget_->exceeded();
  }

  const std::vector<KeyPathSegment>& segs_;
  NodeBudget* budget_;
  const KeyPathVisitor& visit_;
  std::vector<KeyPathSegment> taken_;
};

}  // namespace

Result<KeyPath> KeyPath::Parse(std::string_view text) {
  KeyPath path;
  path.text_ = std::string(text);
  if (text.empty()) return Status::Error("empty key path");
  size_t pos = 0;
  bool first = true;
  while (true) {
    if (!(first && text[pos] == '[')) {
      KeyPathSegment key;
      Status s = ParseKey(text, &pos, &key.key);
      if (!s.ok()) return s;
      path.segments_.push_back(std::move(key));
    }
    first = false;
    while (pos < text.size() && text[pos] == '[') {
      KeyPathSegment selector;
      Status s = ParseSelector(text, &pos, &selector);
      if (!s.ok()) return s;
      path.segments_.push_back(selector);
    }
    if (pos == text.size()) break;
    if (text[pos] != '.') return ErrorAt(pos, "expected '.' or '[' after a key");
    if (++pos == text.size()) return ErrorAt(pos - 1, "key path ends with '.'");
  }
  return path;
}

bool ParseKeyPathAt(const YAML::Node& node, const std::string& field, Diagnostics* diag,
                    KeyPath* out) {
  if (!node.IsScalar()) {
    diag->Error(node, "'" + field + "' needs a key path (a string), not " + NodeTypeName(node));
    return false;
  }
  Result<KeyPath> path = KeyPath::Parse(node.Scalar());
  if (!path.ok()) {
    diag->Error(node,
                "invalid key path '" + node.Scalar() + "' in '" + field + "': " + path.error());
    return false;
  }
  *out = std::move(*path);
  return true;
}

std::string KeyPathHit::path() const {
  std::vector<KeyPathSegment> all;
  if (taken != nullptr) all = *taken;
  if (rest != nullptr) {
    all.insert(all.end(), rest->begin() + static_cast<std::ptrdiff_t>(rest_from), rest->end());
  }
  return FormatKeyPath(all);
}

std::string KeyPathHit::reason() const {
  if (stop == Stop::kNone || stop == Stop::kAbsent) return "";
  std::string what = ValueTypeNoun(TypeOf(node));
  std::string subject;
  if (taken == nullptr || taken->empty()) {
    if (node.IsNull())
      return stop == Stop::kNotMap ? "the document is empty, not a map"
                                   : "the document is empty, not a list";
    subject = "the document is " + what;
  } else {
    subject = "'" + FormatKeyPath(*taken) + "' is " + what;
  }
  switch (stop) {
    case Stop::kNotMap:
      return subject + ", not a map";
    case Stop::kNotList:
      return subject + ", not a list";
    case Stop::kOutOfRange: {
      size_t n = node.size();
      return subject + " of " + std::to_string(n) + (n == 1 ? " item" : " items");
    }
    default:
      return "";
  }
}

std::string FormatKeyPath(const std::vector<KeyPathSegment>& segments) {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) AppendSegment(segments[i], i == 0, &out);
  return out;
}

bool ResolveKeyPath(const YAML::Node& root, const KeyPath& path, NodeBudget* budget,
                    const KeyPathVisitor& visit) {
  Walker walker(path, budget, visit);
  return walker.Walk(Step{root, false, YAML::Mark()}, 0);
}

}  // namespace sotinc

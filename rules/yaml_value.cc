#include "rules/yaml_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace sotinc {
namespace {

const char kCoreTag[] = "tag:yaml.org,2002:";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

bool IsNullText(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool IsBoolText(const std::string& s, bool* value) {
  if (s == "true" || s == "True" || s == "TRUE") return *value = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return *value = false, true;
  return false;
}

// A number of the YAML 1.2 core schema. Integers that fit in int64 stay
// exact; everything else is a double.
struct Number {
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
};

// Digits in [begin, end) in `base`, at least one, all valid.
bool ParseUnsigned(std::string_view s, int base, Number* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  double approx = 0;
  bool overflow = false;
  for (char c : s) {
    int digit = base == 16 ? (IsHex(c) ? HexValue(c) : -1) : (IsDigit(c) ? c - '0' : -1);
    if (digit < 0 || digit >= base) return false;
    approx = approx * base + digit;
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / base) overflow = true;
    v = v * base + digit;
  }
  if (!overflow && v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    out->is_int = true;
    out->i = static_cast<int64_t>(v);
  } else {
    out->is_int = false;
    out->d = approx;
  }
  return true;
}

// The core schema's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloatSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool ParseNumber(const std::string& text, Number* out) {
  std::string_view s = text;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') return ParseUnsigned(s.substr(2), 16, out);
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') return ParseUnsigned(s.substr(2), 8, out);
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out->d = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  bool negative = !s.empty() && s[0] == '-';
  std::string_view unsigned_part = s;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) unsigned_part.remove_prefix(1);
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
    out->d = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (!IsFloatSyntax(s)) return false;
  bool integer = std::all_of(unsigned_part.begin(), unsigned_part.end(), IsDigit);
  if (integer) {
    Number magnitude;
    ParseUnsigned(unsigned_part, 10, &magnitude);
    if (magnitude.is_int) {
      out->is_int = true;
      out->i = negative ? -magnitude.i : magnitude.i;
      return true;
    }
  }
  // from_chars is locale-independent but takes no leading '+'.
  double d = 0;
  auto [ptr, ec] =
      std::from_chars(unsigned_part.data(), unsigned_part.data() + unsigned_part.size(), d);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is infinite; underflow is (as good as) zero.
    bool big = false;
    size_t e = unsigned_part.find_first_of("eE");
    big = e == std::string_view::npos || unsigned_part[e + 1] != '-';
    d = big ? HUGE_VAL : 0.0;
  } else if (ec != std::errc() || ptr != unsigned_part.data() + unsigned_part.size()) {
    return false;
  }
  out->is_int = false;
  out->d = negative ? -d : d;
  return true;
}

std::string CanonicalNumber(const Number& n) {
  if (n.is_int) return std::to_string(n.i);
  if (std::isnan(n.d)) return "nan";
  if (std::isinf(n.d)) return n.d < 0 ? "-inf" : "inf";
  // 1.0 is 1: integral doubles in int64 range use the integer form.
  if (n.d == std::floor(n.d) && std::fabs(n.d) < 9.2e18) {
    return std::to_string(static_cast<int64_t>(n.d));
  }
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), n.d);
  return std::string(buf, result.ptr);
}

void AppendQuoted(const std::string& s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

bool IsCaptureNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && IsDigit(c));
}

// Calls `on_ref(name, begin, end)` for each `<name>` in `text`.
template <typename F>
void ForEachRef(const std::string& text, F on_ref) {
  size_t pos = 0;
  while ((pos = text.find('<', pos)) != std::string::npos) {
    size_t close = text.find('>', pos + 1);
    if (close == std::string::npos) return;
    bool valid = close > pos + 1;
    for (size_t i = pos + 1; i < close && valid; ++i) {
      valid = IsCaptureNameChar(text[i], i == pos + 1);
    }
    if (valid) {
      on_ref(text.substr(pos + 1, close - pos - 1), pos, close + 1);
      pos = close + 1;
    } else {
      ++pos;
    }
  }
}

std::string SubstituteText(const std::string& text, const Captures& captures) {
  std::string out;
  size_t copied = 0;
  ForEachRef(text, [&](const std::string& name, size_t begin, size_t end) {
    for (const auto& [bound, segment] : captures) {
      if (bound != name) continue;
      out.append(text, copied, begin - copied);
      out += segment;
      copied = end;
      return;
    }
  });
  out.append(text, copied, std::string::npos);
  return out;
}

void CollectRefs(const Value& v, std::vector<std::string>* names) {
  ForEachRef(v.text, [&](const std::string& name, size_t, size_t) {
    if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
  });
  for (const Value& k : v.keys) CollectRefs(k, names);
  for (const Value& i : v.items) CollectRefs(i, names);
}

// A string needs no quotes as a map key in a message when it is plain text.
bool IsBareKey(const Value& key) {
  if (key.type != ValueType::kString || key.text.empty()) return false;
  if (ScalarType(key.text, "?") != ValueType::kString) return false;
  return std::all_of(key.text.begin(), key.text.end(), [](char c) {
    return IsCaptureNameChar(c, false) || c == '-' || c == '.' || c == '/';
  });
}

void RenderTo(const Value& v, size_t limit, std::string* out) {
  if (out->size() > limit) return;
  switch (v.type) {
    case ValueType::kString:
      out->push_back('\'');
      for (char c : v.text) {
        if (out->size() > limit) return;
        if (c == '\'')
          *out += "''";
        else if (c == '\n')
          *out += "\\n";
        else if (c == '\t')
          *out += "\\t";
        else if (c == '\r')
          *out += "\\r";
        else
          out->push_back(c);
      }
      out->push_back('\'');
      return;
    case ValueType::kNumber:
    case ValueType::kBool:
      *out += v.text;
      return;
    case ValueType::kNull:
      *out += "null";
      return;
    case ValueType::kList:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size() && out->size() <= limit; ++i) {
        if (i > 0) *out += ", ";
        RenderTo(v.items[i], limit, out);
      }
      out->push_back(']');
      return;
    case ValueType::kMap:
      out->push_back('{');
      for (size_t i = 0; i < v.items.size() && out->size() <= limit; ++i) {
        if (i > 0) *out += ", ";
        if (IsBareKey(v.keys[i]))
          *out += v.keys[i].text;
        else
          RenderTo(v.keys[i], limit, out);
        *out += ": ";
        RenderTo(v.items[i], limit, out);
      }
      out->push_back('}');
      return;
  }
}

void AppendScalarCanonical(ValueType type, const std::string& text, std::string* out) {
  switch (type) {
    case ValueType::kString:
      out->push_back('s');
      AppendQuoted(text, out);
      return;
    case ValueType::kNumber: {
      Number n;
      // A number typed through an explicit tag may still fail to parse
      // (never a plain scalar); compare it by its text then.
      if (ParseNumber(text, &n))
        *out += "n" + CanonicalNumber(n);
      else
        *out += "n?" + text;
      return;
    }
    case ValueType::kBool: {
      bool b = false;
      IsBoolText(text, &b);
      *out += b ? "btrue" : "bfalse";
      return;
    }
    case ValueType::kNull:
    case ValueType::kMap:
    case ValueType::kList:
      *out += "z";
      return;
  }
}

// Maps compare regardless of key order: entries are "key:value" canonical
// forms, sorted.
void AppendMapCanonical(std::vector<std::string>* entries, std::string* out) {
  std::sort(entries->begin(), entries->end());
  out->push_back('{');
  for (const std::string& e : *entries) *out += e + ",";
  out->push_back('}');
}

}  // namespace

// Indexed by ValueType.
const char* const kTypeNames[] = {"string", "number", "bool", "null", "map", "list"};
const char* const kTypeNouns[] = {"a string", "a number", "a bool", "null", "a map", "a list"};

const char* ValueTypeName(ValueType type) { return kTypeNames[static_cast<int>(type)]; }

const char* ValueTypeNoun(ValueType type) { return kTypeNouns[static_cast<int>(type)]; }

bool ParseValueType(std::string_view name, ValueType* out) {
  for (int i = 0; i < 6; ++i) {
    if (name == kTypeNames[i]) {
      *out = static_cast<ValueType>(i);
      return true;
    }
  }
  return false;
}

ValueType ScalarType(const std::string& text, const std::string& tag) {
  bool b = false;
  Number n;
  if (tag == "?") {
    if (IsNullText(text)) return ValueType::kNull;
    if (IsBoolText(text, &b)) return ValueType::kBool;
    if (ParseNumber(text, &n)) return ValueType::kNumber;
    return ValueType::kString;
  }
  if (tag.compare(0, sizeof(kCoreTag) - 1, kCoreTag) != 0) return ValueType::kString;
  std::string name = tag.substr(sizeof(kCoreTag) - 1);
  if (name == "null") return ValueType::kNull;
  if (name == "bool" && IsBoolText(text, &b)) return ValueType::kBool;
  if ((name == "int" || name == "float") && ParseNumber(text, &n)) return ValueType::kNumber;
  return ValueType::kString;
}

ValueType TypeOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return ScalarType(node.Scalar(), node.Tag());
    case YAML::NodeType::Sequence:
      return ValueType::kList;
    case YAML::NodeType::Map:
      return ValueType::kMap;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return ValueType::kNull;
  }
  return ValueType::kNull;
}

std::string NodeBudget::Reason() const {
  if (too_deep_) {
    return "values nest more than " + std::to_string(max_depth_) +
           " levels deep (an alias that contains itself?)";
  }
  return "checking it needs more than " + std::to_string(max_visits_) +
         " node visits (aliases that expand exponentially, a 'billion laughs'?)";
}

bool ToValue(const YAML::Node& node, NodeBudget* budget, Value* out) {
  if (!budget->Spend()) return false;
  out->type = TypeOf(node);
  out->keys.clear();
  out->items.clear();
  if (node.IsScalar()) {
    out->text = node.Scalar();
    out->tag = node.Tag();
    return true;
  }
  out->text.clear();
  out->tag.clear();
  if (!node.IsMap() && !node.IsSequence()) return true;
  if (!budget->Enter()) return false;
  bool ok = true;
  for (auto it = node.begin(); it != node.end() && ok; ++it) {
    if (node.IsMap()) {
      out->keys.emplace_back();
      out->items.emplace_back();
      ok = ToValue(it->first, budget, &out->keys.back()) &&
           ToValue(it->second, budget, &out->items.back());
    } else {
      out->items.emplace_back();
      ok = ToValue(*it, budget, &out->items.back());
    }
  }
  budget->Leave();
  return ok;
}

Value Substitute(const Value& v, const Captures& captures) {
  Value out;
  out.type = v.type;
  out.tag = v.tag;
  out.text = v.text;
  if (!v.tag.empty() && v.text.find('<') != std::string::npos) {
    out.text = SubstituteText(v.text, captures);
    out.type = ScalarType(out.text, out.tag);
  }
  out.keys.reserve(v.keys.size());
  for (const Value& k : v.keys) out.keys.push_back(Substitute(k, captures));
  out.items.reserve(v.items.size());
  for (const Value& i : v.items) out.items.push_back(Substitute(i, captures));
  return out;
}

std::vector<std::string> CaptureRefs(const Value& v) {
  std::vector<std::string> names;
  CollectRefs(v, &names);
  return names;
}

std::string Canonical(const Value& v) {
  std::string out;
  if (v.type != ValueType::kMap && v.type != ValueType::kList) {
    AppendScalarCanonical(v.type, v.text, &out);
  } else if (v.type == ValueType::kList) {
    out = "[";
    for (const Value& i : v.items) out += Canonical(i) + ",";
    out += "]";
  } else {
    std::vector<std::string> entries;
    for (size_t i = 0; i < v.items.size(); ++i) {
      entries.push_back(Canonical(v.keys[i]) + ":" + Canonical(v.items[i]));
    }
    AppendMapCanonical(&entries, &out);
  }
  return out;
}

bool CanonicalOf(const YAML::Node& node, NodeBudget* budget, std::string* out) {
  if (!budget->Spend()) return false;
  if (node.IsScalar()) {
    AppendScalarCanonical(ScalarType(node.Scalar(), node.Tag()), node.Scalar(), out);
    return true;
  }
  if (!node.IsMap() && !node.IsSequence()) {
    AppendScalarCanonical(ValueType::kNull, "", out);
    return true;
  }
  if (!budget->Enter()) return false;
  bool ok = true;
  if (node.IsSequence()) {
    out->push_back('[');
    for (auto it = node.begin(); it != node.end() && ok; ++it) {
      ok = CanonicalOf(*it, budget, out);
      out->push_back(',');
    }
    out->push_back(']');
  } else {
    std::vector<std::string> entries;
    for (auto it = node.begin(); it != node.end() && ok; ++it) {
      std::string entry;
      ok = CanonicalOf(it->first, budget, &entry);
      entry.push_back(':');
      ok = ok && CanonicalOf(it->second, budget, &entry);
      entries.push_back(std::move(entry));
    }
    AppendMapCanonical(&entries, out);
  }
  budget->Leave();
  return ok;
}

std::string RenderNode(const YAML::Node& node, size_t max_bytes) {
  // Every node renders as at least one byte, so a walk of max_bytes + 2
  // nodes is always cut by Render before it reaches where the walk stopped.
  NodeBudget budget(max_bytes + 2, static_cast<int>(max_bytes) + 2);
  Value v;
  ToValue(node, &budget, &v);
  return Render(v, max_bytes);
}

std::string Render(const Value& v, size_t max_bytes) {
  std::string out;
  RenderTo(v, max_bytes, &out);
  if (out.size() > max_bytes) {
    // Cut at a UTF-8 character boundary.
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

}  // namespace sotinc

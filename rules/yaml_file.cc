#include "rules/yaml_file.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "engine/check.h"
#include "rules/yaml_load.h"

namespace sotinc {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

bool IsPlainEnd(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' ||
         c == '#';
}

// The JSON pre-pass: keeps every byte position except where a surrogate
// pair escape (12 bytes, which yaml-cpp rejects) becomes a \U escape (10).
std::string PrepareJson(std::string_view in, std::vector<size_t>* shift_pos,
                        std::vector<int>* shift_line) {
  std::string out;
  out.reserve(in.size());
  bool in_string = false;
  int line = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\n') ++line;
    if (!in_string) {
      if (c == '"') in_string = true;
      out.push_back(c == '\t' ? ' ' : c);
      continue;
    }
    if (c == '"') {
      in_string = false;
    } else if (c == '\\' && i + 1 < in.size()) {
      auto hex4 = [&](size_t at, int* cp) {
        if (at + 4 > in.size()) return false;
        int v = 0;
        for (size_t k = at; k < at + 4; ++k) {
          if (!IsHex(in[k])) return false;
          v = v * 16 + HexValue(in[k]);
        }
        *cp = v;
        return true;
      };
      int hi = 0, lo = 0;
      if (in[i + 1] == 'u' && hex4(i + 2, &hi) && hi >= 0xD800 && hi <= 0xDFFF) {
        if (hi <= 0xDBFF && i + 11 < in.size() && in[i + 6] == '\\' && in[i + 7] == 'u' &&
            hex4(i + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
          int cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
          char buf[16];
          std::snprintf(buf, sizeof(buf), "\\U%08X", static_cast<unsigned>(cp));
          out += buf;
          shift_pos->push_back(out.size());
          shift_line->push_back(line);
          i += 11;
        } else {
          // A lone surrogate (accepted by most JSON parsers) is U+FFFD.
          out += "\\uFFFD";
          i += 5;
        }
        continue;
      }
      out.push_back(c);
      c = in[++i];
      if (c == '\n') ++line;
    }
    out.push_back(c);
  }
  return out;
}

// ".json" in any case ("A.JSON" is JSON too).
bool IsJsonPath(const std::string& path) {
  const char suffix[] = ".json";
  size_t n = sizeof(suffix) - 1;
  if (path.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = path[path.size() - n + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

}  // namespace

bool YamlFile::Load(const std::string& path, std::string_view content, YamlFile* out,
                    Finding* error) {
  *out = YamlFile();
  if (LooksBinary(content)) {
    *error = Finding{path, 0, 0, "binary file, not YAML"};
    return false;
  }
  bool json = IsJsonPath(path);
  std::vector<size_t> shift_pos;
  std::vector<int> shift_line;
  out->text_ = json ? PrepareJson(content, &shift_pos, &shift_line) : std::string(content);
  for (size_t i = 0; i < shift_pos.size(); ++i) {
    out->shifts_.push_back(Shift{shift_pos[i], shift_line[i], 2});
  }
  if (out->text_.compare(0, 3, "\xEF\xBB\xBF") == 0) out->bom_ = 3;
  std::string what = json ? "invalid JSON: " : "invalid YAML: ";
  std::vector<YAML::Node> docs;
  try {
    docs = LoadAllDocuments(out->text_);
  } catch (const YAML::Exception& e) {
    int line = 0, column = 0;
    out->Locate(e.mark, &line, &column);
    *error = Finding{path, line, column, what + e.msg};
    return false;
  } catch (const std::exception& e) {
    *error = Finding{path, 1, 1, what + e.what()};
    return false;
  }
  for (YAML::Node& doc : docs) {
    if (!doc.IsNull()) out->documents_.push_back(doc);
  }
  if (out->documents_.empty()) {
    out->documents_.push_back(docs.empty() ? YAML::Node() : docs.front());
  }
  return true;
}

void YamlFile::Locate(const YAML::Mark& mark, int* line, int* column) const {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    *line = 1;
    *column = 1;
    return;
  }
  *line = mark.line + 1;
  *column = mark.column + 1;
  if (mark.line == 0) *column += static_cast<int>(bom_);
  // Shifts are in text order; those on this line before the mark count.
  size_t pos = static_cast<size_t>(mark.pos) + bom_;
  auto end = std::upper_bound(shifts_.begin(), shifts_.end(), pos,
                              [](size_t p, const Shift& s) { return p < s.pos; });
  for (auto it = end; it != shifts_.begin();) {
    --it;
    if (it->line != mark.line) break;
    *column += it->bytes;
  }
}

std::string YamlFile::WrittenForm(const YAML::Node& node) const {
  if (node.IsScalar()) return node.Scalar();
  if (!node.IsNull() || node.Mark().is_null()) return "";
  // yaml-cpp drops the text of a null; read it back at the node's position
  // (after an anchor or a tag). An empty null's mark is the next token's.
  size_t pos = static_cast<size_t>(node.Mark().pos) + bom_;
  if (pos > text_.size()) return "";
  auto skip_property = [&](char lead) {
    if (pos >= text_.size() || text_[pos] != lead) return;
    while (pos < text_.size() && !IsPlainEnd(text_[pos])) ++pos;
    while (pos < text_.size() && (text_[pos] == ' ' || text_[pos] == '\t')) ++pos;
  };
  skip_property('&');
  skip_property('!');
  skip_property('&');
  for (const char* word : {"null", "Null", "NULL", "~"}) {
    size_t n = std::char_traits<char>::length(word);
    if (text_.compare(pos, n, word) == 0 &&
        (pos + n == text_.size() || IsPlainEnd(text_[pos + n]))) {
      return word;
    }
  }
  return "";
}

}  // namespace sotinc

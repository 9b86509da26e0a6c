// Executable documentation: every example in docs/rules.md (and the
// sotinc.yaml snippet of README.md) is run by the real sotinc binary on a
// real git repository, and its report must say what the example says.
//
// An example is an HTML comment marker followed by a ```yaml block that
// holds a whole sotinc.yaml:
//
//   <!-- example: {"files": {"a/chart.yaml": "shard_id: a\n"},
//                  "expect": {"YM001": "pass"}} -->
//   ```yaml
//   version: 1
//   rules: ...
//   ```
//
// The marker holds one JSON object (it may span lines, up to "-->"):
//   files     path -> content: files written into the repository (and
//             committed) before the run; "\u0000" writes a NUL byte.
//   expect    rule id -> status ("pass", "fail", "error", "skipped"): must
//             list exactly the rules the report holds.
//   findings  rule id -> list of findings, each "path:line:column: message"
//             with absent parts left out ("path: message", or "message"
//             alone for a finding without a path); the whole list, in the
//             report's order.
//   reason    rule id -> the exact `reason` of a skipped or errored rule.
//   args      more arguments for `sotinc check --format json`.
//   exit      the expected exit status (else 0 or 1 is required).
//   setup     shell commands run in the empty repository before `files`
//             are written (to make many files: a loop beats a long list;
//             `files` then adds to or overwrites what it made).
//   error     a config error instead of a report: a string or list of
//             strings that stderr must contain; the exit status must be 2.
// Unknown marker keys fail the test, so a typo cannot silently skip a check.
// A ```yaml block holding `version: 1` without a marker also fails: every
// complete config in the docs is executed.
//
// Shell sessions are executed too. A transcript marker followed by a
// ```console block:
//
//   <!-- transcript: {"files": {"a.yaml": "x: 1\n"}, "use_config": true} -->
//   ```console
//   $ sotinc check --quiet
//   1 rules: 1 passed, 0 failed, 0 errors, 0 skipped (1 ran, 0 cached) in 0.3 ms
//   ```
//
// makes a fresh git repository holding `files` (committed), with, when
// `use_config` is true, the config of the nearest ```yaml block above as its
// sotinc.yaml; runs `setup` (shell, output not compared) if given; then
// runs each `$ ` line with /bin/sh in the repository, the sotinc under test
// first on PATH, and compares its output (stdout and stderr together) with
// the lines below it. Before comparing, the repository's path reads
// /path/to/repo and every duration (`0.3 ms`, `12ms`, `1.5 s`) reads `T`; a
// line `...` stands for any number of lines. Exit statuses are not
// compared (write `; echo "exit $?"` to show one).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::TempRepo;

// ---- A tiny JSON reader (no JSON library is available) -------------------

struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = kNull;
  bool boolean = false;
  double number = 0;
  std::string str;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;  // in written order

  const Json* Get(const std::string& key) const {
    for (const auto& [k, v] : object) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}

  // Parses the whole text as one value; false with *error on failure.
  bool Parse(Json* out, std::string* error) {
    if (!Value(out) || (Skip(), pos_ != s_.size())) {
      if (error_.empty()) error_ = "unexpected text";
      *error = "JSON offset " + std::to_string(pos_) + ": " + error_;
      return false;
    }
    return true;
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' ||
                                s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Fail(const std::string& why) {
    if (error_.empty()) error_ = why;
    return false;
  }

  bool Literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return Fail(std::string("expected ") + word);
    pos_ += n;
    return true;
  }

  bool Value(Json* out) {
    Skip();
    if (pos_ >= s_.size()) return Fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') return Object(out);
    if (c == '[') return Array(out);
    if (c == '"') {
      out->type = Json::kString;
      return String(&out->str);
    }
    if (c == 't' || c == 'f') {
      out->type = Json::kBool;
      out->boolean = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out->type = Json::kNull;
      return Literal("null");
    }
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) !=
                                   std::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return Fail(std::string("unexpected '") + c + "'");
    out->type = Json::kNumber;
    out->number = std::strtod(s_.substr(start, pos_ - start).c_str(), nullptr);
    return true;
  }

  bool Object(Json* out) {
    out->type = Json::kObject;
    ++pos_;  // '{'
    Skip();
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    while (true) {
      Skip();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a key");
      std::string key;
      if (!String(&key)) return false;
      Skip();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      Json value;
      if (!Value(&value)) return false;
      out->object.emplace_back(std::move(key), std::move(value));
      Skip();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
      return Fail("expected ',' or '}'");
    }
  }

  bool Array(Json* out) {
    out->type = Json::kArray;
    ++pos_;  // '['
    Skip();
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    while (true) {
      Json item;
      if (!Value(&item)) return false;
      out->array.push_back(std::move(item));
      Skip();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
      return Fail("expected ',' or ']'");
    }
  }

  bool Hex4(unsigned* out) {
    if (pos_ + 4 > s_.size()) return Fail("short \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      unsigned d = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : 16;
      if (d == 16) return Fail("bad \\u escape");
      *out = *out * 16 + d;
    }
    return true;
  }

  static void AppendUtf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool String(std::string* out) {
    ++pos_;  // '"'
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.compare(pos_, 2, "\\u") == 0) {
            pos_ += 2;
            unsigned lo = 0;
            if (!Hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Fail(std::string("bad escape '\\") + e + "'");
      }
    }
    return Fail("unclosed string");
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
};

// ---- Examples -------------------------------------------------------------

struct Example {
  std::string where;  // "docs/rules.md:123" (the marker's line)
  Json spec;
  std::string config;  // the sotinc.yaml of the fenced block
};

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(SOTINC_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

const char* const kMarkerKeys[] = {"files", "expect", "findings", "reason",
                                   "args",  "exit",   "error",    "setup"};

// Extracts the marked examples of `text` (named `source` in messages).
// Mistakes in the markers themselves go to *problems.
std::vector<Example> ExtractExamples(const std::string& text, const std::string& source,
                                     std::vector<std::string>* problems) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Example> examples;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = Trim(lines[i]);
    if (t.rfind("```", 0) == 0) {
      // An unmarked fenced block: a complete config there must be marked.
      bool yaml = t == "```yaml";
      size_t start = i;
      bool whole_config = false;
      for (++i; i < lines.size() && Trim(lines[i]) != "```"; ++i) {
        if (lines[i].rfind("version: 1", 0) == 0) whole_config = true;
      }
      if (yaml && whole_config) {
        problems->push_back(source + ":" + std::to_string(start + 1) +
                            ": a ```yaml block with a whole config has no example marker");
      }
      continue;
    }
    if (t.rfind("<!-- example:", 0) != 0) continue;
    Example ex;
    ex.where = source + ":" + std::to_string(i + 1);
    std::string json = t.substr(std::string("<!-- example:").size());
    while (json.find("-->") == std::string::npos && i + 1 < lines.size()) {
      json += "\n" + lines[++i];
    }
    size_t end = json.find("-->");
    if (end == std::string::npos) {
      problems->push_back(ex.where + ": the example marker is not closed with -->");
      break;
    }
    json.resize(end);
    std::string error;
    if (!JsonReader(json).Parse(&ex.spec, &error) || ex.spec.type != Json::kObject) {
      problems->push_back(ex.where + ": the marker is not a JSON object: " + error);
      continue;
    }
    for (const auto& [key, value] : ex.spec.object) {
      if (std::find(std::begin(kMarkerKeys), std::end(kMarkerKeys), key) == std::end(kMarkerKeys)) {
        problems->push_back(ex.where + ": unknown marker key '" + key + "'");
      }
    }
    // The fenced ```yaml block follows (blank lines allowed between).
    size_t j = i + 1;
    while (j < lines.size() && Trim(lines[j]).empty()) ++j;
    if (j >= lines.size() || Trim(lines[j]) != "```yaml") {
      problems->push_back(ex.where + ": the marker is not followed by a ```yaml block");
      continue;
    }
    for (++j; j < lines.size() && Trim(lines[j]) != "```"; ++j) ex.config += lines[j] + "\n";
    if (j >= lines.size()) {
      problems->push_back(ex.where + ": the ```yaml block is not closed");
      break;
    }
    i = j;
    examples.push_back(std::move(ex));
  }
  return examples;
}

// ---- Transcripts ----------------------------------------------------------

struct Transcript {
  std::string where;
  Json spec;
  std::string config;  // the ```yaml block above, for use_config
  std::vector<std::pair<std::string, std::string>> steps;  // command, expected output
};

const char* const kTranscriptKeys[] = {"files", "use_config", "setup"};

std::vector<Transcript> ExtractTranscripts(const std::string& text, const std::string& source,
                                           std::vector<std::string>* problems) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Transcript> out;
  std::string last_yaml;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = Trim(lines[i]);
    if (t == "```yaml") {
      last_yaml.clear();
      for (++i; i < lines.size() && Trim(lines[i]) != "```"; ++i) last_yaml += lines[i] + "\n";
      continue;
    }
    if (t.rfind("<!-- transcript:", 0) != 0) continue;
    Transcript tr;
    tr.where = source + ":" + std::to_string(i + 1);
    tr.config = last_yaml;
    std::string json = t.substr(std::string("<!-- transcript:").size());
    while (json.find("-->") == std::string::npos && i + 1 < lines.size()) {
      json += "\n" + lines[++i];
    }
    size_t end = json.find("-->");
    if (end == std::string::npos) {
      problems->push_back(tr.where + ": the transcript marker is not closed with -->");
      break;
    }
    json.resize(end);
    std::string error;
    if (!JsonReader(json).Parse(&tr.spec, &error) || tr.spec.type != Json::kObject) {
      problems->push_back(tr.where + ": the marker is not a JSON object: " + error);
      continue;
    }
    for (const auto& [key, value] : tr.spec.object) {
      if (std::find(std::begin(kTranscriptKeys), std::end(kTranscriptKeys), key) ==
          std::end(kTranscriptKeys)) {
        problems->push_back(tr.where + ": unknown transcript key '" + key + "'");
      }
    }
    size_t j = i + 1;
    while (j < lines.size() && Trim(lines[j]).empty()) ++j;
    if (j >= lines.size() || Trim(lines[j]) != "```console") {
      problems->push_back(tr.where + ": the marker is not followed by a ```console block");
      continue;
    }
    for (++j; j < lines.size() && Trim(lines[j]) != "```"; ++j) {
      if (lines[j].rfind("$ ", 0) == 0) {
        tr.steps.emplace_back(lines[j].substr(2), "");
      } else if (tr.steps.empty()) {
        problems->push_back(tr.where + ": output before the first '$ ' command");
      } else {
        tr.steps.back().second += lines[j] + "\n";
      }
    }
    if (tr.steps.empty()) problems->push_back(tr.where + ": the transcript runs no command");
    i = j;
    out.push_back(std::move(tr));
  }
  return out;
}

// Durations read T, so that transcripts do not depend on the machine.
std::string NormalizeTimes(std::string text) {
  RE2::GlobalReplace(&text, R"(\b[0-9]+(\.[0-9]+)? ?(ms|s)\b)", "T");
  return text;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// True when `got` matches `want`, where a `want` line "..." matches any
// number of lines.
bool LinesMatch(const std::vector<std::string>& want, size_t w, const std::vector<std::string>& got,
                size_t g) {
  if (w == want.size()) return g == got.size();
  if (want[w] == "...") {
    for (size_t k = g; k <= got.size(); ++k) {
      if (LinesMatch(want, w + 1, got, k)) return true;
    }
    return false;
  }
  return g < got.size() && want[w] == got[g] && LinesMatch(want, w + 1, got, g + 1);
}

void RunTranscript(const Transcript& tr) {
  SCOPED_TRACE(tr.where);
  TempRepo repo;
  if (const Json* files = tr.spec.Get("files")) {
    for (const auto& [path, content] : files->object) repo.WriteFile(path, content.str);
  }
  if (const Json* use = tr.spec.Get("use_config"); use && use->boolean) {
    ASSERT_FALSE(tr.config.empty()) << "use_config, but no ```yaml block above";
    repo.WriteFile("sotinc.yaml", tr.config);
  }
  repo.Commit("example");
  std::string bin_dir = SOTINC_BINARY;
  bin_dir = bin_dir.substr(0, bin_dir.rfind('/'));
  std::string env = "unset SOTINC_CACHE_DIR; export PATH='" + bin_dir +
                    "':\"$PATH\" SOTINC_NO_PROGRESS=1 NO_COLOR=1; ";
  if (const Json* setup = tr.spec.Get("setup")) {
    RunResult r = repo.Run(env + setup->str);
    ASSERT_EQ(r.exit_code, 0) << "setup failed: " << r.out << r.err;
  }
  for (const auto& [command, expected] : tr.steps) {
    RunResult r = repo.Run(env + "exec 2>&1; " + command);
    std::string got = r.out;
    for (size_t at; (at = got.find(repo.path())) != std::string::npos;) {
      got.replace(at, repo.path().size(), "/path/to/repo");
    }
    got = NormalizeTimes(got);
    std::vector<std::string> want_lines = SplitLines(NormalizeTimes(expected));
    EXPECT_TRUE(LinesMatch(want_lines, 0, SplitLines(got), 0))
        << "$ " << command << "\nexpected:\n" << expected << "got (normalized):\n" << got;
  }
}

std::vector<Transcript> LoadTranscripts(const std::string& rel) {
  std::string text = ReadSource(rel);
  EXPECT_FALSE(text.empty()) << "cannot read " << rel;
  std::vector<std::string> problems;
  std::vector<Transcript> out = ExtractTranscripts(text, rel, &problems);
  for (const std::string& p : problems) ADD_FAILURE() << p;
  return out;
}

// "path:line:column: message" with absent parts left out.
std::string FormatFinding(const Json& f) {
  std::string out;
  const Json* path = f.Get("path");
  const Json* line = f.Get("line");
  const Json* column = f.Get("column");
  const Json* message = f.Get("message");
  if (path) out += path->str;
  if (line) out += ":" + std::to_string(static_cast<long>(line->number));
  if (column) out += ":" + std::to_string(static_cast<long>(column->number));
  if (!out.empty()) out += ": ";
  if (message) out += message->str;
  return out;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Runs one example and checks the report against its marker.
void RunExample(const Example& ex) {
  SCOPED_TRACE(ex.where);
  const Json& spec = ex.spec;
  TempRepo repo;
  if (const Json* setup = spec.Get("setup")) {
    RunResult r = repo.Run(setup->str);
    ASSERT_EQ(r.exit_code, 0) << "setup failed: " << r.out << r.err;
  }
  if (const Json* files = spec.Get("files")) {
    ASSERT_EQ(files->type, Json::kObject) << "'files' must be an object";
    for (const auto& [path, content] : files->object) {
      ASSERT_NE(path, "sotinc.yaml") << "the config is the ```yaml block, not a file";
      ASSERT_EQ(content.type, Json::kString) << "content of " << path;
      repo.WriteFile(path, content.str);
    }
  }
  repo.WriteFile("sotinc.yaml", ex.config);
  repo.Commit("example");
  std::string args;
  if (const Json* a = spec.Get("args")) args = " " + a->str;
  RunResult r = repo.Run(Quote(SOTINC_BINARY) + " -C " + Quote(repo.path()) +
                         " check --format json" + args);

  if (const Json* error = spec.Get("error")) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    std::vector<std::string> wanted;
    if (error->type == Json::kString) wanted.push_back(error->str);
    for (const Json& e : error->array) wanted.push_back(e.str);
    for (const std::string& w : wanted) {
      EXPECT_NE(r.err.find(w), std::string::npos) << "stderr lacks: " << w << "\nstderr: "
                                                  << r.err;
    }
    return;
  }

  if (const Json* exit = spec.Get("exit")) {
    EXPECT_EQ(r.exit_code, static_cast<int>(exit->number)) << r.out << r.err;
  } else {
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.out << r.err;
  }
  Json report;
  std::string error;
  ASSERT_TRUE(JsonReader(r.out).Parse(&report, &error))
      << error << "\nstdout: " << r.out << "\nstderr: " << r.err;
  const Json* results = report.Get("results");
  ASSERT_TRUE(results != nullptr && results->type == Json::kArray) << r.out;
  std::map<std::string, const Json*> by_id;
  for (const Json& result : results->array) by_id[result.Get("id")->str] = &result;

  const Json* expect = spec.Get("expect");
  ASSERT_TRUE(expect != nullptr && expect->type == Json::kObject)
      << "the marker needs 'expect' (rule id -> status)";
  std::set<std::string> expected_ids;
  for (const auto& [id, status] : expect->object) {
    expected_ids.insert(id);
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      ADD_FAILURE() << "rule " << id << " is not in the report:\n" << r.out;
      continue;
    }
    EXPECT_EQ(it->second->Get("status")->str, status.str) << "status of " << id << ":\n"
                                                          << r.out;
  }
  for (const auto& [id, result] : by_id) {
    EXPECT_TRUE(expected_ids.count(id)) << "rule " << id << " is reported but not in 'expect'";
  }
  if (const Json* findings = spec.Get("findings")) {
    for (const auto& [id, list] : findings->object) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;  // reported above
      std::vector<std::string> want, got;
      for (const Json& f : list.array) want.push_back(f.str);
      for (const Json& f : it->second->Get("findings")->array) got.push_back(FormatFinding(f));
      std::string got_text;
      for (const std::string& g : got) got_text += "    \"" + g + "\"\n";
      EXPECT_EQ(got, want) << "findings of " << id << " are:\n" << got_text;
    }
  }
  if (const Json* reasons = spec.Get("reason")) {
    for (const auto& [id, reason] : reasons->object) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      const Json* got = it->second->Get("reason");
      EXPECT_EQ(got ? got->str : std::string("(no reason)"), reason.str) << "reason of " << id;
    }
  }
}

std::vector<Example> LoadExamples(const std::string& rel) {
  std::string text = ReadSource(rel);
  EXPECT_FALSE(text.empty()) << "cannot read " << rel;
  std::vector<std::string> problems;
  std::vector<Example> examples = ExtractExamples(text, rel, &problems);
  for (const std::string& p : problems) ADD_FAILURE() << p;
  return examples;
}

// The check kinds the binary knows, from its "unknown check kind" message,
// so that a new kind without an example fails this test.
std::vector<std::string> KnownKinds() {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n  - id: K\n    check: {kind: qqqqqqqqqqqqqqqqqqqq}\n");
  RunResult r = repo.Run(Quote(SOTINC_BINARY) + " -C " + Quote(repo.path()) + " check");
  std::string list;
  EXPECT_TRUE(RE2::PartialMatch(r.err, R"(\(kinds: ([a-z_, ]+)\))", &list)) << r.err;
  std::vector<std::string> kinds;
  re2::StringPiece input(list);
  std::string kind;
  while (RE2::FindAndConsume(&input, "([a-z_]+)", &kind)) kinds.push_back(kind);
  return kinds;
}

TEST(DocsExamples, JsonReaderReadsEscapesAndNesting) {
  Json v;
  std::string error;
  ASSERT_TRUE(
      JsonReader(R"( {"a": ["x\n\"y\"", 2, true, null], "b": "\u0000\u00e9\ud83d\ude00"} )")
          .Parse(&v, &error))
      << error;
  ASSERT_EQ(v.type, Json::kObject);
  EXPECT_EQ(v.Get("a")->array[0].str, "x\n\"y\"");
  EXPECT_EQ(v.Get("a")->array[1].number, 2);
  EXPECT_TRUE(v.Get("a")->array[2].boolean);
  EXPECT_EQ(v.Get("b")->str, std::string("\0\xC3\xA9\xF0\x9F\x98\x80", 7));
  EXPECT_FALSE(JsonReader(R"({"a": 1,})").Parse(&v, &error));
  EXPECT_FALSE(JsonReader(R"({"a": "x)").Parse(&v, &error));
}

TEST(DocsExamples, MarkersAreFoundAndMistakesReported) {
  std::vector<std::string> problems;
  std::vector<Example> examples = ExtractExamples(
      "text\n<!-- example: {\"expect\": {\"A\": \"pass\"},\n \"files\": {}} -->\n\n```yaml\n"
      "version: 1\nrules: []\n```\n"
      "```yaml\nversion: 1\n```\n"
      "<!-- example: {\"expects\": {}} -->\n```yaml\nversion: 1\n```\n",
      "t.md", &problems);
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0].where, "t.md:2");
  EXPECT_EQ(examples[0].config, "version: 1\nrules: []\n");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("t.md:9: a ```yaml block with a whole config has no example marker"),
            std::string::npos)
      << problems[0];
  EXPECT_NE(problems[1].find("unknown marker key 'expects'"), std::string::npos) << problems[1];
}

TEST(DocsExamples, RulesReferenceExamplesPass) {
  std::vector<Example> examples = LoadExamples("docs/rules.md");
  EXPECT_FALSE(examples.empty());
  for (const Example& ex : examples) RunExample(ex);
}

TEST(DocsExamples, ReadmeExamplesPass) {
  std::vector<Example> examples = LoadExamples("README.md");
  EXPECT_GE(examples.size(), 1u) << "README.md's sotinc.yaml snippet must be a marked example";
  for (const Example& ex : examples) RunExample(ex);
}

TEST(DocsExamples, TranscriptsAreParsedAndMatchedWithWildcards) {
  std::vector<std::string> problems;
  std::vector<Transcript> t = ExtractTranscripts(
      "```yaml\nversion: 1\n```\n<!-- transcript: {\"use_config\": true} -->\n```console\n"
      "$ echo a\na\n$ true\n```\n<!-- transcript: {\"fils\": {}} -->\n```sh\n```\n",
      "t.md", &problems);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].config, "version: 1\n");
  ASSERT_EQ(t[0].steps.size(), 2u);
  EXPECT_EQ(t[0].steps[0], std::make_pair(std::string("echo a"), std::string("a\n")));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("unknown transcript key 'fils'"), std::string::npos);
  EXPECT_NE(problems[1].find("not followed by a ```console block"), std::string::npos);
  EXPECT_EQ(NormalizeTimes("in 0.2 ms, 12ms and 1.5 s; 5MiB 60s"), "in T, T and T; 5MiB T");
  EXPECT_TRUE(LinesMatch({"a", "...", "d"}, 0, {"a", "b", "c", "d"}, 0));
  EXPECT_TRUE(LinesMatch({"a", "...", "d"}, 0, {"a", "d"}, 0));
  EXPECT_FALSE(LinesMatch({"a", "...", "d"}, 0, {"a", "b"}, 0));
}

// The guides: their configs are examples and their shell sessions are
// transcripts, all executed.
class GuideTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GuideTest, ExamplesAndTranscriptsPass) {
  std::vector<Example> examples = LoadExamples(GetParam());
  for (const Example& ex : examples) RunExample(ex);
  std::vector<Transcript> transcripts = LoadTranscripts(GetParam());
  EXPECT_GE(examples.size() + transcripts.size(), 1u) << GetParam() << " executes nothing";
  for (const Transcript& tr : transcripts) RunTranscript(tr);
}

INSTANTIATE_TEST_SUITE_P(Docs, GuideTest,
                         ::testing::Values("docs/getting-started.md", "docs/caching.md",
                                           "docs/troubleshooting.md", "docs/porting.md"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           name = name.substr(5, name.size() - 8);  // docs/X.md
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// A page outside the lists above must not hold examples or transcripts
// that nobody runs: a new guide has to be added to GuideTest.
TEST(DocsExamples, EveryPageWithExamplesIsExecuted) {
  const std::set<std::string> executed = {
      "README.md",       "docs/rules.md",           "docs/getting-started.md",
      "docs/caching.md", "docs/troubleshooting.md", "docs/porting.md"};
  std::vector<std::string> pages = {"README.md"};
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SOTINC_SOURCE_DIR) + "/docs")) {
    if (entry.path().extension() == ".md") {
      pages.push_back("docs/" + entry.path().filename().string());
    }
  }
  for (const std::string& page : pages) {
    std::vector<std::string> problems;
    std::string text = ReadSource(page);
    size_t found = ExtractExamples(text, page, &problems).size() +
                   ExtractTranscripts(text, page, &problems).size();
    for (const std::string& p : problems) ADD_FAILURE() << p;
    if (!executed.count(page)) {
      EXPECT_EQ(found, 0u) << page << " has examples or transcripts that no test runs";
    }
  }
}

TEST(DocsExamples, EveryCheckKindHasAnExecutedExample) {
  std::vector<std::string> kinds = KnownKinds();
  ASSERT_GE(kinds.size(), 9u);
  for (const char* k : {"dir_count", "required_files", "path_name", "forbid_regex",
                        "require_regex", "yaml", "unique", "max_size", "command"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), k), kinds.end()) << k;
  }
  std::vector<Example> examples = LoadExamples("docs/rules.md");
  EXPECT_GE(examples.size(), kinds.size());
  std::set<std::string> used;
  for (const Example& ex : examples) {
    re2::StringPiece input(ex.config);
    std::string kind;
    while (RE2::FindAndConsume(&input, R"(\bkind:\s*["']?([A-Za-z_]+))", &kind)) {
      used.insert(kind);
    }
  }
  for (const std::string& k : kinds) {
    EXPECT_TRUE(used.count(k)) << "no example in docs/rules.md uses the check kind '" << k << "'";
  }
}

}  // namespace
}  // namespace sotinc

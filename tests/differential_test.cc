// Differential test of the incremental engine (issue 3), black-box on the
// sotinc binary.
//
// A small repository is generated (3 roots x 4 shards, ~150 files, with a
// sotinc.yaml using every check kind), committed twice, and then edited by a
// seeded random walk of SOTINC_DIFF_STEPS steps (default 300). Each step is one
// edit: add, modify (rewrite, same-size tweak, append), delete, rename, move
// between shards, add or remove a shard, change .gitignore (root, nested,
// .git/info/exclude), edit the config (a field, add/remove a rule, move rules
// to an included file, reorder, retitle), stage (git add / rm --cached /
// reset), commit, or a "racy" edit (same-size rewrites within milliseconds of
// `git add` or of a cached run). After every step:
//
//  (a) `check` (cached, incremental, run FIRST so that it sees the cache the
//      previous steps left) has exactly the results of `check --no-cache`.
//  (b) `check --since HEAD~1` reports, for every rule it includes, the fresh
//      result; `unaffected` + reported == rules of the fresh run; and every
//      rule it leaves out has the same result in a fresh check of a checkout
//      of HEAD~1 as now (see CheckOmitted for why that is sound).
//  (c) every 10th step, which is always a stage step: `check --staged`
//      against a fresh run on a checkout of the index (see Checkout), the
//      same three properties as (b) with HEAD as the base; and the working
//      tree, the bytes of .git/index and `git stash list` are identical
//      before and after the --staged run.
//  (d) on the same steps: `check --rev HEAD` == `--rev HEAD --no-cache` ==
//      a fresh `check` on a checkout of HEAD.
// Every run must exit 0 or 1; 2 or 3 is a failure that shows stderr.
//
// Differential.RandomEditWalk runs the walk with every part the binary
// offers; parts b-d are left out when `sotinc check --help` does not offer
// their option, which Differential.{Since,Staged,Rev}ModeIsTested then report
// as SKIPPED with the reason (never as a pass). A part stops comparing after
// its first mismatch (later ones tend to be the same bug); the walk goes on
// for the other parts. A failure names
// the seed and the step, lists the edits, copies the repository to
// $TMPDIR/sotinc-diff-SEED-stepK-PART/ (with both reports and ops.log) and
// prints the command that replays it:
//   SOTINC_DIFF_SEED=S SOTINC_DIFF_STEPS=K build/sotinc_tests --gtest_filter='Differential*'
// SOTINC_DIFF_BINARY=PATH tests another sotinc binary than the one built here;
// SOTINC_DIFF_MAX_MISMATCHES=N lets each part report N mismatching steps.
// Everything that decides the edits comes from the seed and the model of the
// working tree kept here (never from sotinc's output, never from the clock),
// so a seed replays the same walk.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::TempRepo;

constexpr uint64_t kDefaultSeed = 20241122;
constexpr int kDefaultSteps = 300;
constexpr int kPeriod = 10;  // (c) and (d) run every kPeriod steps, after staging

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Truncate(const std::string& s, size_t n = 1500) {
  return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Basename(const std::string& p) { return p.substr(p.rfind('/') + 1); }
std::string Dirname(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

// ---------------------------------------------------------------------------
// Random numbers. splitmix64 and plain modulo rather than <random>'s
// distributions, whose output differs between standard libraries: a seed must
// replay the same walk everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
  bool Chance(unsigned percent) { return Below(100) < percent; }
  template <class T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// A minimal JSON reader: enough to take sotinc's report apart so that the
// comparison does not depend on its whitespace or line layout.
struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = kNull;
  std::string scalar;  // literal text of a bool or number; decoded string
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in document order

  const Json* Find(const std::string& key) const {
    for (const auto& m : members) {
      if (m.first == key) return &m.second;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}

  bool Read(Json* out, std::string* error) {
    bool ok = Value(out, 0);
    Space();
    if (ok && pos_ != s_.size()) ok = Fail("trailing characters");
    if (!ok) *error = error_ + " at byte " + std::to_string(pos_);
    return ok;
  }

 private:
  bool Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  void Space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool Literal(const char* word) {
    size_t n = std::string(word).size();
    if (s_.compare(pos_, n, word) != 0) return Fail(std::string("expected ") + word);
    pos_ += n;
    return true;
  }
  static void Utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool Hex4(uint32_t* v) {
    if (pos_ + 4 > s_.size()) return Fail("short \\u escape");
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= c - '0';
      else if (c >= 'a' && c <= 'f') *v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *v |= c - 'A' + 10;
      else return Fail("bad \\u escape");
    }
    return true;
  }
  bool String(std::string* out) {
    if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a string");
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
            pos_ += 2;
            uint32_t lo;
            if (!Hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          Utf8(cp, out);
          break;
        }
        default: return Fail("bad escape");
      }
    }
    if (pos_ >= s_.size()) return Fail("unterminated string");
    ++pos_;
    return true;
  }
  bool Value(Json* v, int depth) {
    if (depth > 64) return Fail("nested too deeply");
    Space();
    if (pos_ >= s_.size()) return Fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') {
      v->kind = Json::kObject;
      ++pos_;
      Space();
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
      while (true) {
        Space();
        std::string key;
        if (!String(&key)) return false;
        Space();
        if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':'");
        ++pos_;
        v->members.emplace_back(key, Json());
        if (!Value(&v->members.back().second, depth + 1)) return false;
        Space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
        return Fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v->kind = Json::kArray;
      ++pos_;
      Space();
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
      while (true) {
        v->items.emplace_back();
        if (!Value(&v->items.back(), depth + 1)) return false;
        Space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
        return Fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v->kind = Json::kString;
      return String(&v->scalar);
    }
    if (c == 't' || c == 'f') {
      v->kind = Json::kBool;
      v->scalar = c == 't' ? "true" : "false";
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      v->kind = Json::kNull;
      return Literal("null");
    }
    size_t start = pos_;
    while (pos_ < s_.size() && std::string("+-0123456789.eE").find(s_[pos_]) != std::string::npos) ++pos_;
    if (pos_ == start) return Fail("unexpected character");
    v->kind = Json::kNumber;
    v->scalar = s_.substr(start, pos_ - start);
    return true;
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
};

void QuoteJson(const std::string& s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      *out += buf;
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

// Compact, canonical text of V, leaving out the members named in DROP at the
// top level of V (not inside nested values).
void Canonical(const Json& v, std::string* out, const std::set<std::string>& drop = {}) {
  switch (v.kind) {
    case Json::kNull: *out += "null"; break;
    case Json::kBool:
    case Json::kNumber: *out += v.scalar; break;
    case Json::kString: QuoteJson(v.scalar, out); break;
    case Json::kArray:
      *out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) *out += ',';
        Canonical(v.items[i], out);
      }
      *out += ']';
      break;
    case Json::kObject: {
      *out += '{';
      bool first = true;
      for (const auto& m : v.members) {
        if (drop.count(m.first)) continue;
        if (!first) *out += ',';
        first = false;
        QuoteJson(m.first, out);
        *out += ':';
        Canonical(m.second, out);
      }
      *out += '}';
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// One run of `sotinc check --format json`, taken apart.
struct Report {
  std::string label;    // e.g. "check --since HEAD~1"
  RunResult run;
  std::string problem;  // non-empty: exit status not 0/1, or an unusable report
  std::vector<std::string> ids;                // results, in report order
  std::map<std::string, std::string> results;  // id -> normalised result
  std::map<std::string, std::string> summary;  // summary member -> literal

  long Count(const std::string& key) const {
    auto it = summary.find(key);
    return it == summary.end() ? -1 : std::atol(it->second.c_str());
  }
};

// Normalisation of one result: "duration_ms" is a measurement, different on
// every run; "cached" says how the result was obtained (from the store or by
// running), which is exactly what differs between the runs we compare and
// never what the result is. Everything else (id, status, severity, reason,
// every finding with its path, line, column and message, and their order)
// must be identical: the contract is that a cached result is
// indistinguishable from a fresh one.
const std::set<std::string> kVolatileResultMembers = {"duration_ms", "cached"};

Report ParseReport(const std::string& label, const RunResult& run) {
  Report r;
  r.label = label;
  r.run = run;
  if (run.exit_code != 0 && run.exit_code != 1) {
    r.problem = label + " exited " + std::to_string(run.exit_code) + " (0 or 1 expected); stderr:\n" +
                Truncate(run.err, 4000) + "\nstdout:\n" + Truncate(run.out, 1000);
    return r;
  }
  Json doc;
  std::string error;
  if (!JsonReader(run.out).Read(&doc, &error)) {
    r.problem = label + ": the JSON report does not parse (" + error + "):\n" + Truncate(run.out, 2000);
    return r;
  }
  const Json* summary = doc.Find("summary");
  const Json* results = doc.Find("results");
  if (doc.kind != Json::kObject || !summary || summary->kind != Json::kObject || !results ||
      results->kind != Json::kArray) {
    r.problem = label + ": the report lacks 'summary' or 'results':\n" + Truncate(run.out, 2000);
    return r;
  }
  for (const auto& m : summary->members) r.summary[m.first] = m.second.scalar;
  for (const Json& result : results->items) {
    const Json* id = result.Find("id");
    if (result.kind != Json::kObject || !id || id->kind != Json::kString) {
      r.problem = label + ": a result without an id:\n" + Truncate(run.out, 2000);
      return r;
    }
    std::string text;
    Canonical(result, &text, kVolatileResultMembers);
    if (!r.results.emplace(id->scalar, text).second) {
      r.problem = label + ": rule " + id->scalar + " is reported twice";
      return r;
    }
    r.ids.push_back(id->scalar);
  }
  return r;
}

// Compares the results of GOT with those of WANT, a fresh run on the same
// snapshot. With PARTIAL (--since, --staged), GOT may leave rules out, but
// every rule it reports must be one WANT evaluated, in the same order, with
// the same normalised result. Without PARTIAL the rule lists, the results and
// the outcome counts (rules/passed/failed/errors/skipped: functions of the
// results) and the exit status (a function of the results and severities)
// must be equal. The summary's `ran`, `cached` and `duration_ms` are left
// out: they describe the work done, which is what differs.
std::string CompareResults(const Report& got, const Report& want, bool partial) {
  std::ostringstream o;
  if (!partial) {
    if (got.ids != want.ids) {
      o << "the rule lists differ:\n  " << got.label << ": [" << Join(got.ids) << "]\n  "
        << want.label << ": [" << Join(want.ids) << "]\n";
    }
    for (const char* key : {"rules", "passed", "failed", "errors", "skipped"}) {
      if (got.Count(key) != want.Count(key)) {
        o << "summary." << key << ": " << got.Count(key) << " in " << got.label << ", "
          << want.Count(key) << " in " << want.label << "\n";
      }
    }
    if (got.run.exit_code != want.run.exit_code) {
      o << "exit status " << got.run.exit_code << " in " << got.label << ", "
        << want.run.exit_code << " in " << want.label << "\n";
    }
  } else {
    // GOT's ids must be a subsequence of WANT's (results are in id order).
    size_t j = 0;
    for (const std::string& id : got.ids) {
      while (j < want.ids.size() && want.ids[j] != id) ++j;
      if (j == want.ids.size()) {
        o << got.label << " reports [" << Join(got.ids) << "], not a subsequence of the rules of "
          << want.label << " [" << Join(want.ids) << "]\n";
        break;
      }
      ++j;
    }
  }
  int shown = 0;
  for (const std::string& id : got.ids) {
    auto it = want.results.find(id);
    if (it == want.results.end()) {
      if (partial) o << "rule " << id << " is reported by " << got.label << " but not evaluated by " << want.label << "\n";
      continue;
    }
    const std::string& mine = got.results.at(id);
    if (mine != it->second && shown++ < 6) {
      o << "rule " << id << " differs:\n  " << got.label << ":\n    " << Truncate(mine) << "\n  "
        << want.label << ":\n    " << Truncate(it->second) << "\n";
    }
  }
  if (shown > 6) o << "(" << shown - 6 << " more rules differ)\n";
  return o.str();
}

// The accounting of a partial run: every rule WANT evaluated is either
// reported or counted in `unaffected` (a rule skipped for a prerequisite is
// reported, as `skipped`).
std::string CheckAccounting(const Report& got, const Report& want) {
  long unaffected = got.Count("unaffected");
  if (unaffected < 0) return got.label + ": summary has no 'unaffected'\n";
  if (unaffected + static_cast<long>(got.ids.size()) == static_cast<long>(want.ids.size())) return "";
  return got.label + ": unaffected (" + std::to_string(unaffected) + ") + reported (" +
         std::to_string(got.ids.size()) + ") != rules evaluated by " + want.label + " (" +
         std::to_string(want.ids.size()) + ")\n";
}

// A partial run (--since REF, --staged) must not leave out a rule whose
// result changed. "Unaffected" means (issue 3) that the rule's key over the
// base snapshot (the merge-base tree; HEAD for --staged) equals its key now,
// and that key covers the rule's definition, its input paths, their content
// and the results of its prerequisites. Checks are deterministic functions of
// exactly that, so an unaffected rule has, at the base, the very result it has
// now. BASE is a fresh run on the base snapshot (with the base's own config);
// so each rule GOT leaves out must appear in BASE with the result it has in
// WANT. (A rule that is new, or whose definition changed, differs in key and
// must be reported: the check catches a "diff-decided" engine that misses a
// deleted or moved input, or a config change.)
std::string CheckOmitted(const Report& got, const Report& want, const Report& base) {
  std::ostringstream o;
  std::set<std::string> reported(got.ids.begin(), got.ids.end());
  int shown = 0;
  for (const std::string& id : want.ids) {
    if (reported.count(id)) continue;
    auto it = base.results.find(id);
    if (it == base.results.end()) {
      if (shown++ < 6) o << "rule " << id << " is left out by " << got.label << " as unaffected, but "
                         << base.label << " (the base) does not evaluate it\n";
    } else if (it->second != want.results.at(id)) {
      if (shown++ < 6) {
        o << "rule " << id << " is left out by " << got.label
          << " as unaffected, but its result changed since the base:\n  " << base.label << ":\n    "
          << Truncate(it->second) << "\n  " << want.label << ":\n    "
          << Truncate(want.results.at(id)) << "\n";
      }
    }
  }
  return o.str();
}

// ---------------------------------------------------------------------------
// The generated repository: content of each kind of file, with violations
// injected at low rates so that rules flip between pass and fail.

std::string Num(Rng& r, size_t below) { return std::to_string(r.Below(below)); }

std::string Digits(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + r.Below(10));
  return s;
}

enum class Kind { kChart, kReadme, kDoc, kContract, kData, kPython, kRego, kText, kSpecial };

Kind KindOf(const std::string& path) {
  std::string base = Basename(path);
  if (path == "sotinc.yaml" || path.rfind("rules/", 0) == 0 || base == ".gitignore") return Kind::kSpecial;
  if (base == "chart.yaml") return Kind::kChart;
  if (base == "README.md") return Kind::kReadme;
  if (EndsWith(base, ".md")) return Kind::kDoc;
  if (EndsWith(base, ".json")) return path.find("/contracts/") != std::string::npos ? Kind::kContract : Kind::kData;
  if (EndsWith(base, ".py")) return Kind::kPython;
  if (EndsWith(base, ".rego")) return Kind::kRego;
  return Kind::kText;
}

std::string ChartContent(Rng& r, const std::string& root, const std::string& shard) {
  if (r.Chance(3)) return "apiVersion: v2\nname: [unclosed\n";  // parse error
  std::string shard_id = r.Chance(6) ? "99_wrong" : shard;
  std::string root_id = r.Chance(4) ? "00_none" : root;
  std::string version = r.Chance(5) ? "v1" : "1." + Num(r, 10) + "." + Num(r, 10);
  std::string name = r.Chance(5) ? "dup-name" : root + "-" + shard;
  std::string s = std::string("apiVersion: ") + (r.Chance(4) ? "v3" : "v2") + "\nname: " + name +
                  "\nversion: '" + version + "'\nmetadata:\n  shard_id: '" + shard_id +
                  "'\n  root_id: '" + root_id + "'\n";
  if (!r.Chance(4)) s += "  owner: team-" + Num(r, 5) + "\n";
  if (r.Chance(4)) s += "deprecated: true\n";
  if (r.Chance(4)) s += "# TODO: review\n";
  return s;
}

std::string PythonContent(Rng& r) {
  size_t lines = 3 + r.Below(24);
  if (r.Chance(6)) lines = 45 + r.Below(25);  // over the size limits
  std::string s = "import os\n\n";
  for (size_t i = 0; i < lines; ++i) {
    s += "value_" + std::to_string(i) + " = os.getenv('KEY_" + Num(r, 1000) + "')\n";
  }
  if (r.Chance(7)) s += "ssn = '" + Digits(r, 3) + "-" + Digits(r, 2) + "-" + Digits(r, 4) + "'\n";
  if (r.Chance(7)) s += "breakpoint()\n";
  if (r.Chance(5)) s += "import pdb; pdb.set_trace()\n";
  if (r.Chance(8)) s += "print(value_0)\n";
  return s;
}

std::string ContractContent(Rng& r) {
  if (r.Chance(4)) return "{\"id\": \"c-1\", \"fields\": [\n";  // parse error
  std::string id = r.Chance(5) ? Num(r, 100) : "\"c-" + Num(r, 1000) + "\"";
  std::string s = "{\n  \"id\": " + id + ",\n  \"fields\": [";
  size_t n = 1 + r.Below(3);
  for (size_t i = 0; i < n; ++i) {
    s += i ? ", " : "";
    s += r.Chance(5) ? "{\"type\": \"int\"}" : "{\"name\": \"f" + std::to_string(i) + "\"}";
  }
  s += "]";
  if (r.Chance(8)) s += ",\n  \"note\": \"TODO fill in\"";
  return s + "\n}\n";
}

std::string RegoContent(Rng& r) {
  std::string s;
  if (!r.Chance(8)) s += "# owner: team-" + Num(r, 5) + "\n";
  if (!r.Chance(6)) s += "package p" + Num(r, 100) + "\n";
  s += "\ndefault allow = false\n";
  if (r.Chance(10)) s += "allow { input.user == \"admin\" }\nallow { input.x }\nallow { input.y }\n"
                         "allow { input.z }\nallow { input.w }\nallow { input.v }\nallow { input.u }\n";
  return s;
}

std::string DocContent(Rng& r, bool readme) {
  std::string s = r.Chance(8) ? "Untitled " + Num(r, 100) + "\n" : "# Title " + Num(r, 100) + "\n";
  size_t lines = readme ? 1 + r.Below(3) : 1 + r.Below(9);
  for (size_t i = 0; i < lines; ++i) s += "\nSome text " + Num(r, 1000) + ".\n";
  if (r.Chance(5)) s += "TODO: write more\n";
  return s;
}

std::string Content(Rng& r, const std::string& path) {
  std::vector<std::string> parts = Split(path, '/');
  switch (KindOf(path)) {
    case Kind::kChart:
      return ChartContent(r, parts[0], parts.size() > 2 ? parts[2] : "none");
    case Kind::kReadme: return DocContent(r, true);
    case Kind::kDoc: return DocContent(r, false);
    case Kind::kContract: return ContractContent(r);
    case Kind::kData: return r.Chance(8) ? "{\"rows\": \"many\"}\n" : "{\"rows\": " + Num(r, 500) + "}\n";
    case Kind::kPython: return PythonContent(r);
    case Kind::kRego: return RegoContent(r);
    default: return "scratch " + Num(r, 1000) + "\n";
  }
}

// ---------------------------------------------------------------------------
// The config, as a handful of knobs that config edits turn. Every
// combination is a valid config.
struct ConfigModel {
  int shards_count = 4;
  int size_variant = 0;   // SZ.py limits
  bool debug_wide = false;
  bool title_loose = false;
  bool owner_each = false;
  bool ssn_warning = false;
  bool chart_root_equals = true;
  bool print_enabled = false;  // XX.print, whose dependent XX.after is skipped while it is disabled
  bool ignore_data = false;
  bool small_max_file = false;  // settings.max_file_bytes
  bool dead_allow_empty = false;
  bool extras_in_include = false;
  std::set<int> extras = {0, 2};
  int title_salt = 0;
  uint64_t order_seed = 0;  // 0: rules in their natural order
};

constexpr int kExtraRules = 6;

std::string Title(const ConfigModel& c, const std::string& text) {
  return "    title: '" + text + (c.title_salt ? " (v" + std::to_string(c.title_salt) + ")" : "") + "'\n";
}

std::vector<std::string> CoreRules(const ConfigModel& c) {
  static const int kBytes[] = {1500, 800, 4000};
  static const int kLines[] = {40, 25, 100};
  std::vector<std::string> r;
  r.push_back("  - id: ST.roots\n" + Title(c, "Three root folders") +
              "    tags: [structure]\n"
              "    check:\n      kind: dir_count\n      parents: '.'\n"
              "      name: '^[0-9]{2}_[a-z]+$'\n      entries: dirs\n      count: 3\n");
  r.push_back("  - id: ST.shards.same\n" + Title(c, "Same shards in every root") +
              "    depends_on: [ST.roots]\n"
              "    check:\n      kind: dir_count\n      parents: '*/shards'\n"
              "      name: '^[0-9]{2}_[a-z0-9]+$'\n      entries: dirs\n      min: 1\n"
              "      same_names: true\n");
  r.push_back("  - id: ST.shards.count\n" + Title(c, "Shard count") +
              "    severity: warning\n    depends_on: [ST.roots]\n"
              "    check: {kind: dir_count, parents: '*/shards', entries: dirs, count: " +
              std::to_string(c.shards_count) + "}\n");
  r.push_back("  - id: ST.contracts.count\n" + Title(c, "One to three contracts") +
              "    check:\n      kind: dir_count\n      parents: '*/shards/*/contracts'\n"
              "      entries: files\n      name: '\\.json$'\n      min: 1\n      max: 3\n");
  r.push_back("  - id: ST.layout\n" + Title(c, "Shard layout") +
              "    check:\n      kind: required_files\n      dirs: '*/shards/*'\n"
              "      files: [chart.yaml, README.md, 'docs/*.md']\n");
  r.push_back("  - id: NM.py\n" + Title(c, "snake_case modules") +
              "    check: {kind: path_name, files: '**/*.py', pattern: '^[a-z_][a-z0-9_]*\\.py$'}\n");
  r.push_back("  - id: NM.shardpath\n" + Title(c, "Nothing loose under shards/") +
              "    check:\n      kind: path_name\n      files: '*/shards/**'\n      'on': path\n"
              "      pattern: '^[0-9]{2}_[a-z]+/shards/[0-9]{2}_[a-z0-9]+/[A-Za-z.]'\n");
  r.push_back("  - id: YM.chart\n" + Title(c, "Chart identity") +
              "    depends_on: [ST.layout]\n"
              "    check:\n      kind: yaml\n      files: '<root>/shards/<shard>/chart.yaml'\n"
              "      require: [name, version, metadata.owner]\n"
              "      equals:\n        metadata.shard_id: '<shard>'\n" +
              std::string(c.chart_root_equals ? "        metadata.root_id: '<root>'\n" : "") +
              "      match:\n        version: '^[0-9]+\\.[0-9]+\\.[0-9]+$'\n"
              "      type:\n        metadata: map\n");
  r.push_back("  - id: YM.contract\n" + Title(c, "Contract schema") +
              "    depends_on: [NM.shardpath]\n"
              "    check:\n      kind: yaml\n      files: '**/contracts/*.json'\n"
              "      require: [id, 'fields[*].name']\n      type:\n        id: string\n");
  r.push_back("  - id: UQ.chart.name\n" + Title(c, "Unique chart names") +
              "    depends_on: [YM.chart]\n"
              "    check: {kind: unique, files: '*/shards/*/chart.yaml', key: name}\n");
  r.push_back("  - id: RX.ssn\n" + Title(c, "No SSNs") + "    severity: " +
              (c.ssn_warning ? "warning" : "error") +
              "\n    depends_on: [NM.py]\n"
              "    check:\n      kind: forbid_regex\n      files: '**/*.py'\n"
              "      pattern: '\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b'\n      message: looks like an SSN\n");
  r.push_back("  - id: RX.debug\n" + Title(c, "No debugger calls") +
              "    check:\n      kind: forbid_regex\n      files: ['**/*.py', '!**/tests/**']\n"
              "      pattern: '" +
              (c.debug_wide ? "(breakpoint|pdb\\.set_trace)\\(\\)" : "breakpoint\\(\\)") + "'\n");
  r.push_back("  - id: RX.readme.title\n" + Title(c, "READMEs have a title") +
              "    check: {kind: require_regex, files: '**/README.md', pattern: '" +
              (c.title_loose ? "(?m)^#+ " : "^# ") + "'}\n");
  r.push_back("  - id: RX.rego.owner\n" + Title(c, "Policies have an owner") +
              "    check:\n      kind: require_regex\n      files: '*/shards/*/tools/policies/*.rego'\n"
              "      pattern: '(?m)^# owner: '\n      scope: " +
              (c.owner_each ? "each_file" : "any_file") + "\n");
  r.push_back("  - id: SZ.py\n" + Title(c, "Small modules") +
              "    check: {kind: max_size, files: '**/*.py', bytes: " +
              std::to_string(kBytes[c.size_variant]) + ", lines: " +
              std::to_string(kLines[c.size_variant]) + "}\n");
  // The command rules use shell builtins only: a process costs tens of
  // milliseconds on a busy machine, and the fresh runs of every step pay for
  // each one. Their globs are kept narrow for the same reason.
  // Per-file command, string form: one finding per TODO line.
  r.push_back("  - id: CMD.todo\n" + Title(c, "No TODO in alpha charts") +
              "    check:\n      kind: command\n      files: '01_alpha/shards/*/chart.yaml'\n"
              "      per_file: true\n"
              "      run: 'n=0; while IFS= read -r l || [ -n \"$l\" ]; do n=$((n+1)); "
              "case \"$l\" in *TODO*) echo \"$1:$n: TODO left\";; esac; done < \"$1\"'\n");
  // Whole-set command: one finding per policy whose first line is not an owner line.
  r.push_back("  - id: CMD.owner\n" + Title(c, "Owner line first") +
              "    depends_on: [ST.roots]\n"
              "    check:\n      kind: command\n      files: '**/*.rego'\n"
              "      run: 'for f in \"$@\"; do l=; IFS= read -r l < \"$f\"; case \"$l\" in "
              "\"# owner:\"*) ;; *) echo \"$f:1: first line is not an owner line\";; esac; done; exit 0'\n");
  r.push_back("  - id: XX.print\n" + Title(c, "No print calls") +
              "    enabled: " + (c.print_enabled ? "true" : "false") +
              "\n    check: {kind: forbid_regex, files: '**/*.py', pattern: 'print\\('}\n");
  r.push_back("  - id: XX.after\n" + Title(c, "Short policies") +
              "    depends_on: [XX.print]\n"
              "    check: {kind: max_size, files: '**/*.rego', lines: 8}\n");
  return r;
}

std::string ExtraRule(const ConfigModel& c, int i) {
  switch (i) {
    case 0:
      return "  - id: EX.md.size\n" + Title(c, "Short docs") +
             "    severity: info\n"
             "    check: {kind: max_size, files: ['**/*.md', '!**/README.md'], lines: 12}\n";
    case 1:
      return "  - id: EX.json.data\n" + Title(c, "Data rows are numbers") +
             "    check: {kind: yaml, files: '**/tools/data/*.json', type: {rows: number}}\n";
    case 2:
      return "  - id: EX.chart.todo\n" + Title(c, "No TODO in charts") +
             "    depends_on: [UQ.chart.name]\n"
             "    check: {kind: forbid_regex, files: '**/chart.yaml', pattern: 'TODO'}\n";
    case 3:
      // Per-file command, argv form, plain output: a failure is the exit status.
      return "  - id: EX.pkg\n" + Title(c, "Policies declare a package") +
             "    check:\n      kind: command\n      files: '02_beta/shards/*/tools/policies/*.rego'\n"
             "      per_file: true\n      format: plain\n"
             "      run: [sh, -c, 'while IFS= read -r l; do case \"$l\" in \"package \"*) exit 0;; esac; "
             "done < \"$1\"; echo \"no package in $1\"; exit 1', EX.pkg]\n";
    case 4:
      return "  - id: EX.dead\n" + Title(c, "A glob that matches nothing") +
             "    allow_empty: " + (c.dead_allow_empty ? "true" : "false") +
             "\n    check: {kind: path_name, files: 'nothing/**/*.x', pattern: '.'}\n";
    default:
      return "  - id: EX.chart.enum\n" + Title(c, "Chart api versions") +
             "    check:\n      kind: yaml\n      files: '*/shards/*/chart.yaml'\n"
             "      enum: {apiVersion: [v1, v2]}\n      forbid: [deprecated]\n";
  }
}

// Renders sotinc.yaml and rules/extra.yaml. The include is always present and
// rules/extra.yaml always exists (holding the extra rules or none), so that
// staging only one of the two files can never produce an invalid config.
void RenderConfig(const ConfigModel& c, std::string* main, std::string* include) {
  std::vector<std::string> core = CoreRules(c);
  std::vector<std::string> extra;
  for (int i : c.extras) extra.push_back(ExtraRule(c, i));
  if (!c.extras_in_include) {
    core.insert(core.end(), extra.begin(), extra.end());
    extra.clear();
  }
  // Position in the file is not part of a rule's identity: a reorder must
  // change no result.
  if (c.order_seed != 0) {
    Rng shuffle(c.order_seed);
    for (size_t i = core.size(); i > 1; --i) std::swap(core[i - 1], core[shuffle.Below(i)]);
  }
  *main = "version: 1\ninclude: ['rules/*.yaml']\nignore: ['vendor/**'" +
          std::string(c.ignore_data ? ", '**/tools/data/**'" : "") +
          "]\nsettings:\n  timeout: '60s'\n  max_file_bytes: '" +
          (c.small_max_file ? "1KiB" : "8MiB") + "'\nrules:\n" + Join(core, "\n");
  *include = extra.empty() ? "rules: []\n" : "rules:\n" + Join(extra, "\n");
}

// Lines the walk toggles in the root .gitignore, in the order they are written.
const std::vector<std::string> kIgnoreLines = {
    "*.tmp", "gen_*.py", "!gen_keep.py", "**/docs/draft*.md", "**/tools/data/", "tmp_*.py",
    "02_beta/shards/*/tools/policies/"};
const std::vector<std::string> kNestedIgnores = {"*.py\n", "python/*/util_*.py\n", "data/\n",
                                                 "policies/p_*.rego\n"};

// ---------------------------------------------------------------------------
// The outcome of the walk, per part.
struct Part {
  explicit Part(const char* n) : name(n) {}
  const char* name;
  bool available = true;
  std::string why_unavailable;
  int mismatches = 0;  // steps where this part found a mismatch
  int max_mismatches = 1;
  bool failed = false;  // stopped comparing: max_mismatches reached
  int comparisons = 0;
  std::string failure;
};

struct Outcome {
  uint64_t seed = kDefaultSeed;
  int steps = kDefaultSteps;
  int steps_done = 0;
  double seconds = 0;
  std::string setup_error;
  Part a{"a"}, b{"b"}, c{"c"}, d{"d"};
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The binary under test: SOTINC_BINARY, or $SOTINC_DIFF_BINARY (a copy, say,
// so that a rebuild in the same tree cannot swap it out in the middle).
std::string Binary() {
  std::string b = Env("SOTINC_DIFF_BINARY");
  return b.empty() ? SOTINC_BINARY : b;
}

std::string TempBase() {
  std::string t = Env("TMPDIR");
  return t.empty() ? "/tmp" : t;
}

class Walk {
 public:
  explicit Walk(Outcome* out) : rng_(out->seed), out_(out) {}

  void Run();

 private:
  enum Op { kAdd, kModify, kDelete, kRename, kMove, kAddShard, kRemoveShard, kIgnore,
            kConfig, kStage, kCommit, kRacy };

  // --- the working tree model -------------------------------------------
  void Put(const std::string& path, const std::string& content) {
    repo_.WriteFile(path, content);
    files_[path] = content;
  }
  void Drop(const std::string& path) {
    repo_.RemoveFile(path);
    files_.erase(path);
  }
  std::vector<std::string> Paths(bool (*keep)(const std::string&)) const {
    std::vector<std::string> v;
    for (const auto& f : files_) {
      if (keep(f.first)) v.push_back(f.first);
    }
    return v;
  }
  static bool Editable(const std::string& p) { return KindOf(p) != Kind::kSpecial; }
  static bool Odd(const std::string& p) {
    std::string b = Basename(p);
    for (const char* prefix : {"stray_", "Camel", "Bad-", "renamed_", "moved_"}) {
      if (b.rfind(prefix, 0) == 0) return Editable(p);
    }
    return b == "Chart.yaml" || b == "chart.yml" || b == "readme.md";
  }
  static bool InShard(const std::string& p) {
    std::vector<std::string> parts = Split(p, '/');
    return parts.size() >= 4 && parts[1] == "shards" && Editable(p);
  }
  static std::string ShardOf(const std::string& p) {
    std::vector<std::string> parts = Split(p, '/');
    return parts[0] + "/shards/" + parts[2];
  }
  std::vector<std::string> ShardDirs() const {
    std::set<std::string> dirs;
    for (const auto& f : files_) {
      if (InShard(f.first)) dirs.insert(ShardOf(f.first));
    }
    return {dirs.begin(), dirs.end()};
  }
  std::string Fresh(const std::string& stem) { return stem + std::to_string(++counter_); }

  void CreateShard(const std::string& dir) {
    for (const char* rel : {"chart.yaml", "README.md", "docs/overview.md", "contracts/c_1.json",
                            "contracts/c_2.json", "tools/python/core/mod_1.py",
                            "tools/python/core/mod_2.py", "tools/policies/p_1.rego",
                            "tools/data/d_1.json"}) {
      std::string p = dir + "/" + rel;
      Put(p, Content(rng_, p));
    }
  }
  void WriteConfig() {
    std::string main, include;
    RenderConfig(config_, &main, &include);
    Put("sotinc.yaml", main);
    Put("rules/extra.yaml", include);
  }
  void WriteRootIgnore() {
    std::string s = "# generated\n";
    for (const std::string& line : kIgnoreLines) {
      if (ignore_on_.count(line)) s += line + "\n";
    }
    Put(".gitignore", s);
  }
  std::string NewFileName(Kind kind) {
    switch (kind) {
      case Kind::kPython: {
        static const std::vector<std::string> stems = {"mod_", "mod_", "util_", "gen_", "tmp_", "Camel"};
        if (rng_.Chance(5)) return "gen_keep.py";
        return Fresh(rng_.Pick(stems)) + ".py";
      }
      case Kind::kDoc: return Fresh(rng_.Chance(30) ? "draft_" : "notes_") + ".md";
      case Kind::kContract: return Fresh(rng_.Chance(8) ? "Bad-" : "c_") + ".json";
      case Kind::kData: return Fresh("d_") + ".json";
      case Kind::kRego: return Fresh("p_") + ".rego";
      case Kind::kChart: return rng_.Chance(50) ? "chart.yml" : "Chart.yaml";
      case Kind::kReadme: return "readme.md";
      default: return Fresh("x_") + ".tmp";
    }
  }

  // --- the edits ---------------------------------------------------------
  Op ChooseOp() {
    static const std::vector<std::pair<Op, int>> weights = {
        {kAdd, 16}, {kModify, 20}, {kDelete, 7}, {kRename, 7}, {kMove, 7}, {kAddShard, 3},
        {kRemoveShard, 2}, {kIgnore, 7}, {kConfig, 9}, {kStage, 10}, {kCommit, 7}, {kRacy, 5}};
    size_t x = rng_.Below(100);
    for (const auto& w : weights) {
      if (x < static_cast<size_t>(w.second)) return w.first;
      x -= w.second;
    }
    return kModify;
  }
  std::string Apply(Op op);
  std::string AddFile();
  std::string ModifyFile(const std::string& path, int mode);
  bool TweakSameSize(const std::string& path);
  std::string Rename();
  std::string Move();
  std::string AddShard();
  std::string RemoveShard();
  std::string EditIgnore();
  std::string EditConfig();
  std::string Stage();
  std::string CommitSome();
  std::string Racy();
  bool Tracked(const std::string& path) {
    return repo_.Run("git ls-files --error-unmatch -- " + Quote(path) + " >/dev/null 2>&1").exit_code == 0;
  }
  std::vector<std::string> ChangedPaths(bool unstaged);

  // --- the checks --------------------------------------------------------
  Report Check(const std::string& dir, const std::string& args) {
    RunResult r = repo_.Run(Quote(Binary()) + " -C " + Quote(dir) + " check --format json " + args);
    return ParseReport("check " + args + (dir == repo_.path() ? "" : " (in " + Basename(dir) + ")"), r);
  }
  std::string Checkout(const std::string& what, const std::string& name);
  const Report& FreshAtCommit(const std::string& rev);
  void Verify(int step);
  void Record(Part* part, int step, const std::string& what, const std::vector<const Report*>& reports);
  void Compared(Part* part) { ++part->comparisons; }
  struct Tree {
    std::map<std::string, std::string> entries;
    std::string index, stash;
  };
  Tree SnapshotTree();

  TempRepo repo_;
  Rng rng_;
  Outcome* out_;
  std::map<std::string, std::string> files_;
  ConfigModel config_;
  std::set<std::string> ignore_on_ = {"*.tmp", "gen_*.py", "!gen_keep.py"};
  bool exclude_on_ = false;
  int counter_ = 0;
  int shard_counter_ = 10;
  std::vector<std::string> log_;
  std::map<std::string, Report> fresh_by_tree_;
};

std::string Walk::AddFile() {
  std::vector<std::string> dirs = ShardDirs();
  if (dirs.empty()) {
    std::string p = "docs/" + Fresh("page_") + ".md";
    Put(p, Content(rng_, p));
    return "add " + p;
  }
  // Repairs keep the layout rule (and the rules behind it) from failing for
  // good: put back a required file that an earlier step removed.
  std::vector<std::string> missing;
  for (const std::string& d : dirs) {
    for (const char* rel : {"/chart.yaml", "/README.md", "/docs/overview.md"}) {
      if (!files_.count(d + rel)) missing.push_back(d + rel);
    }
  }
  if (!missing.empty() && rng_.Chance(40)) {
    std::string p = rng_.Pick(missing);
    Put(p, Content(rng_, p));
    return "add (repair) " + p;
  }
  const std::string& d = rng_.Pick(dirs);
  std::string p;
  switch (rng_.Below(10)) {
    case 0: case 1: case 2: {
      std::vector<std::string> pkgs;
      for (const auto& f : files_) {
        if (f.first.rfind(d + "/tools/python/", 0) == 0) pkgs.push_back(Dirname(f.first));
      }
      std::string pkg = pkgs.empty() || rng_.Chance(20) ? d + "/tools/python/" + Fresh("pkg") : rng_.Pick(pkgs);
      p = pkg + "/" + NewFileName(Kind::kPython);
      break;
    }
    case 3: p = d + "/docs/" + NewFileName(Kind::kDoc); break;
    case 4: p = d + "/contracts/" + NewFileName(Kind::kContract); break;
    case 5: p = d + "/tools/data/" + NewFileName(Kind::kData); break;
    case 6: p = d + "/tools/policies/" + NewFileName(Kind::kRego); break;
    case 7: p = d + "/tests/" + Fresh("test_") + ".py"; break;
    case 8:
      p = rng_.Chance(50) ? d + "/" + NewFileName(Kind::kText)
                          : Split(d, '/')[0] + "/shards/" + Fresh("stray_") + ".txt";
      break;
    default: p = "vendor/" + NewFileName(Kind::kPython); break;
  }
  Put(p, Content(rng_, p));
  return "add " + p;
}

// Replaces one digit by another (or flips the case of one letter): the size
// stays the same, so only the content (and maybe not even the mtime, within
// the file system's timestamp granularity) tells the change apart.
bool Walk::TweakSameSize(const std::string& path) {
  std::string s = files_[path];
  std::vector<size_t> digits, letters;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') digits.push_back(i);
    if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) letters.push_back(i);
  }
  if (!digits.empty()) {
    size_t i = rng_.Pick(digits);
    s[i] = static_cast<char>('0' + (s[i] - '0' + 1 + rng_.Below(9)) % 10);
  } else if (!letters.empty()) {
    size_t i = rng_.Pick(letters);
    s[i] = static_cast<char>(s[i] ^ 0x20);
  } else {
    return false;
  }
  Put(path, s);
  return true;
}

std::string Walk::ModifyFile(const std::string& path, int mode) {
  Kind kind = KindOf(path);
  if (mode == 1 && TweakSameSize(path)) return "modify (same size) " + path;
  if (mode == 2 && kind != Kind::kContract && kind != Kind::kData) {
    std::string line;
    switch (kind) {
      case Kind::kPython:
        line = rng_.Chance(15) ? "breakpoint()\n" : "extra_" + Num(rng_, 100) + " = " + Num(rng_, 100) + "\n";
        break;
      case Kind::kChart: line = rng_.Chance(20) ? "# TODO later\n" : "extra: " + Num(rng_, 100) + "\n"; break;
      case Kind::kRego: line = "allow { input.k" + Num(rng_, 100) + " }\n"; break;
      default: line = rng_.Chance(10) ? "TODO\n" : "More text " + Num(rng_, 100) + ".\n"; break;
    }
    Put(path, files_[path] + line);
    return "modify (append) " + path;
  }
  Put(path, Content(rng_, path));
  return "modify (rewrite) " + path;
}

std::string Walk::Rename() {
  std::vector<std::string> paths = Paths(Editable);
  if (paths.empty()) return AddFile();
  std::string from = rng_.Pick(paths);
  Kind kind = KindOf(from);
  std::string to = Dirname(from);
  to = (to.empty() ? "" : to + "/") + NewFileName(kind == Kind::kText ? Kind::kPython : kind);
  if (kind == Kind::kChart && !files_.count(to) && rng_.Chance(30)) to = Dirname(from) + "/chart.yaml";
  if (files_.count(to) || to == from) to = Dirname(from) + "/" + Fresh("renamed_") + "_" + Basename(from);
  if (rng_.Chance(40) && Tracked(from)) {
    // git mv: the rename is staged, the index and the tree move together.
    repo_.Git("mv -- " + Quote(from) + " " + Quote(to));
    files_[to] = files_[from];
    files_.erase(from);
    return "git mv " + from + " " + to;
  }
  std::string content = files_[from];
  Drop(from);
  Put(to, content);
  return "rename " + from + " " + to;
}

std::string Walk::Move() {
  std::vector<std::string> paths = Paths(InShard);
  std::vector<std::string> dirs = ShardDirs();
  if (paths.empty() || dirs.size() < 2) return AddFile();
  std::string from = rng_.Pick(paths);
  std::string shard = ShardOf(from);
  std::string rest = from.substr(shard.size() + 1);
  std::string to;
  if (rng_.Chance(30)) {
    static const std::vector<std::string> subdirs = {"docs", "contracts", "tools/data", "tools/policies", "tests", "tools/python/core"};
    to = shard + "/" + rng_.Pick(subdirs) + "/" + Basename(from);
  } else {
    std::string target = rng_.Pick(dirs);
    if (target == shard) target = dirs[(std::find(dirs.begin(), dirs.end(), shard) - dirs.begin() + 1) % dirs.size()];
    to = target + "/" + rest;
  }
  if (files_.count(to)) to = Dirname(to) + "/" + Fresh("moved_") + "_" + Basename(from);
  std::string content = files_[from];
  Drop(from);
  Put(to, content);
  return "move " + from + " " + to;
}

std::string Walk::AddShard() {
  char name[32];
  std::snprintf(name, sizeof name, "%02d_n%d", shard_counter_ % 100, shard_counter_);
  ++shard_counter_;
  std::vector<std::string> roots = {"01_alpha", "02_beta", "03_gamma"};
  if (rng_.Chance(40)) roots = {rng_.Pick(roots)};
  for (const std::string& root : roots) CreateShard(root + "/shards/" + name);
  return "add shard " + std::string(name) + " to " + Join(roots);
}

std::string Walk::RemoveShard() {
  std::vector<std::string> dirs = ShardDirs();
  std::map<std::string, int> per_root;
  for (const std::string& d : dirs) per_root[Split(d, '/')[0]]++;
  std::vector<std::string> removable;
  for (const std::string& d : dirs) {
    if (per_root[Split(d, '/')[0]] > 2) removable.push_back(d);
  }
  if (removable.empty()) return AddShard();
  std::string dir = rng_.Pick(removable);
  repo_.RemoveFile(dir);
  for (auto it = files_.begin(); it != files_.end();) {
    it = it->first.rfind(dir + "/", 0) == 0 ? files_.erase(it) : std::next(it);
  }
  return "remove shard " + dir;
}

std::string Walk::EditIgnore() {
  size_t x = rng_.Below(10);
  std::vector<std::string> dirs = ShardDirs();
  if (x < 6 || dirs.empty()) {
    const std::string& line = rng_.Pick(kIgnoreLines);
    bool on = !ignore_on_.count(line);
    if (on) ignore_on_.insert(line); else ignore_on_.erase(line);
    WriteRootIgnore();
    std::string desc = std::string(on ? "ignore " : "unignore ") + line;
    if (rng_.Chance(50) && !dirs.empty()) {
      // Also make a file the line is about, so that the toggle matters.
      const std::string& d = rng_.Pick(dirs);
      std::string p;
      if (line == "*.tmp") p = d + "/" + Fresh("x_") + ".tmp";
      else if (line == "gen_*.py") p = d + "/tools/python/core/" + Fresh("gen_") + ".py";
      else if (line == "!gen_keep.py") p = d + "/tools/python/core/gen_keep.py";
      else if (line == "**/docs/draft*.md") p = d + "/docs/" + Fresh("draft_") + ".md";
      else if (line == "**/tools/data/") p = d + "/tools/data/" + Fresh("d_") + ".json";
      else if (line == "tmp_*.py") p = d + "/tools/python/core/" + Fresh("tmp_") + ".py";
      else p = "02_beta/shards/01_core/tools/policies/" + Fresh("p_") + ".rego";
      Put(p, Content(rng_, p));
      desc += ", add " + p;
    }
    return desc;
  }
  if (x < 9) {
    std::string p = rng_.Pick(dirs) + "/tools/.gitignore";
    if (files_.count(p) && rng_.Chance(60)) {
      Drop(p);
      return "remove " + p;
    }
    std::string content = rng_.Pick(kNestedIgnores);
    Put(p, content);
    return "write " + p + ": " + content.substr(0, content.size() - 1);
  }
  exclude_on_ = !exclude_on_;
  std::ofstream(repo_.path() + "/.git/info/exclude", std::ios::trunc)
      << (exclude_on_ ? "**/tools/policies/p_*.rego\n" : "");
  return exclude_on_ ? "exclude p_*.rego in .git/info/exclude" : "empty .git/info/exclude";
}

std::string Walk::EditConfig() {
  ConfigModel& c = config_;
  std::string desc;
  switch (rng_.Below(14)) {
    case 0: c.shards_count = 3 + static_cast<int>(rng_.Below(3)); desc = "ST.shards.count count " + std::to_string(c.shards_count); break;
    case 1: c.size_variant = static_cast<int>(rng_.Below(3)); desc = "SZ.py limits variant " + std::to_string(c.size_variant); break;
    case 2: c.debug_wide = !c.debug_wide; desc = "RX.debug pattern"; break;
    case 3: c.title_loose = !c.title_loose; desc = "RX.readme.title pattern"; break;
    case 4: c.owner_each = !c.owner_each; desc = "RX.rego.owner scope"; break;
    case 5: c.ssn_warning = !c.ssn_warning; desc = "RX.ssn severity"; break;
    case 6: c.chart_root_equals = !c.chart_root_equals; desc = "YM.chart equals root_id"; break;
    case 7: c.print_enabled = !c.print_enabled; desc = "XX.print enabled " + std::to_string(c.print_enabled); break;
    case 8: c.ignore_data = !c.ignore_data; desc = "ignore: tools/data " + std::to_string(c.ignore_data); break;
    case 9: c.small_max_file = !c.small_max_file; desc = "max_file_bytes small " + std::to_string(c.small_max_file); break;
    case 10: case 11: {
      int i = static_cast<int>(rng_.Below(kExtraRules));
      if (i == 4 && c.extras.count(4) && rng_.Chance(50)) {
        c.dead_allow_empty = !c.dead_allow_empty;
        desc = "EX.dead allow_empty";
      } else if (c.extras.count(i)) {
        c.extras.erase(i);
        desc = "remove extra rule " + std::to_string(i);
      } else {
        c.extras.insert(i);
        desc = "add extra rule " + std::to_string(i);
      }
      break;
    }
    case 12: c.extras_in_include = !c.extras_in_include; desc = "extra rules in include " + std::to_string(c.extras_in_include); break;
    default:
      if (rng_.Chance(50)) {
        c.title_salt++;
        desc = "retitle";
      } else {
        c.order_seed = rng_.Next() | 1;
        desc = "reorder rules";
      }
  }
  WriteConfig();
  return "config: " + desc;
}

// Paths `git status` reports as changed (tracked or untracked, not ignored);
// with UNSTAGED, only those with a change in the working tree (a path whose
// deletion is already staged is in neither the index nor the tree, and
// `git add` would reject it).
std::vector<std::string> Walk::ChangedPaths(bool unstaged) {
  RunResult r = repo_.Run("git status --porcelain=v1 -z -uall --no-renames");
  std::vector<std::string> paths;
  for (const std::string& entry : Split(r.out, '\0')) {
    if (entry.size() > 3 && !(unstaged && entry[1] == ' ')) paths.push_back(entry.substr(3));
  }
  return paths;
}

std::string Walk::Stage() {
  size_t x = rng_.Below(100);
  std::vector<std::string> changed = ChangedPaths(false);
  std::vector<std::string> unstaged = ChangedPaths(true);
  if (x < 45 && !unstaged.empty()) {
    std::set<std::string> chosen;
    for (const std::string& p : unstaged) {
      if (rng_.Chance(50)) chosen.insert(p);
    }
    if (chosen.empty()) chosen.insert(rng_.Pick(unstaged));
    // The two config files are staged together, so that the index always
    // holds a valid config (a rule moved between them exists exactly once).
    if (chosen.count("sotinc.yaml") || chosen.count("rules/extra.yaml")) {
      chosen.insert("sotinc.yaml");
      chosen.insert("rules/extra.yaml");
    }
    std::string args;
    for (const std::string& p : chosen) args += " " + Quote(p);
    // git refuses (exit 1, adding the others) a path in an ignored directory
    // even when it is tracked; that is what a user would get too.
    RunResult r = repo_.Run("git add -A --" + args);
    if (r.exit_code != 0 && r.exit_code != 1) ADD_FAILURE() << "git add -A --" << args << ":\n" << r.err;
    return "git add " + std::to_string(chosen.size()) + " paths:" + args;
  }
  if (x < 70) {
    repo_.Git("add -A");
    return "git add -A";
  }
  if (x < 85) {
    std::vector<std::string> tracked;
    for (const std::string& p : Split(repo_.Run("git ls-files -z").out, '\0')) {
      if (!p.empty() && KindOf(p) != Kind::kSpecial) tracked.push_back(p);
    }
    if (!tracked.empty()) {
      std::string p = rng_.Pick(tracked);
      repo_.Git("rm -q --cached -- " + Quote(p));
      return "git rm --cached " + p;
    }
  }
  if (changed.empty()) {
    repo_.Git("add -A");
    return "git add -A";
  }
  std::string p = rng_.Pick(changed);
  std::string args = " " + Quote(p);
  if (p == "sotinc.yaml" || p == "rules/extra.yaml") args = " sotinc.yaml rules/extra.yaml";
  repo_.Run("git reset -q --" + args);  // exit status varies by git version; the effect is what matters
  return "git reset --" + args;
}

std::string Walk::CommitSome() {
  std::string message = "step " + std::to_string(out_->steps_done + 1);
  if (rng_.Chance(50)) {
    repo_.Git("commit -q --allow-empty -m " + Quote(message));
    return "git commit (the index)";
  }
  repo_.Commit(message);
  return "git add -A && git commit";
}

// Edits that a stat-based change detector gets wrong unless it handles
// "racily clean" entries as git does: a same-size rewrite right after the
// index recorded the file (git add), or right after a cached run recorded its
// stat data.
std::string Walk::Racy() {
  std::vector<std::string> paths = Paths(Editable);
  if (paths.empty()) return AddFile();
  std::string p = rng_.Pick(paths);
  if (rng_.Chance(50)) {
    repo_.Git("add -- " + Quote(p));
    TweakSameSize(p);
    return "racy: git add then same-size rewrite of " + p;
  }
  TweakSameSize(p);
  Report mid = Check(repo_.path(), "");
  if (!mid.problem.empty() && !out_->a.failed) Record(&out_->a, out_->steps_done + 1, mid.problem, {&mid});
  TweakSameSize(p);
  return "racy: same-size rewrite, cached run, same-size rewrite of " + p;
}

std::string Walk::Apply(Op op) {
  switch (op) {
    case kAdd: return AddFile();
    case kModify: {
      std::vector<std::string> paths = Paths(Editable);
      if (paths.empty()) return AddFile();
      return ModifyFile(rng_.Pick(paths), static_cast<int>(rng_.Below(3)));
    }
    case kDelete: {
      std::vector<std::string> paths = Paths(Editable);
      if (paths.empty()) return AddFile();
      // Deleting a misnamed or stray file is likelier than its share, so that
      // the rules it breaks (and their dependents) also come back to pass.
      std::vector<std::string> odd = Paths(Odd);
      std::string p = !odd.empty() && rng_.Chance(35) ? rng_.Pick(odd) : rng_.Pick(paths);
      Drop(p);
      return "delete " + p;
    }
    case kRename: return Rename();
    case kMove: return Move();
    case kAddShard: return AddShard();
    case kRemoveShard: return RemoveShard();
    case kIgnore: return EditIgnore();
    case kConfig: return EditConfig();
    case kStage: return Stage();
    case kCommit: return CommitSome();
    case kRacy: return Racy();
  }
  return "?";
}

// Materialises a snapshot in a fresh git repository next to the test repo,
// where a plain `check --no-cache` gives the expected results independently
// of the --staged/--rev code paths:
//  - the index: `git checkout-index -a --prefix=DIR/` writes every index
//    entry's blob to DIR without touching the index, the working tree, refs
//    or the stash (no stash, no checkout: the same guarantee asked of
//    --staged, so the expectation itself cannot disturb what is compared);
//  - a commit: `git archive REV | tar -x`.
// In DIR, `git add -A -f` tracks every file: in the index and in a commit
// every file is a candidate (a tracked file is never ignored), so
// .gitignore must not drop any of them there either, and `ignore:` still
// applies in both. DIR is made with the same shell environment as the repo.
std::string Walk::Checkout(const std::string& what, const std::string& name) {
  std::string dir = Dirname(repo_.path()) + "/" + name;
  std::string fill = what == "index" ? "git checkout-index -a -f --prefix=" + Quote(dir + "/")
                                     : "git archive --format=tar " + what + " | tar -xf - -C " + Quote(dir);
  RunResult r = repo_.Run("rm -rf " + Quote(dir) + " && mkdir -p " + Quote(dir) + " && " + fill +
                          " && cd " + Quote(dir) + " && git init -q && git add -A -f");
  if (r.exit_code != 0) ADD_FAILURE() << "materialising " << what << " failed:\n" << r.err;
  return dir;
}

// A fresh check of the tree of commit REV, on a checkout of it. Memoised by
// tree id: the results for a tree are a function of the tree alone (its
// config, its files; every file tracked), so it is computed once per tree
// rather than once per step.
const Report& Walk::FreshAtCommit(const std::string& rev) {
  std::string tree = repo_.Git("rev-parse " + rev + "^{tree}");
  auto it = fresh_by_tree_.find(tree);
  if (it != fresh_by_tree_.end()) return it->second;
  Report r = Check(Checkout(rev, "commit-checkout"), "--no-cache");
  r.label = "check --no-cache on a checkout of " + rev;
  return fresh_by_tree_.emplace(tree, r).first->second;
}

// The working tree (every file and directory outside .git, with contents),
// the bytes of .git/index and the stash, for the before/after comparison of
// a --staged run.
Walk::Tree Walk::SnapshotTree() {
  Tree t;
  std::error_code ec;
  fs::path root(repo_.path());
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root).string();
    if (rel == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory()) {
      t.entries[rel + "/"] = "";
    } else {
      std::ifstream in(it->path(), std::ios::binary);
      std::ostringstream data;
      data << in.rdbuf();
      t.entries[rel] = data.str() + "\n[mode " +
                       std::to_string(static_cast<int>(fs::status(it->path(), ec).permissions())) + "]";
    }
  }
  std::ifstream index(repo_.path() + "/.git/index", std::ios::binary);
  std::ostringstream data;
  data << index.rdbuf();
  t.index = data.str();
  t.stash = repo_.Run("git stash list; git rev-parse -q --verify refs/stash").out;
  return t;
}

void Walk::Record(Part* part, int step, const std::string& what, const std::vector<const Report*>& reports) {
  if (part->failed) return;
  part->failed = ++part->mismatches >= part->max_mismatches;
  std::string dest = TempBase() + "/sotinc-diff-" + std::to_string(out_->seed) + "-step" +
                     std::to_string(step) + "-" + part->name;
  repo_.Run("rm -rf " + Quote(dest) + " && cp -a " + Quote(repo_.path()) + " " + Quote(dest));
  std::ofstream(dest + "/.git/ops.log") << Join(log_, "\n") << "\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    std::ofstream(dest + "/.git/report" + std::to_string(i) + ".json")
        << "# " << reports[i]->label << " exit " << reports[i]->run.exit_code << "\n"
        << reports[i]->run.out << "\n# stderr\n" << reports[i]->run.err;
  }
  std::ostringstream o;
  o << "seed " << out_->seed << ", step " << step << " (" << (log_.empty() ? "setup" : log_.back())
    << "):\n" << what << "\nlast edits:\n";
  size_t from = log_.size() > 12 ? log_.size() - 12 : 0;
  for (size_t i = from; i < log_.size(); ++i) o << "  step " << i << ": " << log_[i] << "\n";
  o << "state after the step copied to " << dest << " (edits in .git/ops.log, reports in .git/report*.json)\n"
    << "replay: SOTINC_DIFF_SEED=" << out_->seed << " SOTINC_DIFF_STEPS=" << step
    << " build/sotinc_tests --gtest_filter='Differential*'\n";
  part->failure += (part->failure.empty() ? "" : "\n") + o.str();
}

void Walk::Verify(int step) {
  Outcome& o = *out_;
  // (a) The cached run goes first: it must see the cache exactly as the
  // previous step's runs left it (a --no-cache run stores its results, so
  // running it first would hand the cached run a fresh cache). The two use
  // different worker counts, so every step also checks that results do not
  // depend on -j or on the order in which jobs end.
  Report cached = Check(repo_.path(), "-j 2");
  Report fresh = Check(repo_.path(), "--no-cache -j 1");
  if (!fresh.problem.empty()) {
    Record(&o.a, step, fresh.problem, {&fresh});
    return;  // no reference for anything else
  }
  if (!o.a.failed) {
    std::string diff = cached.problem.empty() ? CompareResults(cached, fresh, false) : cached.problem;
    if (cached.problem.empty() && cached.Count("unaffected") != 0) diff += "a plain check reports unaffected rules\n";
    Compared(&o.a);
    if (!diff.empty()) Record(&o.a, step, diff, {&cached, &fresh});
  }

  // (b) --since HEAD~1 (HEAD~1 exists from the setup on; history is linear,
  // so merge-base(HEAD~1, HEAD) is HEAD~1).
  if (o.b.available && !o.b.failed) {
    Report since = Check(repo_.path(), "--since HEAD~1");
    std::string diff = since.problem;
    std::vector<const Report*> shown = {&since, &fresh};
    if (diff.empty()) diff = CompareResults(since, fresh, true) + CheckAccounting(since, fresh);
    if (diff.empty()) {
      const Report& base = FreshAtCommit("HEAD~1");
      diff = base.problem.empty() ? CheckOmitted(since, fresh, base) : base.problem;
      shown.push_back(&base);
    }
    Compared(&o.b);
    if (!diff.empty()) Record(&o.b, step, diff, shown);
  }

  bool periodic = step % kPeriod == 0;  // such steps are stage steps (see Run)
  if (!periodic || ((!o.c.available || o.c.failed) && (!o.d.available || o.d.failed))) return;

  // A fresh run on a checkout of HEAD: the reference for --rev HEAD and the
  // base of --staged.
  const Report& head = FreshAtCommit("HEAD");
  if (!head.problem.empty()) {
    Record(o.d.available ? &o.d : &o.c, step, head.problem, {&head});
    return;
  }

  // (d) --rev HEAD, cached first for the same reason as in (a).
  if (o.d.available && !o.d.failed) {
    Report rev = Check(repo_.path(), "--rev HEAD");
    Report rev_fresh = Check(repo_.path(), "--rev HEAD --no-cache");
    std::string diff = rev.problem.empty() ? "" : rev.problem;
    if (diff.empty()) diff = rev_fresh.problem;
    if (diff.empty()) diff = CompareResults(rev, rev_fresh, false);
    if (diff.empty()) diff = CompareResults(rev_fresh, head, false);
    Compared(&o.d);
    if (!diff.empty()) Record(&o.d, step, diff, {&rev, &rev_fresh, &head});
  }

  // (c) --staged against a checkout of the index.
  if (o.c.available && !o.c.failed) {
    std::string index_dir = Checkout("index", "index-checkout");
    Report want = Check(index_dir, "--no-cache");
    std::string diff = want.problem;
    Report staged;
    if (diff.empty()) {
      Tree before = SnapshotTree();
      staged = Check(repo_.path(), "--staged");
      Tree after = SnapshotTree();
      if (before.index != after.index) diff += "--staged changed the bytes of .git/index\n";
      if (before.stash != after.stash) diff += "--staged changed the stash: [" + before.stash + "] -> [" + after.stash + "]\n";
      if (before.entries != after.entries) {
        diff += "--staged changed the working tree:";
        for (const auto& e : before.entries) {
          auto it = after.entries.find(e.first);
          if (it == after.entries.end()) diff += " removed " + e.first;
          else if (it->second != e.second) diff += " changed " + e.first;
        }
        for (const auto& e : after.entries) {
          if (!before.entries.count(e.first)) diff += " added " + e.first;
        }
        diff += "\n";
      }
      if (!staged.problem.empty()) {
        diff += staged.problem;
      } else {
        diff += CompareResults(staged, want, true) + CheckAccounting(staged, want) +
                CheckOmitted(staged, want, head);
      }
    }
    Compared(&o.c);
    if (!diff.empty()) Record(&o.c, step, diff, {&staged, &want, &head});
  }
}

void Walk::Run() {
  Outcome& o = *out_;
  auto start = std::chrono::steady_clock::now();

  // Which modes the binary offers. Parts whose option is missing are skipped
  // (reported by their own test), never passed.
  RunResult help = repo_.Run(Quote(Binary()) + " check --help");
  auto need = [&](Part* part, const std::vector<std::string>& options) {
    for (const std::string& opt : options) {
      if (help.out.find(opt) == std::string::npos) {
        part->available = false;
        part->why_unavailable = "`sotinc check --help` does not offer " + opt + " yet";
        return;
      }
    }
  };
  need(&o.b, {"--since"});
  need(&o.c, {"--staged"});
  need(&o.d, {"--rev"});
  if (!o.b.available || !o.c.available || !o.d.available) {
    std::cout << "[differential] the binary lacks some modes; running part (a) plus:"
              << (o.b.available ? " (b)" : "") << (o.c.available ? " (c)" : "")
              << (o.d.available ? " (d)" : "") << "\n";
  }

  // The starting repository.
  for (const char* root : {"01_alpha", "02_beta", "03_gamma"}) {
    Put(std::string(root) + "/README.md", "# " + std::string(root) + "\n");
    for (const char* shard : {"01_core", "02_edge", "03_data", "04_auth"}) {
      CreateShard(std::string(root) + "/shards/" + shard);
    }
  }
  Put("README.md", "# Generated\n");
  Put("docs/index.md", "# Docs\n");
  Put("vendor/BadName.py", "ssn = '123-45-6789'\nbreakpoint()\n");
  Put("vendor/README.md", "no title\n");
  Put(".gitignore", "");
  WriteRootIgnore();
  WriteConfig();
  repo_.Commit("generated");
  Put("README.md", "# Generated repository\n");
  repo_.Commit("second");  // so that HEAD~1 exists from the first step on

  Report first = Check(repo_.path(), "--no-cache");
  if (!first.problem.empty()) {
    o.setup_error = "the generated repository does not check cleanly: " + first.problem;
    return;
  }
  std::cout << "[differential] seed " << o.seed << ", " << o.steps << " steps, " << files_.size()
            << " files, " << first.ids.size() << " rules to start with\n";
  log_.push_back("setup");
  Verify(0);

  for (int step = 1; step <= o.steps; ++step) {
    // Every kPeriod-th step stages something, and (c) and (d) run after it.
    Op op = step % kPeriod == 0 ? kStage : ChooseOp();
    log_.push_back("(being applied)");
    log_.back() = Apply(op);
    o.steps_done = step;
    Verify(step);
    bool all_done = o.a.failed && (!o.b.available || o.b.failed) && (!o.c.available || o.c.failed) &&
                    (!o.d.available || o.d.failed);
    if (all_done || ::testing::Test::HasFatalFailure()) break;
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[differential] " << o.steps_done << " steps in " << o.seconds << " s; comparisons: a="
            << o.a.comparisons << " b=" << o.b.comparisons << " c=" << o.c.comparisons
            << " d=" << o.d.comparisons << "\n";
}

Outcome RunWalk() {
  Outcome o;
  std::string seed = Env("SOTINC_DIFF_SEED"), steps = Env("SOTINC_DIFF_STEPS");
  if (!seed.empty()) o.seed = std::strtoull(seed.c_str(), nullptr, 10);
  if (!steps.empty()) o.steps = std::atoi(steps.c_str());
  // SOTINC_DIFF_MAX_MISMATCHES=N: a part reports up to N mismatching steps
  // before it stops comparing (default 1), for triage of several bugs.
  int max = std::atoi(Env("SOTINC_DIFF_MAX_MISMATCHES").c_str());
  for (Part* part : {&o.a, &o.b, &o.c, &o.d}) part->max_mismatches = max > 0 ? max : 1;
  Walk(&o).Run();
  return o;
}

void ExpectPart(const Outcome& o, const Part& part, const char* what) {
  if (!part.available) {
    std::cout << "[differential] " << what << ": NOT RUN, " << part.why_unavailable
              << " (see the skipped Differential.*ModeIsTested test)\n";
    return;
  }
  EXPECT_EQ(part.mismatches, 0) << what << " mismatch, " << part.failure;
  EXPECT_GT(part.comparisons, 0) << what << ": nothing was compared (seed " << o.seed << ")";
}

// The walk, all parts at once (one walk per process: ctest runs each test in
// a process of its own, so the parts are not separate walks).
TEST(Differential, RandomEditWalk) {
  Outcome o = RunWalk();
  ASSERT_TRUE(o.setup_error.empty()) << "seed " << o.seed << ": " << o.setup_error;
  ExpectPart(o, o.a, "(a) check vs check --no-cache");
  ExpectPart(o, o.b, "(b) check --since HEAD~1 vs check --no-cache");
  ExpectPart(o, o.c, "(c) check --staged vs a fresh check of a checkout of the index");
  ExpectPart(o, o.d, "(d) check --rev HEAD vs --rev HEAD --no-cache vs a checkout of HEAD");
}

// One test per optional mode, so that a mode the binary does not offer yet
// shows as SKIPPED with its reason rather than as a silent pass: the walk
// above then runs without that part. When the mode is offered, these pass
// and the walk covers it.
void SkipUnlessOffered(const std::string& option, const char* part) {
  TempRepo repo;
  RunResult help = repo.Run(Quote(Binary()) + " check --help");
  if (help.out.find(option) == std::string::npos) {
    GTEST_SKIP() << "part " << part << " of Differential.RandomEditWalk is not run: `sotinc check "
                 << "--help` does not offer " << option << " yet";
  }
}

TEST(Differential, SinceModeIsTested) { SkipUnlessOffered("--since", "(b)"); }
TEST(Differential, StagedModeIsTested) { SkipUnlessOffered("--staged", "(c)"); }
TEST(Differential, RevModeIsTested) { SkipUnlessOffered("--rev", "(d)"); }

}  // namespace
}  // namespace sotinc

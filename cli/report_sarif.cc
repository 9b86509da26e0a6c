// SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format),
// the format code-scanning dashboards import. docs/cli.md says what each
// part of a sotinc run becomes.
#include <map>
#include <tuple>

#include "cli/report.h"
#include "engine/keys.h"

namespace sotinc {
namespace {

// The uriBaseId every repository-relative uri is relative to; GitHub code
// scanning resolves it to the checkout.
const char* kSrcRoot = "%SRCROOT%";

// Pretty-printed JSON, written in document order. Keeps only the nesting
// state; the caller is trusted to alternate keys and values in objects.
class JsonWriter {
 public:
  std::string Take() { return out_ + "\n"; }

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(const std::string& key) {
    Separate();
    out_ += JsonString(key) + ": ";
    after_key_ = true;
  }
  void String(const std::string& value) { Raw(JsonString(value)); }
  void Int(int value) { Raw(std::to_string(value)); }
  void Bool(bool value) { Raw(value ? "true" : "false"); }

  // Shorthands for `"key": value`.
  void Field(const std::string& key, const std::string& value) { Key(key), String(value); }
  void Field(const std::string& key, const char* value) { Key(key), String(value); }
  void Field(const std::string& key, int value) { Key(key), Int(value); }
  void Field(const std::string& key, bool value) { Key(key), Bool(value); }
  // `"key": {"text": text}`, SARIF's message and multiformatMessageString.
  void Text(const std::string& key, const std::string& text) {
    Key(key);
    BeginObject();
    Field("text", text);
    EndObject();
  }

 private:
  void Raw(const std::string& text) {
    Separate();
    out_ += text;
  }
  void Open(char c) {
    Raw(std::string(1, c));
    counts_.push_back(0);
  }
  void Close(char c) {
    bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) Newline();
    out_ += c;
  }
  // Before a value or key: a comma and a new line inside a container,
  // nothing right after a key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_ += ",";
    Newline();
  }
  void Newline() { out_ += "\n" + std::string(2 * counts_.size(), ' '); }

  std::string out_;
  std::vector<int> counts_;  // items written so far at each open level
  bool after_key_ = false;
};

// A URI reference for a path: bytes outside RFC 3986's unreserved set
// (and '/') are percent-encoded, so spaces, '#', '%' and non-ASCII names
// stay one valid URI.
std::string UriOf(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

const char* LevelOf(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "error";
}

// SARIF wants a rule's `name` as one Pascal-case word: "Exactly 24 root
// folders" becomes "Exactly24RootFolders".
std::string PascalCase(const std::string& text) {
  std::string out;
  bool start = true;
  for (char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum) {
      start = true;
      continue;
    }
    out += start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    start = false;
  }
  return out;
}

// Ends `text` with a period, to join it with the next sentence.
std::string Sentence(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  if (!text.empty() && text.back() != '.' && text.back() != '?' && text.back() != '!') {
    text += '.';
  }
  return text;
}

void WriteArtifactLocation(JsonWriter* w, const std::string& file) {
  w->Key("artifactLocation");
  w->BeginObject();
  if (!file.empty() && file[0] == '/') {
    // A config outside the repository (--config /elsewhere/x.yaml).
    w->Field("uri", "file://" + UriOf(file));
  } else {
    w->Field("uri", UriOf(file));
    w->Field("uriBaseId", kSrcRoot);
  }
  w->EndObject();
}

void WriteRuleDescriptor(JsonWriter* w, const Rule& rule) {
  std::string title = rule.title.empty() ? rule.id + ": " + rule.kind + " check" : rule.title;
  std::string full = rule.description.empty() ? title : rule.description;
  std::string name = PascalCase(rule.title.empty() ? rule.kind : rule.title);
  w->BeginObject();
  w->Field("id", rule.id);
  if (!name.empty()) w->Field("name", name);
  w->Text("shortDescription", title);
  w->Text("fullDescription", full);
  std::string help = Sentence(full) + " Check kind: " + rule.kind + ".";
  if (!rule.loc.file.empty()) {
    help += " Defined in " + rule.loc.file;
    if (rule.loc.line > 0) help += " at line " + std::to_string(rule.loc.line);
    help += ".";
  }
  w->Text("help", help);
  w->Key("defaultConfiguration");
  w->BeginObject();
  w->Field("level", LevelOf(rule.severity));
  if (!rule.enabled) w->Field("enabled", false);
  w->EndObject();
  if (!rule.tags.empty()) {
    w->Key("properties");
    w->BeginObject();
    w->Key("tags");
    w->BeginArray();
    for (const std::string& t : rule.tags) w->String(t);
    w->EndArray();
    w->EndObject();
  }
  w->EndObject();
}

// Stable across runs: the rule, the path, the message and which
// occurrence of that triple this is; no line numbers, so an edit above a
// finding does not make it look new.
std::string Fingerprint(const std::string& rule_id, const Finding& f, uint64_t occurrence) {
  KeyBuilder key;
  key.Add("sotinc-finding-1").Add(rule_id).Add(f.path).Add(f.message).AddU64(occurrence);
  return ToHex(key.Finish());
}

void WriteResult(JsonWriter* w, const RuleResult& r, const Rule* rule, int rule_index,
                 const Finding& f, uint64_t occurrence) {
  w->BeginObject();
  w->Field("ruleId", r.id);
  if (rule_index >= 0) w->Field("ruleIndex", rule_index);
  w->Field("level", LevelOf(r.severity));
  // As in the text and JSON reports; SARIF needs some text.
  w->Text("message", f.message.empty() ? "(no message)" : f.message);
  FindingPlace place = PlaceOf(f, rule);
  if (!place.file.empty()) {
    w->Key("locations");
    w->BeginArray();
    w->BeginObject();
    w->Key("physicalLocation");
    w->BeginObject();
    WriteArtifactLocation(w, place.file);
    if (place.line > 0) {
      w->Key("region");
      w->BeginObject();
      w->Field("startLine", place.line);
      if (place.column > 0) w->Field("startColumn", place.column);
      w->EndObject();
    }
    w->EndObject();
    w->EndObject();
    w->EndArray();
  }
  w->Key("partialFingerprints");
  w->BeginObject();
  w->Field("sotinc/v1", Fingerprint(r.id, f, occurrence));
  w->EndObject();
  w->EndObject();
}

void WriteNotification(JsonWriter* w, const RuleResult& r, int rule_index) {
  bool error = r.status == RuleStatus::kError;
  w->BeginObject();
  w->Field("level", error ? "error" : "note");
  std::string what = error ? " could not run: " : " was skipped: ";
  w->Text("message", Sentence("Rule " + r.id + what + r.reason));
  w->Key("associatedRule");
  w->BeginObject();
  w->Field("id", r.id);
  if (rule_index >= 0) w->Field("index", rule_index);
  w->EndObject();
  w->EndObject();
}

}  // namespace

std::string FormatSarif(const RunReport& report, const RuleGraph& graph) {
  std::map<std::string, int> index;
  for (const Rule* rule : graph.rules()) {
    index.emplace(rule->id, static_cast<int>(index.size()));
  }
  auto index_of = [&](const std::string& id) {
    auto it = index.find(id);
    return it == index.end() ? -1 : it->second;
  };

  JsonWriter w;
  w.BeginObject();
  w.Field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.Field("version", "2.1.0");
  w.Key("runs");
  w.BeginArray();
  w.BeginObject();

  w.Key("tool");
  w.BeginObject();
  w.Key("driver");
  w.BeginObject();
  w.Field("name", "sotinc");
  w.Field("version", SOTINC_VERSION);
  w.Field("semanticVersion", SOTINC_VERSION);
  w.Key("rules");
  w.BeginArray();
  for (const Rule* rule : graph.rules()) WriteRuleDescriptor(&w, *rule);
  w.EndArray();
  w.EndObject();
  w.EndObject();

  w.Key("originalUriBaseIds");
  w.BeginObject();
  w.Key(kSrcRoot);
  w.BeginObject();
  w.Text("description", "The root of the checked repository.");
  w.EndObject();
  w.EndObject();

  bool all_ran = true;
  bool any_notification = false;
  for (const RuleResult& r : report.results) {
    if (r.status == RuleStatus::kError) all_ran = false;
    if (r.status == RuleStatus::kError || r.status == RuleStatus::kSkipped) {
      any_notification = true;
    }
  }
  w.Key("invocations");
  w.BeginArray();
  w.BeginObject();
  w.Field("executionSuccessful", all_ran);
  if (any_notification) {
    w.Key("toolExecutionNotifications");
    w.BeginArray();
    for (const RuleResult& r : report.results) {
      if (r.status == RuleStatus::kError || r.status == RuleStatus::kSkipped) {
        WriteNotification(&w, r, index_of(r.id));
      }
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();

  w.Key("results");
  w.BeginArray();
  for (const RuleResult& r : report.results) {
    const Rule* rule = graph.Find(r.id);
    std::map<std::tuple<std::string, std::string>, uint64_t> seen;
    for (const Finding& f : r.findings) {
      uint64_t occurrence = seen[{f.path, f.message}]++;
      WriteResult(&w, r, rule, index_of(r.id), f, occurrence);
    }
  }
  w.EndArray();

  w.EndObject();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace sotinc

#include "cli/starter_config.h"

#include <string_view>

namespace sotinc {
namespace {

// The default settings.max_file_bytes (8MiB): content rules report a bigger
// file rather than read it, so the starter leaves such files out of them.
constexpr uint64_t kMaxFileBytes = 8ull << 20;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A YAML single-quoted scalar: no escapes but '' for '.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// A flow list of quoted globs: ['**', '!big.bin'].
std::string GlobList(const std::vector<std::string>& globs) {
  if (globs.size() == 1) return Quote(globs[0]);
  std::string out = "[";
  for (size_t i = 0; i < globs.size(); ++i) {
    if (i > 0) out += ", ";
    out += Quote(globs[i]);
  }
  return out + "]";
}

// What the repository holds, as far as the starter rules care.
struct Survey {
  bool yaml = false;       // a .yaml/.yml file other than sotinc.yaml
  bool templates = false;  // one of them under a templates/ folder
  bool json = false;
  bool json_tsconfig = false;
  bool json_vscode = false;
  bool python = false;
  std::string readme;                // the root README's name, if any
  std::vector<std::string> too_big;  // over kMaxFileBytes, as exclusions
};

Survey Look(const std::vector<FileEntry>& files) {
  Survey s;
  for (const FileEntry& f : files) {
    const std::string& p = f.path;
    if (p == "sotinc.yaml" || f.type == FileType::kSubmodule) continue;
    std::string_view base = Basename(p);
    if (EndsWith(p, ".yaml") || EndsWith(p, ".yml")) {
      s.yaml = true;
      if (StartsWith(p, "templates/") || p.find("/templates/") != std::string::npos) {
        s.templates = true;
      }
    }
    if (EndsWith(p, ".json")) {
      s.json = true;
      if (StartsWith(base, "tsconfig")) s.json_tsconfig = true;
      if (StartsWith(p, ".vscode/")) s.json_vscode = true;
    }
    if (EndsWith(p, ".py")) s.python = true;
    if (base == p && StartsWith(base, "README") && (s.readme.empty() || base < s.readme)) {
      s.readme = std::string(base);
    }
    // A path with a line break cannot be written as a one-line glob; such a
    // file is simply left in (and reported as too big by the content rules).
    if (f.size > kMaxFileBytes && p.find('\n') == std::string::npos) {
      s.too_big.push_back("!" + GlobLiteral(p));
    }
  }
  return s;
}

class Writer {
 public:
  explicit Writer(const Survey& survey) : survey_(survey) {}

  // One rule: the comment lines above it, then the rule itself. `files` is
  // the rule's glob list; content rules get the too-big exclusions too.
  void Rule(const std::string& comment, const std::string& id, const std::string& title,
            const std::string& severity, const std::string& tags, const std::string& kind,
            std::vector<std::string> files, bool content, const std::string& fields) {
    if (content) files.insert(files.end(), survey_.too_big.begin(), survey_.too_big.end());
    out_.text += "\n" + comment;
    out_.text += "  - id: " + id + "\n";
    out_.text += "    title: " + title + "\n";
    if (!severity.empty()) out_.text += "    severity: " + severity + "\n";
    out_.text += "    tags: [" + tags + "]\n";
    out_.text += "    check:\n";
    out_.text += "      kind: " + kind + "\n";
    out_.text += "      files: " + GlobList(files) + "\n";
    out_.text += fields;
    out_.ids.push_back(id);
  }

  StarterConfig& out() { return out_; }

 private:
  const Survey& survey_;
  StarterConfig out_;
};

constexpr const char* kHeader =
    "# sotinc.yaml: the rules this repository is checked against.\n"
    "# `sotinc init` wrote it from the files that were here; edit it freely.\n"
    "#\n"
    "#   sotinc check              run every rule (unchanged results come from the cache)\n"
    "#   sotinc check --explain    ... and say why each rule ran\n"
    "#   sotinc list               the rules and how many files each one matches\n"
    "#   sotinc hook install       check what you stage before every commit\n"
    "#\n"
    "# The rule reference is docs/rules.md in sotinc's sources (`man sotinc` lists the\n"
    "# commands). A glob that matches nothing is a finding, so a typo never passes.\n"
    "version: 1\n"
    "\n"
    "# Paths that are never inputs of any rule, on top of .gitignore, e.g.:\n"
    "# ignore: [\"vendor/**\", \"third_party/**\"]\n"
    "\n"
    "settings:\n"
    "  jobs: auto            # worker processes (auto = the number of CPUs)\n"
    "  timeout: 60s          # the time limit of one rule (a rule may set its own)\n"
    "  max_file_bytes: 8MiB  # content rules report a bigger file instead of reading it\n"
    "\n"
    "rules:";

}  // namespace

std::string GlobLiteral(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (std::string_view("*?[]{}<>!\\,").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

StarterConfig MakeStarterConfig(const std::vector<FileEntry>& files) {
  Survey s = Look(files);
  Writer w(s);
  w.out().text = kHeader;
  std::string big_note;
  if (!s.too_big.empty()) {
    big_note =
        "  # Files over max_file_bytes are left out by name (`!path`): a content rule\n"
        "  # would report each of them instead of reading it.\n";
  }
  w.Rule(
      "  # A committed private key is compromised: remove the file, rotate the key, and\n"
      "  # purge it from the history. Binary files are skipped.\n" +
          big_note,
      "SEC001", "No private key is committed", "", "security", "forbid_regex", {"**"}, true,
      "      pattern: '-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----'\n"
      "      message: a private key is committed; remove it and rotate the key\n");
  w.Rule("  # Conflict markers left behind by a merge or a rebase.\n", "GIT001",
         "No unresolved merge conflict markers", "", "git", "forbid_regex", {"**"}, true,
         "      pattern: '^(<{7}|>{7})( |$)'\n"
         "      message: an unresolved merge conflict marker\n");
  w.Rule(
      "  # Big files bloat every clone; git LFS or an artifact store suits them better.\n"
      "  # A warning: it does not fail the run (sotinc check --fail-on warning makes it).\n",
      "SIZE001", "No file over 5 MiB", "warning", "hygiene", "max_size", {"**"}, false,
      "      bytes: 5MiB\n");
  if (s.yaml) {
    std::vector<std::string> globs = {"**/*.{yaml,yml}"};
    std::string note;
    if (s.templates) {
      globs.push_back("!**/templates/**");
      note = "  # templates/ folders (Helm charts) hold YAML with template syntax: left out.\n";
    }
    w.Rule(
        "  # Every YAML file parses (every document of a multi-document file). Add\n"
        "  # `require:`, `equals:` or `type:` to check values, see docs/rules.md#yaml.\n" +
            note,
        "YAML001", "YAML files parse", "", "syntax", "yaml", globs, true, "");
  }
  if (s.json) {
    std::vector<std::string> globs = {"**/*.json"};
    std::string note;
    if (s.json_tsconfig) globs.push_back("!**/tsconfig*.json");
    if (s.json_vscode) globs.push_back("!.vscode/**");
    if (s.json_tsconfig || s.json_vscode) {
      note = "  # tsconfig*.json and .vscode/ may hold comments, which JSON does not allow.\n";
    }
    w.Rule("  # Every JSON file parses (the yaml kind reads JSON too).\n" + note, "JSON001",
           "JSON files parse", "", "syntax", "yaml", globs, true, "");
  }
  if (s.python) {
    w.Rule("  # Debugger calls left in Python code stop whoever runs it.\n", "PY001",
           "No leftover breakpoint() or pdb in Python", "warning", "python", "forbid_regex",
           {"**/*.py"}, true,
           "      pattern: '^\\s*(breakpoint\\(\\)|import i?pdb\\b|from i?pdb import)'\n"
           "      message: a leftover debugger call\n");
  }
  if (!s.readme.empty()) {
    // required_files takes `dirs:`, not `files:`; written by hand.
    w.out().text +=
        "\n  # The README a newcomer reads first stays where it is.\n"
        "  - id: DOC001\n"
        "    title: The repository keeps its " +
        s.readme +
        "\n"
        "    tags: [docs]\n"
        "    check:\n"
        "      kind: required_files\n"
        "      dirs: '.'\n"
        "      files: [" +
        Quote(s.readme) + "]\n";
    w.out().ids.push_back("DOC001");
  }
  w.out().text +=
      "\n  # Next: rules for your own layout. For example, every service folder has a\n"
      "  # README and a chart whose name is the folder's (docs/rules.md has more):\n"
      "  #\n"
      "  # - id: SVC001\n"
      "  #   title: Every service has a README\n"
      "  #   check: {kind: required_files, dirs: 'services/*', files: [README.md]}\n"
      "  # - id: SVC002\n"
      "  #   title: A chart's name is its folder's\n"
      "  #   depends_on: [SVC001]\n"
      "  #   check:\n"
      "  #     kind: yaml\n"
      "  #     files: 'services/<svc>/chart.yaml'\n"
      "  #     equals: {name: '<svc>'}\n";
  return std::move(w.out());
}

}  // namespace sotinc

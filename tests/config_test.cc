// Tests of the config loader (rules/config.h, rules/fields.h).
//
// The catalog: every tests/bad_configs/NN-name.yaml is loaded as
// "sotinc.yaml" and the full error text must equal NN-name.expected. When
// the entry has a folder NN-name.d/, that folder is the rest of the
// repository (included rule files live there, e.g. NN-name.d/rules/a.yaml).
// To refresh the .expected files after an intended message change, run the
// tests with SOTINC_UPDATE_EXPECTED=1 and review the diff. (47-include-
// unreadable.d/rules/broken.yaml is a dangling symlink on purpose: listed,
// but unreadable.)
#include "rules/config.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "rules/fields.h"

#ifndef SOTINC_SOURCE_DIR
#error "compile with -DSOTINC_SOURCE_DIR=\"/path/to/the/source/tree\""
#endif

#include "tests/testing/mem_config_files.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;

std::string CatalogDir() { return std::string(SOTINC_SOURCE_DIR) + "/tests/bad_configs"; }

Result<std::string> ReadWholeFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::Error(std::strerror(errno));
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::Error("read error");
  return out;
}

// Config files of one catalog entry: "sotinc.yaml" is the entry's .yaml
// file; every other path is read from the entry's folder, whose files
// (dangling symlinks included, so that an unreadable include can be
// tested) are what List() returns.
class DirConfigFiles : public ConfigFiles {
 public:
  DirConfigFiles(std::string main_file, std::string dir)
      : main_file_(std::move(main_file)), dir_(std::move(dir)) {}

  Result<std::string> Read(const std::string& path) override {
    if (path == "sotinc.yaml") return ReadWholeFile(main_file_);
    return ReadWholeFile(dir_ + "/" + path);
  }

  Result<std::vector<std::string>> List() override {
    std::vector<std::string> paths{"sotinc.yaml"};
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return paths;
    for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec)) continue;
      paths.push_back(fs::relative(it->path(), dir_).generic_string());
    }
    if (ec) return Status::Error(ec.message());
    std::sort(paths.begin(), paths.end());
    return paths;
  }

 private:
  std::string main_file_;
  std::string dir_;
};

using testing::MemConfigFiles;

// Loads `text` as sotinc.yaml (plus `more` files); returns the error text
// ("" on success) and fills *config on success.
std::string Load(const std::string& text, Config* config = nullptr,
                 std::map<std::string, std::string> more = {}) {
  MemConfigFiles files;
  files.files = std::move(more);
  files.files["sotinc.yaml"] = text;
  ConfigError error;
  Result<Config> result = LoadConfig("sotinc.yaml", files, &error);
  if (!result.ok()) {
    EXPECT_EQ(result.error(), error.Text());
    return error.Text();
  }
  EXPECT_TRUE(error.lines.empty());
  if (config != nullptr) *config = std::move(*result);
  return "";
}

// A line-by-line diff of expected against actual, for failure messages.
std::string Diff(const std::string& expected, const std::string& actual) {
  auto split = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  };
  std::vector<std::string> a = split(expected), b = split(actual);
  // Longest common subsequence, then walk it.
  std::vector<std::vector<size_t>> lcs(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out = "--- expected\n+++ actual\n";
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + a[i++] + "\n";
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+ " + b[j++] + "\n";
    } else {
      out += "- " + a[i++] + "\n";
    }
  }
  return out;
}

// Phrases of yaml-cpp's own messages: none may reach the user.
const char* const kYamlCppPhrases[] = {
    "illegal",
    "end of map",
    "end of sequence",
    "bad conversion",
    "operator[]",
    "invalid node",
    "the referenced anchor",
    "unknown token",
    "unknown escape character:",
    "yaml-cpp",
    "bad file",
};

// ---------------------------------------------------------------------------
// The catalog of bad configs.

std::vector<std::string> CatalogEntries() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(CatalogDir(), ec)) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfigTest, ErrorTextMatchesExpected) {
  const std::string base = CatalogDir() + "/" + GetParam();
  DirConfigFiles files(base + ".yaml", base + ".d");
  ConfigError error;
  Result<Config> config = LoadConfig("sotinc.yaml", files, &error);
  ASSERT_FALSE(config.ok()) << GetParam() << ".yaml loaded without an error";
  const std::string actual = error.Text();
  EXPECT_EQ(config.error(), actual);

  // Shape: every line is "file:line:column: message", file a config file.
  static const RE2 kLine("(sotinc\\.yaml|rules/[^:]+\\.yaml):[1-9][0-9]*:[1-9][0-9]*: .+");
  for (const std::string& line : error.lines) {
    EXPECT_TRUE(RE2::FullMatch(line, kLine)) << "badly formed error line: " << line;
    for (const char* phrase : kYamlCppPhrases) {
      EXPECT_EQ(line.find(phrase), std::string::npos) << "yaml-cpp text leaked: " << line;
    }
  }

  const std::string expected_path = base + ".expected";
  if (const char* update = std::getenv("SOTINC_UPDATE_EXPECTED"); update && *update == '1') {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  Result<std::string> expected = ReadWholeFile(expected_path);
  ASSERT_TRUE(expected.ok()) << "missing " << expected_path << " (" << expected.error()
                             << "); the loader said:\n"
                             << actual;
  EXPECT_EQ(*expected, actual) << GetParam() << ".yaml: error text differs from " << GetParam()
                               << ".expected\n"
                               << Diff(*expected, actual);
}

std::string ParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Catalog, BadConfigTest, ::testing::ValuesIn(CatalogEntries()), ParamName);

TEST(BadConfigCatalogTest, HasEnoughEntriesEachWithExpectedText) {
  std::vector<std::string> entries = CatalogEntries();
  EXPECT_GE(entries.size(), 30u) << "no catalog found in " << CatalogDir();
  for (const std::string& e : entries) {
    EXPECT_TRUE(fs::exists(CatalogDir() + "/" + e + ".expected")) << e;
  }
}

// ---------------------------------------------------------------------------
// Valid configs.

const char kFullConfig[] = R"(version: 1
include: ["rules/*.yaml"]
ignore: ["vendor/**", "!vendor/keep/**"]
settings:
  jobs: 4
  timeout: 90s
  max_file_bytes: 512KiB
rules:
  - id: AR001
    title: Exactly 24 root folders
    description: The top level is fixed.
    severity: warning
    tags: [structure, layout]
    depends_on: [AR000]
    enabled: false
    timeout: 1500ms
    allow_empty: true
    check: {kind: dir_count, parents: ".", entries: dirs, count: 24}
  - id: AR000
    check:
      kind: required_files
      dirs: "."
      files: [README.md, "LICENSE*"]
  - id: PN1
    check: {kind: path_name, files: "**/*.py", pattern: "^[a-z_0-9]+\\.py$", on: name}
  - id: FR1
    severity: info
    tags: security
    check:
      kind: forbid_regex
      files: ["**/*.py", "!tests/**"]
      pattern: 'password\s*='
      ignore_case: true
      message: no passwords
  - id: RR1
    check: {kind: require_regex, files: "**/*.sh", pattern: "^#!", scope: any_file}
  - id: MS1
    check: {kind: max_size, files: "**", bytes: 1MiB, lines: 5000}
  - id: CMD1
    timeout: 2m
    check:
      kind: command
      run: [python3, -m, flake8]
      files: "**/*.py"
      pass_files: true
      per_file: true
      env: {PYTHONDONTWRITEBYTECODE: "1"}
      format: lines
)";

TEST(LoadConfigTest, FullConfigWithEveryField) {
  Config config;
  ASSERT_EQ(Load(kFullConfig, &config,
                 {{"rules/extra.yaml",
                   "rules:\n  - id: X1\n    check: {kind: path_name, "
                   "files: '*', pattern: x}\n"}}),
            "");
  EXPECT_EQ(config.version, 1);
  EXPECT_EQ(config.files, (std::vector<std::string>{"sotinc.yaml", "rules/extra.yaml"}));
  EXPECT_EQ(config.ignore, (std::vector<std::string>{"vendor/**", "!vendor/keep/**"}));
  EXPECT_TRUE(config.ignore_globs.Match("vendor/a.c"));
  EXPECT_FALSE(config.ignore_globs.Match("vendor/keep/a.c"));
  EXPECT_EQ(config.settings.jobs, 4);
  EXPECT_EQ(config.settings.timeout_ms, 90000);
  EXPECT_EQ(config.settings.max_file_bytes, 512u * 1024);

  std::vector<std::string> ids;
  for (const Rule& r : config.rules) ids.push_back(r.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"AR000", "AR001", "CMD1", "FR1", "MS1", "PN1", "RR1", "X1"}));
  for (const Rule& r : config.rules) {
    EXPECT_NE(r.check, nullptr) << r.id;
    EXPECT_FALSE(r.canonical.empty()) << r.id;
  }

  const Rule* ar = config.Find("AR001");
  ASSERT_NE(ar, nullptr);
  EXPECT_EQ(ar->title, "Exactly 24 root folders");
  EXPECT_EQ(ar->description, "The top level is fixed.");
  EXPECT_EQ(ar->severity, Severity::kWarning);
  EXPECT_EQ(ar->tags, (std::vector<std::string>{"structure", "layout"}));
  EXPECT_EQ(ar->depends_on, (std::vector<std::string>{"AR000"}));
  EXPECT_FALSE(ar->enabled);
  EXPECT_EQ(ar->timeout_ms, 1500);
  EXPECT_TRUE(ar->allow_empty);
  EXPECT_EQ(ar->kind, "dir_count");
  EXPECT_EQ(ar->loc.ToString(), "sotinc.yaml:9:5");

  const Rule* fr = config.Find("FR1");
  ASSERT_NE(fr, nullptr);
  EXPECT_EQ(fr->severity, Severity::kInfo);
  EXPECT_EQ(fr->tags, (std::vector<std::string>{"security"}));
  EXPECT_TRUE(fr->enabled);
  EXPECT_EQ(fr->timeout_ms, 0);  // the settings' default applies
  EXPECT_FALSE(fr->allow_empty);
  EXPECT_EQ(config.Find("CMD1")->timeout_ms, 120000);
  EXPECT_EQ(config.Find("X1")->loc.ToString(), "rules/extra.yaml:2:5");
  EXPECT_EQ(config.Find("nope"), nullptr);
}

TEST(LoadConfigTest, SettingsDefaultsAndUnits) {
  Config config;
  ASSERT_EQ(Load("version: 1\nrules: []\n", &config), "");
  EXPECT_EQ(config.settings.jobs, 0);
  EXPECT_EQ(config.settings.timeout_ms, 60000);
  EXPECT_EQ(config.settings.max_file_bytes, 8u << 20);
  EXPECT_TRUE(config.rules.empty());

  ASSERT_EQ(Load("version: 1\nsettings: {jobs: auto, timeout: 250ms, max_file_bytes: 2MiB}\n"
                 "rules: []\n",
                 &config),
            "");
  EXPECT_EQ(config.settings.jobs, 0);
  EXPECT_EQ(config.settings.timeout_ms, 250);
  EXPECT_EQ(config.settings.max_file_bytes, 2u << 20);

  ASSERT_EQ(Load("version: 1\nsettings: {jobs: 1, timeout: 2m, max_file_bytes: 1000}\n"
                 "rules:\n",
                 &config),
            "");
  EXPECT_EQ(config.settings.jobs, 1);
  EXPECT_EQ(config.settings.timeout_ms, 120000);
  EXPECT_EQ(config.settings.max_file_bytes, 1000u);

  ASSERT_EQ(Load("version: 1\nsettings: {timeout: 45}\nrules: []\n", &config), "");
  EXPECT_EQ(config.settings.timeout_ms, 45000);  // a bare number is seconds
}

TEST(LoadConfigTest, IncludesAreReadInSortedPathOrder) {
  const char rule[] = "rules:\n  - id: %s\n    check: {kind: path_name, files: '*', pattern: x}\n";
  auto file = [&](const char* id) {
    char buf[200];
    std::snprintf(buf, sizeof buf, rule, id);
    return std::string(buf);
  };
  MemConfigFiles files;
  files.files["sotinc.yaml"] = "version: 1\ninclude: [rules/z.yaml, 'rules/**/*.yaml']\n";
  // Added in an order unlike both the path order and the id order.
  files.files["rules/z.yaml"] = file("A3");
  files.files["rules/b/x.yaml"] = file("Z1");
  files.files["rules/a.yaml"] = file("M2");
  files.files["rules/readme.md"] = "not a rule file";
  ConfigError error;
  Result<Config> config = LoadConfig("sotinc.yaml", files, &error);
  ASSERT_TRUE(config.ok()) << error.Text();
  EXPECT_EQ(config->files, (std::vector<std::string>{"sotinc.yaml", "rules/a.yaml",
                                                     "rules/b/x.yaml", "rules/z.yaml"}));
  std::vector<std::string> ids;
  for (const Rule& r : config->rules) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"A3", "M2", "Z1"}));
}

TEST(LoadConfigTest, IncludeGlobMatchingTheMainConfigSkipsIt) {
  Config config;
  EXPECT_EQ(Load("version: 1\ninclude: '*.yaml'\n", &config,
                 {{"more.yaml",
                   "rules: [{id: A, check: {kind: path_name, files: '*', "
                   "pattern: x}}]\n"}}),
            "");
  EXPECT_EQ(config.files, (std::vector<std::string>{"sotinc.yaml", "more.yaml"}));
}

// The canonical definition of a rule with the given rule body lines.
std::string CanonicalOf(const std::string& rule) {
  Config config;
  std::string err = Load("version: 1\nrules:\n  - " + rule + "\n", &config);
  EXPECT_EQ(err, "");
  if (config.rules.size() != 1) return "<error>";
  return config.rules[0].canonical;
}

TEST(LoadConfigTest, CanonicalDefinition) {
  const std::string base = CanonicalOf(
      "{id: A, title: T, check: {kind: forbid_regex, files: ['*.py'], pattern: x, "
      "message: m}}");
  EXPECT_FALSE(base.empty());
  // Key order, flow or block style, title, description: no change.
  EXPECT_EQ(base, CanonicalOf("id: A\n    check:\n      message: m\n      pattern: x\n"
                              "      files:\n        - '*.py'\n      kind: forbid_regex"));
  EXPECT_EQ(base, CanonicalOf("{id: A, title: Other, description: D, check: {message: m, "
                              "pattern: x, kind: forbid_regex, files: ['*.py']}}"));
  // A field value, a field, allow_empty: a change.
  EXPECT_NE(base, CanonicalOf("{id: A, check: {kind: forbid_regex, files: ['*.py'], "
                              "pattern: y, message: m}}"));
  EXPECT_NE(base, CanonicalOf("{id: A, check: {kind: forbid_regex, files: ['*.py'], "
                              "pattern: x, message: m, ignore_case: true}}"));
  EXPECT_NE(base, CanonicalOf("{id: A, allow_empty: true, check: {kind: forbid_regex, "
                              "files: ['*.py'], pattern: x, message: m}}"));
  EXPECT_NE(base, CanonicalOf("{id: A, check: {kind: forbid_regex, files: ['*.py', "
                              "'!a/**'], pattern: x, message: m}}"));
  // A quoted "1" is not the number 1 (the yaml kind types values).
  EXPECT_NE(CanonicalOf("{id: A, check: {kind: max_size, files: '*', lines: 1}}"),
            CanonicalOf("{id: A, check: {kind: max_size, files: '*', lines: 2}}"));
}

TEST(LoadConfigTest, ErrorsAreSortedByFileLineAndColumn) {
  // Within one rule the loader reads `id` before `severity` before `check`;
  // the report still follows the file.
  std::string text =
      "version: 1\n"
      "rules:\n"
      "  - check: {kind: nope}\n"
      "    severity: fatal\n"
      "    id: A\n"
      "  - id: B\n"
      "    titel: x\n"
      "    check: {kind: path_name, files: '*', pattern: x}\n";
  EXPECT_EQ(Load(text),
            "sotinc.yaml:3:19: rule A: unknown check kind 'nope' (kinds: command, dir_count, "
            "forbid_regex, max_size, path_name, require_regex, required_files, unique, yaml)\n"
            "sotinc.yaml:4:15: rule A: 'severity' must be one of error, warning, info, "
            "not 'fatal'\n"
            "sotinc.yaml:7:5: rule B: unknown key 'titel' in rule (did you mean 'title'?)\n");
}

TEST(LoadConfigTest, EmptyValuesAreReportedAtTheirKey) {
  // yaml-cpp puts an empty value at the next token (here: line 5).
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A\n    enabled:\n"
                 "    check: {kind: path_name, files: '*', pattern: x}\n"),
            "sotinc.yaml:4:5: rule A: 'enabled' must be true or false, not an empty value\n");
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A\n    check:\n  - id: B\n"
                 "    check: {kind: path_name, files: '*', pattern: x}\n"),
            "sotinc.yaml:4:5: rule A: 'check' must be a mapping with 'kind' and the kind's "
            "fields, not an empty value\n");
}

TEST(LoadConfigTest, UnclosedFlowCollectionsPointAtTheirOpener) {
  // yaml-cpp notices where it gives up (a later line); the report names the
  // '[' or '{' that is not closed, skipping quoted text and comments.
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A\n    check: {kind: path_name, files: \"[x\", "
                 "pattern: x\n  - id: B\n"),
            "sotinc.yaml:4:12: invalid YAML: this '{' mapping is not closed with '}'\n");
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A  # [comment\n    tags: [a, \"b]\", 'c''d]', e\n"
                 "    check: {kind: x}\n"),
            "sotinc.yaml:4:11: invalid YAML: this '[' list is not closed with ']'\n");
  EXPECT_EQ(Load("version: 1\nrules: [\n  {id: A, check: {kind: x}},\n  {id: B\n"),
            "sotinc.yaml:4:3: invalid YAML: this '{' mapping is not closed with '}'\n");
  // A '[' inside a plain value opens nothing.
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A\n    title: see [docs\n    tags: [a\n"),
            "sotinc.yaml:5:11: invalid YAML: this '[' list is not closed with ']'\n");
}

TEST(LoadConfigTest, DeepNestingIsAnError) {
  std::string err = Load("version: 1\nrules: " + std::string(5000, '[') + "\n");
  EXPECT_NE(err.find("invalid YAML: values nest too deeply here"), std::string::npos) << err;
}

TEST(LoadConfigTest, UnreadableMainConfig) {
  MemConfigFiles files;
  files.unreadable.insert("sotinc.yaml");
  ConfigError error;
  EXPECT_FALSE(LoadConfig("sotinc.yaml", files, &error).ok());
  EXPECT_EQ(error.Text(), "sotinc.yaml:1:1: cannot read the config file: permission denied\n");
}

TEST(LoadConfigTest, UnreadableIncludeIsReportedAtTheIncludeEntry) {
  MemConfigFiles files;
  files.files["sotinc.yaml"] = "version: 1\ninclude:\n  - a.yaml\n  - 'rules/*.yaml'\n";
  files.files["a.yaml"] = "rules: []\n";
  files.unreadable.insert("rules/x.yaml");
  ConfigError error;
  EXPECT_FALSE(LoadConfig("sotinc.yaml", files, &error).ok());
  EXPECT_EQ(error.Text(),
            "sotinc.yaml:4:5: cannot read included file 'rules/x.yaml': permission denied\n");
}

TEST(LoadConfigTest, ErrorOutputIsResetAndOptional) {
  MemConfigFiles files;
  files.files["sotinc.yaml"] = "version: 1\nrules: []\n";
  ConfigError error;
  error.lines.push_back("stale");
  EXPECT_TRUE(LoadConfig("sotinc.yaml", files, &error).ok());
  EXPECT_TRUE(error.lines.empty());
  files.files["sotinc.yaml"] = "version: 2\n";
  Result<Config> config = LoadConfig("sotinc.yaml", files, nullptr);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("sotinc.yaml:1:10: unsupported config version '2'"),
            std::string::npos)
      << config.error();
}

TEST(LoadConfigTest, RuleWithoutIdIsNamedByItsPlace) {
  EXPECT_EQ(Load("version: 1\nrules:\n  - id: A\n    check: {kind: path_name, files: '*', "
                 "pattern: x}\n  - title: no id\n    check: {kind: nope}\n"),
            "sotinc.yaml:5:5: rule #2: the rule needs 'id' (a unique name such as AR001)\n"
            "sotinc.yaml:6:19: rule #2: unknown check kind 'nope' (kinds: command, dir_count, "
            "forbid_regex, max_size, path_name, require_regex, required_files, unique, yaml)\n");
}

// Mutating a valid config byte by byte never crashes or throws, and every
// error it produces is a well-formed "file:line:column: message" line.
TEST(LoadConfigTest, MutatedConfigsNeverThrow) {
  static const RE2 kLine("sotinc\\.yaml:[1-9][0-9]*:[1-9][0-9]*: .+");
  const std::string base = kFullConfig;
  const char inserts[] = {':',  '-', '[', ']', '{', '}', '\t', '\n', '*', '!',  '&', '"',
                          '\'', '#', ' ', '?', '|', '>', '%',  '@',  ',', '\\', 'x', '0'};
  uint32_t seed = 12345;
  auto next = [&]() { return seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xffffff; };
  for (int round = 0; round < 600; ++round) {
    std::string text = base;
    for (int k = 0, n = 1 + next() % 3; k < n; ++k) {
      size_t pos = next() % text.size();
      switch (next() % 3) {
        case 0:
          text.erase(pos, 1 + next() % 4);
          break;
        case 1:
          text.insert(pos, 1, inserts[next() % sizeof inserts]);
          break;
        default:
          text[pos] = inserts[next() % sizeof inserts];
      }
    }
    MemConfigFiles files;
    files.files["sotinc.yaml"] = text;
    ConfigError error;
    Result<Config> config = LoadConfig("sotinc.yaml", files, &error);
    if (config.ok()) continue;
    ASSERT_FALSE(error.lines.empty()) << text;
    for (const std::string& line : error.lines) {
      ASSERT_TRUE(RE2::FullMatch(line, kLine)) << line << "\nin:\n" << text;
      for (const char* phrase : kYamlCppPhrases) {
        ASSERT_EQ(line.find(phrase), std::string::npos) << line << "\nin:\n" << text;
      }
    }
  }
}

TEST(LoadConfigTest, AliasBombIsRejected) {
  std::string text =
      "version: 1\nrules:\n  - id: A\n    check:\n      kind: path_name\n"
      "      files: '*'\n      pattern: x\n      x0: &a0 [xxxxxxxxxxxxxxxx]\n";
  // Each level doubles twice: 4^12 copies of the leaf once expanded.
  for (int i = 1; i <= 12; ++i) {
    text += "      x" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  }
  std::string err = Load(text);
  // Reported at the check mapping (its first key), then its unknown keys.
  EXPECT_EQ(err.find("sotinc.yaml:5:7: rule A: the check is too large once YAML aliases are "
                     "expanded"),
            0u)
      << err;
}

// ---------------------------------------------------------------------------
// Pieces.

TEST(ParseDurationTest, UnitsAndEdges) {
  int64_t ms = -1;
  EXPECT_TRUE(ParseDuration("500ms", &ms));
  EXPECT_EQ(ms, 500);
  EXPECT_TRUE(ParseDuration("30s", &ms));
  EXPECT_EQ(ms, 30000);
  EXPECT_TRUE(ParseDuration("2m", &ms));
  EXPECT_EQ(ms, 120000);
  EXPECT_TRUE(ParseDuration("1h", &ms));
  EXPECT_EQ(ms, 3600000);
  EXPECT_TRUE(ParseDuration("60", &ms));  // bare number: seconds
  EXPECT_EQ(ms, 60000);
  EXPECT_TRUE(ParseDuration("1.5s", &ms));
  EXPECT_EQ(ms, 1500);
  EXPECT_TRUE(ParseDuration("10 s", &ms));
  EXPECT_EQ(ms, 10000);
  EXPECT_TRUE(ParseDuration("1ms", &ms));  // the smallest
  EXPECT_EQ(ms, 1);
  EXPECT_TRUE(ParseDuration("168h", &ms));  // the largest: 7 days
  EXPECT_EQ(ms, 7 * 86400000LL);

  ms = 42;
  for (const char* bad :
       {"", "0", "0s", "0.5ms", "169h", "s", "ms", "-1s", "1.s", ".5s", "1d", "1 sec", "1S", " 1s",
        "1s ", "1e3", "1,5s", "99999999999999999999", "1s2"}) {
    EXPECT_FALSE(ParseDuration(bad, &ms)) << "'" << bad << "'";
  }
  EXPECT_EQ(ms, 42);  // untouched on failure
}

TEST(ParseSizeTest, UnitsAndEdges) {
  uint64_t b = 7;
  EXPECT_TRUE(ParseSize("0", &b));
  EXPECT_EQ(b, 0u);
  EXPECT_TRUE(ParseSize("1000", &b));
  EXPECT_EQ(b, 1000u);
  EXPECT_TRUE(ParseSize("12B", &b));
  EXPECT_EQ(b, 12u);
  EXPECT_TRUE(ParseSize("512KiB", &b));
  EXPECT_EQ(b, 512u * 1024);
  EXPECT_TRUE(ParseSize("8MiB", &b));
  EXPECT_EQ(b, 8u << 20);
  EXPECT_TRUE(ParseSize("1GiB", &b));
  EXPECT_EQ(b, 1ull << 30);
  EXPECT_TRUE(ParseSize("100KB", &b));
  EXPECT_EQ(b, 100000u);
  EXPECT_TRUE(ParseSize("3MB", &b));
  EXPECT_EQ(b, 3000000u);
  EXPECT_TRUE(ParseSize("2GB", &b));
  EXPECT_EQ(b, 2000000000u);
  EXPECT_TRUE(ParseSize("4k", &b));
  EXPECT_EQ(b, 4096u);
  EXPECT_TRUE(ParseSize("4 M", &b));
  EXPECT_EQ(b, 4u << 20);
  EXPECT_TRUE(ParseSize("18446744073709551615", &b));  // the largest
  EXPECT_EQ(b, 18446744073709551615ull);
  EXPECT_TRUE(ParseSize("17179869183GiB", &b));  // just fits
  EXPECT_EQ(b, 17179869183ull << 30);

  b = 7;
  for (const char* bad :
       {"", "MiB", "1.5MiB", "-1", "1 mib", "1kb", "1TB", "1 MiB ", " 1", "18446744073709551616",
        "17179869184GiB", "99999999999999999999GiB", "1e6", "0x10"}) {
    EXPECT_FALSE(ParseSize(bad, &b)) << "'" << bad << "'";
  }
  EXPECT_EQ(b, 7u);  // untouched on failure
}

TEST(SuggestTest, Typos) {
  const std::vector<std::string> keys = {"allow_empty", "check", "depends_on", "description",
                                         "enabled",     "id",    "severity",   "tags",
                                         "timeout",     "title"};
  EXPECT_EQ(Suggest("titel", keys), "title");  // swapped neighbours
  EXPECT_EQ(Suggest("tilte", keys), "title");
  EXPECT_EQ(Suggest("dependson", keys), "depends_on");
  EXPECT_EQ(Suggest("depends-on", keys), "depends_on");
  EXPECT_EQ(Suggest("Severity", keys), "severity");  // case
  EXPECT_EQ(Suggest("ID", keys), "id");
  EXPECT_EQ(Suggest("tag", keys), "tags");
  EXPECT_EQ(Suggest("chek", keys), "check");
  EXPECT_EQ(Suggest("allowempty", keys), "allow_empty");
  EXPECT_EQ(Suggest("x", keys), "");  // short words need a near match
  EXPECT_EQ(Suggest("ab", keys), "");
  EXPECT_EQ(Suggest("files", keys), "");
  EXPECT_EQ(Suggest("anything", {}), "");
  EXPECT_EQ(Suggest("", keys), "");
}

// Found by tests/fuzz/config_fuzzer (corpus/config/crash-many-unknown-
// depends-on, 213 unknown depends_on over 400 rules, over the fuzzer's
// 10 s): "did you mean" computed a full edit-distance matrix per candidate.
// It now skips long words and candidates whose length alone is too far
// off, and stops a comparison once it exceeds the best distance so far;
// without the first, two 200 KB ids needed 320 GB of matrix.
TEST(SuggestTest, LongWordsAreNotCompared) {
  const std::string long_id(200000, 'a');
  std::string near = long_id;
  near.back() = 'b';
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Suggest(long_id, {near, "abc"}), "");
  EXPECT_EQ(Suggest("abc", {long_id, "abd"}), "abd");
  std::string at_limit(kSuggestMaxLength, 'x');
  std::string typo = at_limit;
  typo[10] = 'y';
  EXPECT_EQ(Suggest(typo, {at_limit}), at_limit);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);

  Config config;
  std::string text = "version: 1\nrules:\n  - id: " + long_id + "\n    depends_on: [" + near +
                     "]\n    check: {kind: path_name, files: '*', pattern: x}\n";
  std::string error = Load(text, &config);
  EXPECT_NE(error.find("depends_on names unknown rule"), std::string::npos) << error.substr(0, 300);
  EXPECT_NE(error.find("(no rule has this id)"), std::string::npos);
}

}  // namespace
}  // namespace sotinc

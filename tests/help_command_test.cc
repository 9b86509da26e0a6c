// `sotinc help`, `--version`, the man page the build generates from the same
// help text, and the bash completion (share/completions/sotinc.bash) driven
// the way bash drives it (COMP_WORDS/COMP_CWORD, then COMPREPLY).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

std::string Bin() { return std::string("'") + SOTINC_BINARY + "'"; }

// The top-level commands, from `sotinc help --commands`.
std::vector<std::string> TopLevelCommands(TempRepo& repo) {
  RunResult r = repo.Run(Bin() + " help --commands | cut -f1 | grep -v ' ' | grep .");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(HelpCommand, SameTextAsDashDashHelp) {
  TempRepo repo;
  for (const char* cmd : {"check", "init", "cache", "cache gc", "hook install", "explain"}) {
    RunResult help = repo.Run(Bin() + " help " + cmd);
    RunResult dash = repo.Run(Bin() + " " + cmd + " --help");
    EXPECT_EQ(help.exit_code, 0) << cmd << help.err;
    EXPECT_EQ(help.out, dash.out) << cmd;
    EXPECT_NE(help.out.find("Usage: sotinc " + std::string(cmd)), std::string::npos) << help.out;
  }
  RunResult top = repo.Run(Bin() + " help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_EQ(top.out, repo.Run(Bin() + " --help").out);
  EXPECT_NE(top.out.find("init"), std::string::npos) << top.out;
}

TEST(HelpCommand, UnknownCommandIsAUsageError) {
  TempRepo repo;
  RunResult r = repo.Run(Bin() + " help nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("help: no command 'nope' (commands: check, "), std::string::npos) << r.err;
  r = repo.Run(Bin() + " help cache nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no command 'nope' in sotinc cache"), std::string::npos) << r.err;
}

TEST(HelpCommand, Version) {
  TempRepo repo;
  RunResult r = repo.Run(Bin() + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("sotinc ") + SOTINC_VERSION + "\n");
}

TEST(ManPage, BuiltFromTheHelpTextAndRendersEveryCommand) {
  TempRepo repo;
  // The build wrote it next to the binary from `sotinc help --man`.
  std::string page = std::string(SOTINC_BINARY);
  page = page.substr(0, page.rfind('/')) + "/sotinc.1";
  RunResult diff =
      repo.Run("diff '" + page + "' - <<EOF_MAN\n$(" + Bin() + " help --man)\nEOF_MAN");
  EXPECT_EQ(diff.exit_code, 0) << "build/sotinc.1 is stale or missing:\n" << diff.out << diff.err;

  RunResult text = repo.Run("MANWIDTH=100 man -l '" + page + "' 2>&1 | cat");
  if (text.out.find("SOTINC(1)") == std::string::npos) {
    text = repo.Run("groff -man -Tutf8 '" + page + "' 2>&1 | sed 's/.\\x08//g'");
  }
  ASSERT_NE(text.out.find("SOTINC(1)"), std::string::npos) << text.out;
  for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS",
                              "ENVIRONMENT", "FILES", "SEE ALSO"}) {
    EXPECT_NE(text.out.find(std::string("\n") + section + "\n"), std::string::npos) << section;
  }
  for (const std::string& cmd : TopLevelCommands(repo)) {
    EXPECT_NE(text.out.find("sotinc " + cmd + " "), std::string::npos) << cmd << "\n" << text.out;
  }
  for (const char* text_in_page : {"sotinc cache gc [OPTIONS]", "--max-size", "--fail-on",
                                   "sotinc hook install", "--stdout", "SOTINC_CACHE_DIR"}) {
    EXPECT_NE(text.out.find(text_in_page), std::string::npos) << text_in_page;
  }
  // groff has nothing to complain about.
  RunResult warn = repo.Run("groff -man -Tutf8 -ww -z '" + page + "' 2>&1");
  EXPECT_EQ(warn.out, "") << warn.out;
}

// What bash would offer at the end of `line` (words split on spaces; a
// trailing space starts an empty word).
std::string Complete(TempRepo& repo, const std::string& line) {
  std::string bin_dir = std::string(SOTINC_BINARY);
  bin_dir = bin_dir.substr(0, bin_dir.rfind('/'));
  std::string script = std::string(SOTINC_SOURCE_DIR) + "/share/completions/sotinc.bash";
  RunResult r = repo.Run("PATH='" + bin_dir + "':$PATH bash -c 'source \"" + script +
                         "\"; read -r -a COMP_WORDS <<<\"$1\"; "
                         "[[ $1 == *\" \" ]] && COMP_WORDS+=(\"\"); "
                         "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _sotinc; "
                         "printf \"%s\\n\" \"${COMPREPLY[@]}\" | sort' _ '" +
                         line + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(BashCompletion, IsRegisteredForSotinc) {
  TempRepo repo;
  RunResult r = repo.Run(std::string("bash -c 'source \"") + SOTINC_SOURCE_DIR +
                         "/share/completions/sotinc.bash\"; complete -p sotinc'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "complete -F _sotinc sotinc\n");
}

TEST(BashCompletion, CompletesCommandsOptionsAndValues) {
  TempRepo repo;
  std::vector<std::string> commands = TopLevelCommands(repo);
  std::sort(commands.begin(), commands.end());
  std::string all;
  for (const std::string& c : commands) all += c + "\n";
  EXPECT_EQ(Complete(repo, "sotinc "), all);
  EXPECT_EQ(Complete(repo, "sotinc ch"), "check\n");
  EXPECT_EQ(Complete(repo, "sotinc -C . ca"), "cache\n");
  EXPECT_EQ(Complete(repo, "sotinc cache "), "clear\ngc\nstats\nverify\n");
  EXPECT_EQ(Complete(repo, "sotinc hook i"), "install\n");
  EXPECT_EQ(Complete(repo, "sotinc help cache g"), "gc\n");
  EXPECT_EQ(Complete(repo, "sotinc check --fo"), "--format\n");
  EXPECT_EQ(Complete(repo, "sotinc check --format "), "json\njunit\nsarif\ntext\n");
  EXPECT_EQ(Complete(repo, "sotinc check --staged --fail-on w"), "warning\n");
  EXPECT_EQ(Complete(repo, "sotinc cache gc --m"), "--max-size\n");
  EXPECT_EQ(Complete(repo, "sotinc --ver"), "--version\n");
}

TEST(BashCompletion, CompletesRuleIdsAndRefs) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: AB1\n    check: {kind: max_size, files: '**', bytes: 10}\n"
                 "  - id: AC2\n    check: {kind: max_size, files: '**', bytes: 10}\n");
  repo.Commit("rules");
  repo.Git("branch feature");
  EXPECT_EQ(Complete(repo, "sotinc check --rule A"), "AB1\nAC2\n");
  EXPECT_EQ(Complete(repo, "sotinc explain AB"), "AB1\n");
  EXPECT_EQ(Complete(repo, "sotinc check --since fe"), "feature\n");
}

// zsh's compadd only works inside a completion widget, so this stubs it
// (and _files, _directories) to print what would be offered, unfiltered:
// zsh itself narrows the offers down to the word being completed.
std::string ZshOffers(TempRepo& repo, const std::string& line) {
  std::string bin_dir = std::string(SOTINC_BINARY);
  bin_dir = bin_dir.substr(0, bin_dir.rfind('/'));
  repo.WriteFile("../zsh-driver.zsh",
                 "compadd() { while [[ $1 == -* ]]; do if [[ $1 == -- ]]; then shift; break; "
                 "fi; [[ $1 == -S ]] && shift; shift; done; print -l -- \"$@\"; }\n"
                 "_files() { print FILES; }\n_directories() { print DIRS; }\n"
                 "words=(${=1}); [[ $1 == *' ' ]] && words+=(''); CURRENT=${#words}\n"
                 "source '" +
                     std::string(SOTINC_SOURCE_DIR) + "/share/completions/_sotinc'\n");
  RunResult r = repo.Run("PATH='" + bin_dir + "':$PATH zsh -f ../zsh-driver.zsh '" + line +
                         "' | sort | tr '\\n' ' '");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(ZshCompletion, OffersCommandsOptionsAndValues) {
  TempRepo repo;
  if (repo.Run("command -v zsh").exit_code != 0) GTEST_SKIP() << "zsh is not installed";
  EXPECT_EQ(repo.Run(std::string("zsh -n '") + SOTINC_SOURCE_DIR + "/share/completions/_sotinc'")
                .exit_code,
            0);
  std::string all;
  for (const std::string& c : TopLevelCommands(repo)) all += c + "\n";
  EXPECT_EQ(repo.Run("printf '" + all + "' | sort | tr '\\n' ' '").out, ZshOffers(repo, "sotinc "));
  EXPECT_EQ(ZshOffers(repo, "sotinc cache "), "clear gc stats verify ");
  EXPECT_EQ(ZshOffers(repo, "sotinc help cache "), "clear gc stats verify ");
  EXPECT_EQ(ZshOffers(repo, "sotinc check --format "), "json junit sarif text ");
  EXPECT_EQ(ZshOffers(repo, "sotinc -C "), "DIRS ");
  EXPECT_NE(ZshOffers(repo, "sotinc cache gc -").find("--max-size "), std::string::npos);
}

}  // namespace
}  // namespace sotinc

// Tests of the regex content kinds (rules/regex_checks.cc): forbid_regex
// and require_regex, through Check::Run as the engine calls them.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/testing/check_harness.h"
#include "tests/testing/parse_check.h"

namespace sotinc {
namespace {

using testing::JoinLines;
using V = std::vector<std::string>;

class RegexTest : public testing::CheckHarnessTest {};

// ---- forbid_regex ---------------------------------------------------------

TEST_F(RegexTest, ForbidEveryMatchWithByteColumns) {
  Add("a.txt", "foo bar foo\nxfoo\n\tfoofoo\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: foo}"),
            V({"a.txt:1:1: forbidden pattern 'foo'", "a.txt:1:9: forbidden pattern 'foo'",
               "a.txt:2:2: forbidden pattern 'foo'", "a.txt:3:2: forbidden pattern 'foo'",
               "a.txt:3:5: forbidden pattern 'foo'"}));
}

TEST_F(RegexTest, ForbidColumnsCountBytesNotCharacters) {
  Add("u.txt", "\xc3\xa9\xc3\xa9 TODO\n");  // "éé TODO": two 2-byte characters
  EXPECT_EQ(Run("{kind: forbid_regex, files: u.txt, pattern: TODO}"),
            V({"u.txt:1:6: forbidden pattern 'TODO'"}));
}

TEST_F(RegexTest, ForbidCrlfLines) {
  Add("w.txt", "ok\r\nbad foo\r\nfoo\r\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: w.txt, pattern: 'foo$'}"),
            V({"w.txt:2:5: forbidden pattern 'foo$'", "w.txt:3:1: forbidden pattern 'foo$'"}));
  // The '\r' is not part of the line, so "any character at the end" is 'o'.
  EXPECT_EQ(Run("{kind: forbid_regex, files: w.txt, pattern: '[^a-z]$'}"), V());
}

TEST_F(RegexTest, ForbidLastLineWithoutNewline) {
  Add("n.txt", "a\nb\nfoo");
  Add("r.txt", "a\nfoo\r");
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: '^foo$'}"),
            V({"n.txt:3:1: forbidden pattern '^foo$'", "r.txt:2:1: forbidden pattern '^foo$'"}));
}

TEST_F(RegexTest, ForbidAFinalNewlineStartsNoLine) {
  Add("a.txt", "x\n\ny\n");
  Add("empty.txt", "");
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: '^$', message: empty line}"),
            V({"a.txt:2:1: empty line"}));
}

TEST_F(RegexTest, ForbidIgnoreCase) {
  Add("a.txt", "Foo\nFOO\nfoo\nbar\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: foo}"),
            V({"a.txt:3:1: forbidden pattern 'foo'"}));
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: foo, ignore_case: true}"),
            V({"a.txt:1:1: forbidden pattern 'foo'", "a.txt:2:1: forbidden pattern 'foo'",
               "a.txt:3:1: forbidden pattern 'foo'"}));
}

TEST_F(RegexTest, ForbidCustomMessage) {
  Add("a.py", "import pdb; pdb.set_trace()\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.py', pattern: 'pdb\\.set_trace', "
                "message: 'remove the debugger call'}"),
            V({"a.py:1:13: remove the debugger call"}));
}

TEST_F(RegexTest, ForbidSkipsBinaryFiles) {
  Add("bin.dat", std::string("foo\0foo\n", 8));
  std::string late_nul = std::string(9000, 'x') + std::string("\0", 1) + "\nfoo\n";
  Add("late.dat", late_nul);  // the NUL is past the first 8 KiB: not binary
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.dat', pattern: foo}"),
            V({"late.dat:2:1: forbidden pattern 'foo'"}));
}

TEST_F(RegexTest, ForbidAnchorsApplyPerLine) {
  Add("a.txt", "foo foo\n foo\nbar foo\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: '^foo'}"),
            V({"a.txt:1:1: forbidden pattern '^foo'"}));
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: 'foo$'}"),
            V({"a.txt:1:5: forbidden pattern 'foo$'", "a.txt:2:2: forbidden pattern 'foo$'",
               "a.txt:3:5: forbidden pattern 'foo$'"}));
  // \A and \z are the edges of the line too (they are not for the whole-file
  // search that skips files without a match).
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: '\\Abar'}"),
            V({"a.txt:3:1: forbidden pattern '\\Abar'"}));
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: '(?-m:^ foo)'}"),
            V({"a.txt:2:1: forbidden pattern '(?-m:^ foo)'"}));
}

TEST_F(RegexTest, ForbidFileOverMaxFileBytesIsAFindingAndIsNotRead) {
  Add("big.txt", "foo foo foo foo\n");  // 16 bytes
  Add("small.txt", "foo\n");
  set_max_file_bytes(15);
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: foo}"),
            V({"big.txt:0:0: file is 16 bytes, over max_file_bytes (15); not checked",
               "small.txt:1:1: forbidden pattern 'foo'"}));
  EXPECT_EQ(files_read(), V({"small.txt"}));
}

TEST_F(RegexTest, ForbidExactlyMaxFileBytesIsRead) {
  Add("a.txt", "foo\n");
  set_max_file_bytes(4);
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: foo}"),
            V({"a.txt:1:1: forbidden pattern 'foo'"}));
  EXPECT_EQ(files_read(), V({"a.txt"}));
}

TEST_F(RegexTest, ForbidEmptyMatchesEndTheScan) {
  Add("a.txt", "ab\n\nxx\n");
  // An empty match is a finding at each position; the scan moves on by one
  // byte after it and always ends.
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: 'x*', message: m}"),
            V({"a.txt:1:1: m", "a.txt:1:2: m", "a.txt:1:3: m", "a.txt:2:1: m", "a.txt:3:1: m",
               "a.txt:3:3: m"}));
  EXPECT_EQ(Run("{kind: forbid_regex, files: a.txt, pattern: '^', message: m}"),
            V({"a.txt:1:1: m", "a.txt:2:1: m", "a.txt:3:1: m"}));
}

// Patterns that take exponential time in a backtracking engine ("(a+)+b"
// on a run of a's with no b) stay linear under RE2 (SPEC section 2). The
// bound is generous on purpose (sanitizers, a busy machine): it only has
// to tell linear from exponential, where 30 a's would already take minutes.
TEST_F(RegexTest, CatastrophicBacktrackingPatternsStayLinear) {
  const std::string run(100000, 'a');
  Add("miss.txt", run + "\n" + run + "\n");
  Add("hit.txt", run + "b\n");
  Add("alt.txt", run + "\n");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: '(a+)+b', message: m}"),
            V({"hit.txt:1:1: m"}));
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: '(a|aa)*c$', message: m}"), V());
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.txt', pattern: '^(a|a?)+$', message: m}"),
            V({"alt.txt:1:1: m", "miss.txt:1:1: m", "miss.txt:2:1: m"}));
  EXPECT_EQ(Run("{kind: require_regex, files: '*.txt', pattern: '(a*)*b'}"),
            V({"alt.txt:0:0: no match for required pattern '(a*)*b'",
               "miss.txt:0:0: no match for required pattern '(a*)*b'"}));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0) << "RE2 should keep these patterns linear";
}

TEST_F(RegexTest, ForbidDeadGlob) {
  Add("a.txt", "foo\n");
  EXPECT_EQ(Run("{kind: forbid_regex, files: ['*.md', '!x.md'], pattern: foo}"),
            V({":0:0: glob '*.md' matched nothing"}));
  set_allow_empty(true);
  EXPECT_EQ(Run("{kind: forbid_regex, files: '*.md', pattern: foo}"), V());
  EXPECT_TRUE(files_read().empty());
}

TEST_F(RegexTest, ForbidUnreadableFileIsAnError) {
  Add("a.txt", "foo\n");
  source().FailReads("a.txt", "permission denied");
  V errors;
  auto check = testing::ParseCheck("{kind: forbid_regex, files: a.txt, pattern: foo}", &errors);
  ASSERT_TRUE(check) << JoinLines(errors);
  std::vector<Finding> out;
  Status s = check->Run(Context(), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot read a.txt: permission denied");
}

TEST_F(RegexTest, InvalidPatternIsAConfigError) {
  V errors;
  EXPECT_EQ(testing::ParseCheck("{kind: forbid_regex, files: x, pattern: '(a'}", &errors), nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("sotinc.yaml:1:41: rule T001: invalid regular expression '(a': ", 0),
            0u)
      << errors[0];
  errors.clear();
  EXPECT_EQ(testing::ParseCheck("{kind: require_regex, files: x, pattern: '(?<=a)b'}", &errors),
            nullptr);
  EXPECT_EQ(errors.size(), 1u);
}

// ---- require_regex --------------------------------------------------------

TEST_F(RegexTest, RequireEachFile) {
  Add("a.py", "# Copyright 2024\nprint(1)\n");
  Add("b.py", "print(2)\n");
  Add("c.py", "x = 1\r\n# copyright\r\n");
  EXPECT_EQ(Run("{kind: require_regex, files: '*.py', pattern: '^# Copyright'}"),
            V({"b.py:0:0: no match for required pattern '^# Copyright'",
               "c.py:0:0: no match for required pattern '^# Copyright'"}));
  // `$` matches before "\r\n" (c.py) as before "\n".
  EXPECT_EQ(Run("{kind: require_regex, files: '*.py', pattern: '^# copyright( [0-9]+)?$', "
                "ignore_case: true, scope: each_file}"),
            V({"b.py:0:0: no match for required pattern '^# copyright( [0-9]+)?$'"}));
}

TEST_F(RegexTest, RequireEachFileSkipsBinaryAndReportsOversized) {
  Add("a.bin", std::string("\0\0", 2));
  Add("b.txt", "0123456789");
  set_max_file_bytes(5);
  EXPECT_EQ(Run("{kind: require_regex, files: ['*.bin', '*.txt'], pattern: x}"),
            V({"b.txt:0:0: file is 10 bytes, over max_file_bytes (5); not checked"}));
  EXPECT_EQ(files_read(), V({"a.bin"}));
}

TEST_F(RegexTest, RequireAnyFile) {
  Add("docs/a.md", "intro\n");
  Add("docs/b.md", "see LICENSE\n");
  EXPECT_EQ(Run("{kind: require_regex, files: 'docs/*.md', pattern: LICENSE, scope: any_file}"),
            V());
  EXPECT_EQ(Run("{kind: require_regex, files: 'docs/*.md', pattern: NOTICE, scope: any_file}"),
            V({":0:0: none of the 2 matching files has a match for 'NOTICE'"}));
}

TEST_F(RegexTest, RequireAnyFileStopsReadingAtTheFirstMatch) {
  Add("a.md", "yes\n");
  Add("b.md", "no\n");
  EXPECT_EQ(Run("{kind: require_regex, files: '*.md', pattern: yes, scope: any_file}"), V());
  EXPECT_EQ(files_read(), V({"a.md"}));
}

TEST_F(RegexTest, RequireAnyFileReportsEveryOversizedFile) {
  Add("a.md", "yes\n");
  Add("b.md", "yes yes yes\n");
  set_max_file_bytes(8);
  EXPECT_EQ(Run("{kind: require_regex, files: '*.md', pattern: yes, scope: any_file}"),
            V({"b.md:0:0: file is 12 bytes, over max_file_bytes (8); not checked"}));
  EXPECT_EQ(files_read(), V({"a.md"}));
}

TEST_F(RegexTest, RequireAnyFileDeadGlob) {
  EXPECT_EQ(Run("{kind: require_regex, files: '*.md', pattern: x, scope: any_file}"),
            V({":0:0: glob '*.md' matched nothing"}));
}

TEST_F(RegexTest, RequireMayMatchAcrossLines) {
  Add("a.txt", "BEGIN\nbody\nEND\n");
  EXPECT_EQ(Run("{kind: require_regex, files: a.txt, pattern: '(?s)BEGIN.*END'}"), V());
  EXPECT_EQ(Run("{kind: require_regex, files: a.txt, pattern: '\\Abody'}"),
            V({"a.txt:0:0: no match for required pattern '\\Abody'"}));
}

}  // namespace
}  // namespace sotinc

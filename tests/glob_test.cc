#include "engine/glob.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/path_index.h"

namespace sotinc {
namespace {

using V = std::vector<std::string>;

// Compiles or fails the test (and returns a glob that matches nothing).
Glob G(const std::string& pattern) {
  Result<Glob> g = Glob::Compile(pattern);
  if (!g.ok()) {
    ADD_FAILURE() << pattern << ": " << g.error();
    return std::move(*Glob::Compile("\\<never\\>"));
  }
  return std::move(*g);
}

bool M(const std::string& pattern, const std::string& path) { return G(pattern).Match(path); }

std::string Error(const std::string& pattern) {
  Result<Glob> g = Glob::Compile(pattern);
  return g.ok() ? "(compiled)" : g.error();
}

GlobList L(const V& patterns) {
  Result<GlobList> l = GlobList::Compile(patterns);
  if (!l.ok()) {
    ADD_FAILURE() << l.error();
    return GlobList();
  }
  return std::move(*l);
}

V Paths(const PathIndex& index, const std::vector<GlobMatch>& matches) {
  V out;
  for (const GlobMatch& m : matches) out.emplace_back(index.paths()[m.index]);
  return out;
}

TEST(GlobTest, StarAndQuestionStayInOneSegment) {
  EXPECT_TRUE(M("*.py", "x.py"));
  EXPECT_TRUE(M("*.py", ".py"));  // '*' may be empty inside a segment
  EXPECT_FALSE(M("*.py", "a/x.py"));
  EXPECT_TRUE(M("a/*/c", "a/b/c"));
  EXPECT_FALSE(M("a/*/c", "a/b/d/c"));
  EXPECT_FALSE(M("a/*", "a/"));    // a lone '*' needs one byte
  EXPECT_TRUE(M("*", ".hidden"));  // dot files are not special
  EXPECT_TRUE(M("a?c", "abc"));
  EXPECT_FALSE(M("a?c", "a/c"));
  EXPECT_FALSE(M("a?c", "ac"));
  EXPECT_FALSE(M("a*c", "a/c"));
  EXPECT_TRUE(M("a*c", "ac"));
}

TEST(GlobTest, CaseSensitiveAndWholePath) {
  EXPECT_FALSE(M("readme.md", "README.md"));
  EXPECT_FALSE(M("a.py", "a.pyc"));
  EXPECT_FALSE(M("a.py", "x/a.py"));
  EXPECT_FALSE(M("a", ""));
}

TEST(GlobTest, QuestionMatchesOneUtf8Character) {
  EXPECT_TRUE(M("?.txt", "\xc3\xa9.txt"));
  EXPECT_FALSE(M("??.txt", "\xc3\xa9.txt"));
  EXPECT_TRUE(M("?", "\xf0\x9f\x98\x80"));
  EXPECT_TRUE(M("*.txt", "\xff\xfe.txt"));  // not UTF-8: '*' still matches bytes
  EXPECT_TRUE(M("??.txt", "\xff\xfe.txt"));
}

TEST(GlobTest, GlobstarLeading) {
  Glob g = G("**/x.py");
  EXPECT_TRUE(g.Match("x.py"));
  EXPECT_TRUE(g.Match("a/x.py"));
  EXPECT_TRUE(g.Match("a/b/c/x.py"));
  EXPECT_FALSE(g.Match("ax.py"));
  EXPECT_FALSE(g.Match("a/bx.py"));
  EXPECT_FALSE(g.Match("x.py/y"));
}

TEST(GlobTest, GlobstarTrailingMatchesOnlyBelow) {
  Glob g = G("a/**");
  EXPECT_TRUE(g.Match("a/b"));
  EXPECT_TRUE(g.Match("a/b/c/d"));
  EXPECT_TRUE(g.Match("a/.git"));
  EXPECT_FALSE(g.Match("a"));  // the directory itself is not under itself
  EXPECT_FALSE(g.Match("ab/c"));
  EXPECT_FALSE(g.Match("b/a/c"));
}

TEST(GlobTest, GlobstarMiddleMatchesZeroOrMoreSegments) {
  Glob g = G("a/**/b");
  EXPECT_TRUE(g.Match("a/b"));
  EXPECT_TRUE(g.Match("a/x/b"));
  EXPECT_TRUE(g.Match("a/x/y/b"));
  EXPECT_FALSE(g.Match("a/xb"));
  EXPECT_FALSE(g.Match("ab"));
  EXPECT_FALSE(g.Match("a/b/c"));
}

TEST(GlobTest, GlobstarAloneAndRepeated) {
  EXPECT_TRUE(M("**", "x"));
  EXPECT_TRUE(M("**", "a/b/c"));
  EXPECT_FALSE(M("**", ""));
  EXPECT_TRUE(M("**/**/x", "x"));
  EXPECT_TRUE(M("**/**/x", "a/b/x"));
  EXPECT_TRUE(M("a/**/**/b", "a/b"));
  EXPECT_TRUE(M("a/**/**", "a/b"));
  EXPECT_FALSE(M("a/**/**", "a"));
  EXPECT_TRUE(M("**/a/**/b", "a/b"));
  EXPECT_TRUE(M("**/a/**/b", "x/a/y/z/b"));
  EXPECT_FALSE(M("**/a/**/b", "x/ya/b"));
  EXPECT_TRUE(M("**/*", "a/b"));
  EXPECT_TRUE(M("**/*", "a"));
}

TEST(GlobTest, GlobstarMustBeAWholeSegment) {
  EXPECT_EQ(Error("a**"),
            "column 2: '**' must be a whole path segment (e.g. 'a/**/*.py'); use '*' inside one");
  EXPECT_EQ(Error("src/**.py").substr(0, 9), "column 5:");
  EXPECT_EQ(Error("***").substr(0, 9), "column 1:");
  // Braces are expanded first, so this is a whole-segment "**".
  EXPECT_TRUE(M("{*,x}*/y", "a/b/y"));
}

TEST(GlobTest, Classes) {
  EXPECT_TRUE(M("[a-c].txt", "b.txt"));
  EXPECT_FALSE(M("[a-c].txt", "d.txt"));
  EXPECT_FALSE(M("[a-c].txt", "B.txt"));
  EXPECT_TRUE(M("[!a-c].txt", "d.txt"));
  EXPECT_FALSE(M("[!a-c].txt", "a.txt"));
  EXPECT_TRUE(M("[^a-c].txt", "d.txt"));
  EXPECT_FALSE(M("[^a-c].txt", "c.txt"));
  EXPECT_TRUE(M("[!a].txt", "\xc3\xa9.txt"));  // a negated class takes one character
  EXPECT_FALSE(M("a[!x]b", "a/b"));            // never '/'
  EXPECT_FALSE(M("a[/]b", "a/b"));
  EXPECT_FALSE(M("a[^b]c", "a/c"));
  EXPECT_TRUE(M("[]x]", "]"));  // ']' first is a member
  EXPECT_TRUE(M("[!]x]", "y"));
  EXPECT_FALSE(M("[!]x]", "]"));
  EXPECT_TRUE(M("[a-]", "-"));
  EXPECT_TRUE(M("[-a]", "-"));
  EXPECT_TRUE(M("[\\]]", "]"));
  EXPECT_TRUE(M("[*?]", "*"));
  EXPECT_FALSE(M("[*?]", "x"));
  EXPECT_TRUE(M("v[0-9][0-9]", "v42"));
}

TEST(GlobTest, Braces) {
  Glob g = G("{src,lib}/*.{c,h}");
  EXPECT_TRUE(g.Match("src/a.c"));
  EXPECT_TRUE(g.Match("lib/a.h"));
  EXPECT_FALSE(g.Match("test/a.c"));
  EXPECT_FALSE(g.Match("src/a.cc"));
  EXPECT_TRUE(M("{a,{b,c{1,2}}}", "c2"));
  EXPECT_FALSE(M("{a,{b,c{1,2}}}", "c"));
  EXPECT_TRUE(M("x{,y}", "x"));
  EXPECT_TRUE(M("x{,y}", "xy"));
}

TEST(GlobTest, BracesMayHoldSlashes) {
  Glob g = G("{docs/**/,}*.md");
  EXPECT_TRUE(g.Match("README.md"));
  EXPECT_TRUE(g.Match("docs/a.md"));
  EXPECT_TRUE(g.Match("docs/x/y/a.md"));
  EXPECT_FALSE(g.Match("src/a.md"));
  EXPECT_TRUE(M("{a/b,c}/x", "a/b/x"));
  EXPECT_TRUE(M("{a/b,c}/x", "c/x"));
  // An empty alternative between slashes collapses: a/{b,}/c is a/b/c or a/c.
  EXPECT_TRUE(M("a/{b,}/c", "a/c"));
  EXPECT_TRUE(M("a/{b,}/c", "a/b/c"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(M("a\\*b", "a*b"));
  EXPECT_FALSE(M("a\\*b", "axb"));
  EXPECT_TRUE(M("\\{a,b\\}", "{a,b}"));
  EXPECT_TRUE(M("\\[x]", "[x]"));
  EXPECT_TRUE(M("\\<x>", "<x>"));
  EXPECT_TRUE(M("a\\\\b", "a\\b"));
  EXPECT_TRUE(M("\\?", "?"));
  EXPECT_FALSE(M("\\?", "x"));
  EXPECT_TRUE(M("a,b>]", "a,b>]"));          // literal outside their constructs
  EXPECT_TRUE(M("a+(b).|$^", "a+(b).|$^"));  // regex syntax is literal
  EXPECT_TRUE(M("\\*\\*/x", "**/x"));        // escaped stars are not a globstar
  EXPECT_FALSE(M("\\*\\*/x", "x"));
}

TEST(GlobTest, LeadingDotSlashIsStripped) {
  EXPECT_TRUE(M("./a/b", "a/b"));
  EXPECT_TRUE(M("././a", "a"));
  EXPECT_TRUE(M("{./a,b}", "a"));
  EXPECT_EQ(G("./src/*.c").literal_prefix(), "src/");
}

TEST(GlobTest, Captures) {
  Glob g = G("<root>/shards/<shard>/chart.yaml");
  EXPECT_EQ(g.capture_names(), (V{"root", "shard"}));
  Captures c;
  ASSERT_TRUE(g.Match("infra/shards/eu1/chart.yaml", &c));
  EXPECT_EQ(c, (Captures{{"root", "infra"}, {"shard", "eu1"}}));
  EXPECT_FALSE(g.Match("infra/x/shards/eu1/chart.yaml", &c));
  EXPECT_FALSE(g.Match("shards/eu1/chart.yaml", &c));
  EXPECT_TRUE(g.Match("infra/shards/eu1/chart.yaml"));  // no captures asked
  EXPECT_TRUE(M("**/<leaf>/x", "a/b/c/x"));
  ASSERT_TRUE(G("**/<leaf>/x").Match("a/b/c/x", &c));
  EXPECT_EQ(c, (Captures{{"leaf", "c"}}));
  ASSERT_TRUE(G("*.py").Match("a.py", &c));
  EXPECT_TRUE(c.empty());
}

TEST(GlobTest, CapturesUnderBraces) {
  Glob g = G("{<a>/x,y/<b>}");
  EXPECT_EQ(g.capture_names(), (V{"a", "b"}));
  Captures c;
  // Both alternatives match "y/x"; the first as written supplies captures.
  ASSERT_TRUE(g.Match("y/x", &c));
  EXPECT_EQ(c, (Captures{{"a", "y"}}));
  ASSERT_TRUE(g.Match("y/z", &c));
  EXPECT_EQ(c, (Captures{{"b", "z"}}));
  // The same name in two alternatives is fine; order follows capture_names.
  Glob h = G("{<n>/<m>/c,<m>/<n>/h}");
  ASSERT_TRUE(h.Match("p/q/h", &c));
  EXPECT_EQ(c, (Captures{{"n", "q"}, {"m", "p"}}));
}

TEST(GlobTest, CaptureIsOneNonEmptySegment) {
  EXPECT_FALSE(M("<a>/x", "x"));
  EXPECT_FALSE(M("<a>/x", "a/b/x"));
  EXPECT_TRUE(M("<_A1>", "z"));
}

TEST(GlobTest, LiteralPrefixAndSuffix) {
  struct Case {
    const char* pattern;
    const char* prefix;
    const char* suffix;
  };
  const Case cases[] = {
      {"src/**/*.py", "src/", ".py"},
      {"**/*.py", "", ".py"},
      {"<root>/shards/<shard>/chart.yaml", "", "/chart.yaml"},
      {"src/foo*.c", "src/foo", ".c"},
      {"a/**", "a/", ""},
      {"a/**/b", "a/", "b"},
      {"**/x.py", "", "x.py"},
      {"x.py", "x.py", "x.py"},
      {"{src,srv}/a.go", "sr", "/a.go"},
      {"{src/a,lib/b}/*.go", "", ".go"},
      {"*.{yml,yaml}", "", "ml"},
      {"{a,b}", "", ""},
      {"a\\*b/*", "a*b/", ""},
      {"docs/[a-z]*/index.md", "docs/", "/index.md"},
  };
  for (const Case& c : cases) {
    Glob g = G(c.pattern);
    EXPECT_EQ(g.literal_prefix(), c.prefix) << c.pattern;
    EXPECT_EQ(g.literal_suffix(), c.suffix) << c.pattern;
  }
}

TEST(GlobTest, CompileErrorsNameTheColumn) {
  EXPECT_EQ(Error(""), "column 1: empty pattern");
  EXPECT_EQ(Error("/a"),
            "column 1: absolute paths are not allowed (globs are relative to the repository root)");
  EXPECT_EQ(Error("{b,/a}").substr(0, 30), "column 4: absolute paths are n");
  EXPECT_EQ(Error("a/../b"), "column 3: '..' segments are not allowed");
  EXPECT_EQ(Error(".."), "column 1: '..' segments are not allowed");
  EXPECT_EQ(Error("a/[bc"), "column 3: unclosed '['");
  EXPECT_EQ(Error("a/[\\"), "column 3: unclosed '['");
  EXPECT_EQ(Error("a/{b,c"), "column 3: unclosed '{'");
  EXPECT_EQ(Error("{a,{b}"), "column 1: unclosed '{'");
  EXPECT_EQ(Error("a/<>/b"), "column 3: empty capture name '<>'");
  EXPECT_EQ(Error("a/<b"), "column 3: unclosed '<' (escape a literal one as '\\<')");
  EXPECT_EQ(Error("<1a>").substr(0, 40), "column 2: invalid character '1' in captu");
  EXPECT_EQ(Error("<a-b>").substr(0, 40), "column 3: invalid character '-' in captu");
  EXPECT_EQ(Error("x<a>"), "column 2: '<a>' must be a whole path segment");
  EXPECT_EQ(Error("<a>/<a>"),
            "column 5: capture '<a>' appears twice; a name can bind only one segment");
  EXPECT_EQ(Error("<a>/{x,<a>}").substr(0, 9), "column 8:");
  EXPECT_EQ(Error("a\\"), "column 2: '\\' at the end escapes nothing");
  EXPECT_EQ(Error("a}"), "column 2: unmatched '}' (escape it as '\\}')");
  EXPECT_EQ(Error("a{}"), "column 2: empty '{}' (escape a literal brace as '\\{')");
  EXPECT_EQ(Error("a/"),
            "column 2: '/' at the end: globs match files (use 'dir/**' for all under a directory)");
  EXPECT_EQ(Error("{a/,b}"),
            "column 3: '/' at the end: globs match files (use 'dir/**' for all under a directory)");
  EXPECT_EQ(Error("a/./b"), "column 3: '.' segment is not allowed here (only a leading './')");
  EXPECT_EQ(Error("."), "column 1: '.' segment is not allowed here (only a leading './')");
  EXPECT_EQ(Error("[z-a]"), "column 2: invalid range 'z-a' in '[...]'");
  EXPECT_EQ(Error("[\xc3\xa9]").substr(0, 25), "column 2: non-ASCII byte ");
  EXPECT_EQ(Error("[[:alpha:]]"), "column 2: POSIX classes like '[:alpha:]' are not supported");
  EXPECT_EQ(Error("{a,}"), "column 1: pattern can expand to an empty path");
}

TEST(GlobTest, LengthLimit) {
  std::string ok(4096, 'a');
  EXPECT_TRUE(G(ok).Match(ok));
  EXPECT_EQ(Error(ok + "a"), "column 4097: pattern is longer than 4096 bytes");
}

TEST(GlobTest, BraceExpansionLimit) {
  std::string p;
  for (int i = 0; i < 13; ++i) p += "{a,b}";  // 8192 alternatives: fine
  Glob g = G(p);
  EXPECT_TRUE(
      g.Match("abababababab"
              "a"));
  EXPECT_FALSE(g.Match("abababababab"));
  p += "{a,b}";  // the 14th group (column 66) makes 16384
  EXPECT_EQ(Error(p), "column 66: braces expand to more than 10000 alternatives");
  std::string wide;
  for (int i = 0; i < 13; ++i) wide += "{?,[!a]}";  // few alternatives, each a big program
  EXPECT_EQ(Error(wide),
            "column 1: braces expand to a matcher larger than 256 KiB; split the pattern into "
            "several globs");
  std::string nested;
  for (int i = 0; i < 40; ++i) nested += "{a,";
  EXPECT_EQ(Error(nested), "column 97: braces nested more than 32 deep");
}

TEST(GlobTest, PathologicalPatternsAreLinear) {
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += "x/";
  EXPECT_TRUE(M("**/**/**/**/**/**/**/**/a", deep + "a"));
  EXPECT_FALSE(M("**/**/**/**/**/**/**/**/a", deep + "b"));
  EXPECT_FALSE(M("**/x/**/x/**/x/**/x/**/x/**/b", deep + "a"));
  EXPECT_TRUE(M("**/x/**/x/**/x/**/x/**/x/**/a", deep + "a"));
  std::string as(20000, 'a');
  EXPECT_FALSE(M("*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  EXPECT_TRUE(M("*a*a*a*a*a*a*a*a*a*a*a*a*", as));
}

TEST(GlobListTest, ErrorsNameTheEntryAndColumnAsWritten) {
  Result<GlobList> l = GlobList::Compile({"ok/*", "a/[b"});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error(), "glob 2 ('a/[b'): column 3: unclosed '['");
  l = GlobList::Compile({"!a/[b"});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error(), "glob 1 ('!a/[b'): column 4: unclosed '['");
  l = GlobList::Compile({"a", "!"});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error(), "glob 2 ('!'): column 2: empty pattern");
  l = GlobList::Compile({""});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error(), "glob 1 (''): column 1: empty pattern");
}

TEST(GlobListTest, ExclusionsAndOrder) {
  GlobList l = L({"src/**/*.py", "!**/test_*.py", "tools/*.py"});
  EXPECT_EQ(l.patterns(), (V{"src/**/*.py", "!**/test_*.py", "tools/*.py"}));
  EXPECT_TRUE(l.Match("src/a.py"));
  EXPECT_FALSE(l.Match("src/x/test_a.py"));
  EXPECT_FALSE(l.Match("tools/test_b.py"));  // exclusions apply to every entry
  EXPECT_TRUE(l.Match("tools/b.py"));
  EXPECT_FALSE(l.Match("other/b.py"));
  EXPECT_TRUE(L({"\\!x"}).Match("!x"));  // escaped '!' is positive
  GlobList only_exclusions = L({"!a"});
  EXPECT_TRUE(only_exclusions.empty());
  EXPECT_FALSE(only_exclusions.Match("b"));
}

TEST(GlobListTest, MatchAllSortedDedupedWithFirstGlobsCaptures) {
  PathIndex index({"z/b.py", "a/x/b.py", "a/y/c.txt", "m.py", "a/x/test_b.py", "q/r"});
  GlobList l = L({"a/<dir>/*", "**/*.py", "!**/test_*", "**/*.rs"});
  std::vector<std::string> dead;
  std::vector<GlobMatch> m = l.MatchAll(index, &dead);
  EXPECT_EQ(Paths(index, m), (V{"a/x/b.py", "a/y/c.txt", "m.py", "z/b.py"}));
  EXPECT_TRUE(std::is_sorted(m.begin(), m.end(), [](const GlobMatch& a, const GlobMatch& b) {
    return a.index < b.index;
  }));
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].captures, (Captures{{"dir", "x"}}));  // from glob 1, not glob 2
  EXPECT_EQ(m[1].captures, (Captures{{"dir", "y"}}));
  EXPECT_TRUE(m[2].captures.empty());
  EXPECT_EQ(dead, (V{"**/*.rs"}));
}

TEST(GlobListTest, GlobWhoseOnlyMatchesAreExcludedIsDead) {
  PathIndex index({"a/test_x.py", "b/y.py"});
  GlobList l = L({"a/*.py", "b/*.py", "c/*", "!**/test_*"});
  std::vector<std::string> dead;
  EXPECT_EQ(Paths(index, l.MatchAll(index, &dead)), (V{"b/y.py"}));
  EXPECT_EQ(dead, (V{"a/*.py", "c/*"}));
  // A glob that only matches paths an earlier glob owns is still alive.
  dead.clear();
  GlobList overlap = L({"b/*", "**/y.py"});
  EXPECT_EQ(Paths(index, overlap.MatchAll(index, &dead)), (V{"b/y.py"}));
  EXPECT_TRUE(dead.empty());
  // Dead globs are reported as written, in list order.
  dead.clear();
  L({"./nope", "x/{a,b}"}).MatchAll(index, &dead);
  EXPECT_EQ(dead, (V{"./nope", "x/{a,b}"}));
  EXPECT_TRUE(L({}).MatchAll(index, &dead).empty());
}

// MatchAll narrows candidates with prefixes and buckets; it must agree
// with a plain Match over every path.
TEST(GlobListTest, MatchAllAgreesWithBruteForce) {
  V paths;
  const char* dirs[] = {"", "a/", "a/b/", "ab/", "src/", "src/x/", ".g/", "docs/v1.2/"};
  const char* names[] = {"x.py", ".py", "Makefile",   "a.mk",  "t.tar.gz",    "README",
                         "x.",   "b.c", "chart.yaml", "x.pyi", "\xc3\xa9.txt"};
  for (const char* d : dirs) {
    for (const char* n : names) paths.push_back(std::string(d) + n);
  }
  PathIndex index(paths);
  const V globs = {
      "**/*.py",
      "*.py",
      "a/**",
      "a/**/*.mk",
      "**/Makefile",
      "{**/Makefile,**/*.mk}",
      "{a.mk,*.mk}",
      "**/*.{py,pyi}",
      "src/**/x.*",
      "**/*.gz",
      "**/t.tar.gz",
      "docs/*/README",
      "**/*.",
      "a*/*",
      "**/x.py[i]",
      "<d>/*.c",
      "**/?.txt",
      "**/.py",
      "{a,ab}/**/b.c",
      "**/*.2/*",
      "src/x/*",
      "**",
      "*",
      "**/[!x]*.py",
      "a/b/*.{c,mk}",
  };
  for (const std::string& g : globs) {
    GlobList l = L({g});
    V expected;
    for (std::string_view p : index.paths()) {
      if (l.Match(p)) expected.emplace_back(p);
    }
    std::vector<std::string> dead;
    EXPECT_EQ(Paths(index, l.MatchAll(index, &dead)), expected) << g;
    EXPECT_EQ(dead.empty(), !expected.empty()) << g;
  }
}

// Glob::Match answers simple shapes (literal, `*`, `a*b`, `<name>` segments
// and one `**`) without RE2; it must agree with the RE2 program, captures
// included, on every path, odd ones too.
TEST(GlobTest, SegmentMatcherAgreesWithRegex) {
  const V globs = {
      "**/*.py", "*.py", "a/**", "a/**/*.mk", "**/Makefile", "{**/Makefile,**/*.mk}",
      "{a.mk,*.mk}", "**/*.{py,pyi}", "src/**/x.*", "**/*", "**", "*", "a/*/b",
      "<root>/shards/<shard>/chart.yaml", "<r>/**/*.py", "**/<leaf>", "a/**/<leaf>",
      "{<x>/a.py,b/<y>}", "{<x>/*,<x>/b/*}", "x*y/*", "*.tar.gz", "pre*", "a/**/b/**/c",
      "**/x.py[i]", "**/?.txt", "./a/*.py", "a//b", "**/**/*.c", "docs/**", "a\\*b/c",
      "{a,ab}/**/b.c", "**/*.", "<d>/*.c", "00_x/shards/*/implementations/<impl>/m.yaml",
  };
  const V paths = {
      "x.py", ".py", "a/x.py", "a/b/c.py", "a", "a/b", "a/x/b", "a/x/y/b", "src/x.c",
      "src/q/x.c", "Makefile", "a/Makefile", "a.mk", "a/a.mk", "x.pyi", "a/.mk",
      "r/shards/s/chart.yaml", "r/shards/s/t/chart.yaml", "r/shards//chart.yaml",
      "/a/x.py", "a/x.py/", "a//x.py", "", "xy/1", "xzy/q", "x/y/1", "a.tar.gz",
      "pre", "prefix", "a/b/c", "a/q/b/r/c", "a/b/b/c/c", "a/\n/b", "a/x\ny.py", "b/q",
      "q/a.py", "q/b/z", "q/z", "x.py/y", "\xc3\xa9/x.py", "docs", "docs/a", "a*b/c",
      "00_x/shards/s1/implementations/default/m.yaml", "00_x/shards/s1/implementations/m.yaml",
      "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/6/7/8/9/a/b/c/d/e/f/g/"
      "h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/x.py",
  };
  for (const std::string& pattern : globs) {
    Glob g = G(pattern);
    for (const std::string& path : paths) {
      Captures fast, slow;
      bool a = g.Match(path, &fast);
      bool b = g.MatchRegex(path, &slow);
      EXPECT_EQ(a, b) << pattern << " on '" << path << "'";
      if (a && b) {
        EXPECT_EQ(fast, slow) << pattern << " on '" << path << "'";
      }
      EXPECT_EQ(g.Match(path), b) << pattern << " on '" << path << "'";
    }
  }
}

TEST(GlobListTest, ManyGlobsOverManyPaths) {
  // 200 packages x 25 modules x 10 files = 50,000 paths.
  V paths;
  for (int p = 0; p < 200; ++p) {
    for (int m = 0; m < 25; ++m) {
      for (int f = 0; f < 10; ++f) {
        paths.push_back("pkg" + std::to_string(p) + "/mod" + std::to_string(m) + "/f" +
                        std::to_string(f) + (f % 2 == 0 ? ".py" : ".txt"));
      }
    }
  }
  PathIndex index(paths);
  ASSERT_EQ(index.size(), 50000u);
  V globs;
  for (int p = 0; p < 100; ++p)
    globs.push_back("pkg" + std::to_string(p) + "/**/*.py");  // 125 each
  for (int p = 100; p < 150; ++p) globs.push_back("pkg" + std::to_string(p) + "/<mod>/f1.txt");
  for (int p = 150; p < 190; ++p) {
    globs.push_back("pkg" + std::to_string(p) + "/mod{1,2}*/f[0-4].*");  // 17 mods x 5 files
  }
  for (int p = 0; p < 10; ++p) globs.push_back("!pkg" + std::to_string(p) + "/**/f0.py");
  ASSERT_EQ(globs.size(), 200u);
  GlobList l = L(globs);
  std::vector<std::string> dead;
  std::vector<GlobMatch> m = l.MatchAll(index, &dead);
  EXPECT_EQ(m.size(), 100u * 125 - 10 * 25 + 50 * 25 + 40 * 17 * 5);
  EXPECT_TRUE(dead.empty());
  size_t with_mod = std::count_if(m.begin(), m.end(), [](const GlobMatch& g) {
    return g.captures.size() == 1 && g.captures[0].first == "mod";
  });
  EXPECT_EQ(with_mod, 50u * 25);
  EXPECT_TRUE(std::is_sorted(m.begin(), m.end(), [](const GlobMatch& a, const GlobMatch& b) {
    return a.index < b.index;
  }));
  // A glob over every path with a suffix test: still the full count.
  EXPECT_EQ(L({"**/*.py", "!pkg1*/**"}).MatchAll(index).size(), (200u - 111) * 125);
}

}  // namespace
}  // namespace sotinc

// Tests of the structure kinds (rules/structure_checks.cc): dir_count,
// required_files and path_name. They look only at paths, so every test
// also asserts that nothing was read.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/check_harness.h"
#include "tests/testing/parse_check.h"

namespace sotinc {
namespace {

using testing::JoinLines;
using V = std::vector<std::string>;

class StructureTest : public testing::CheckHarnessTest {
 protected:
  void Add(const V& paths) {
    for (const std::string& p : paths) CheckHarness::Add(p, "content of " + p);
  }

  // Parses `yaml`, runs the check over the files added so far and returns
  // its findings. The check must run (OK status) and read nothing.
  V Run(const std::string& yaml) {
    std::unique_ptr<Check> check = Parse(yaml);
    if (!check) return {"(rejected)"};
    EXPECT_FALSE(check->reads_content());
    V out = RunCheck(*check);
    EXPECT_TRUE(files_read().empty()) << JoinLines(files_read());
    return out;
  }
};

// ---- dir_count ------------------------------------------------------------

TEST_F(StructureTest, DirCountRootHasNoPath) {
  Add({"a/1", "b/1", "c/d/1", "README.md"});
  EXPECT_EQ(Run("{kind: dir_count, parents: ., count: 3}"), V());
  EXPECT_EQ(Run("{kind: dir_count, parents: ., count: 2}"),
            V({":0:0: has 3 directories, expected exactly 2"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: ./, count: 4}"),
            V({":0:0: has 3 directories, expected exactly 4"}));
}

TEST_F(StructureTest, DirCountExactlyAtTheBoundary) {
  Add({"p/a/x", "p/b/x", "q/a/x", "q/b/x", "q/c/x"});
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', count: 2}"),
            V({"q:0:0: has 3 directories, expected exactly 2"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', count: 3}"),
            V({"p:0:0: has 2 directories, expected exactly 3"}));
}

TEST_F(StructureTest, DirCountMinAndMaxBoundaries) {
  Add({"one/a/x", "two/a/x", "two/b/x", "three/a/x", "three/b/x", "three/c/x"});
  // Exactly min and exactly max pass; min-1 and max+1 fail.
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', min: 2}"),
            V({"one:0:0: has 1 directory, expected at least 2"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', max: 2}"),
            V({"three:0:0: has 3 directories, expected at most 2"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', min: 1, max: 3}"), V());
  EXPECT_EQ(Run("{kind: dir_count, parents: '*', min: 2, max: 2}"),
            V({"one:0:0: has 1 directory, expected at least 2",
               "three:0:0: has 3 directories, expected at most 2"}));
  // The grandchildren (a/x) are not children of the parents' parent.
  EXPECT_EQ(Run("{kind: dir_count, parents: ., count: 3}"), V());
}

TEST_F(StructureTest, DirCountEntriesDirsFilesAny) {
  Add({"d/sub1/x", "d/sub2/x", "d/f1", "d/f2", "d/f3"});
  EXPECT_EQ(Run("{kind: dir_count, parents: d, count: 0}"),
            V({"d:0:0: has 2 directories, expected exactly 0"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: d, entries: dirs, count: 2}"), V());
  EXPECT_EQ(Run("{kind: dir_count, parents: d, entries: files, count: 1}"),
            V({"d:0:0: has 3 files, expected exactly 1"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: d, entries: any, count: 1}"),
            V({"d:0:0: has 5 entries, expected exactly 1"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: d/sub1, entries: any, count: 0}"),
            V({"d/sub1:0:0: has 1 entry, expected exactly 0"}));
}

TEST_F(StructureTest, DirCountNameFiltersChildren) {
  Add({"svc/api/x", "svc/web/x", "svc/_old/x", "svc/notes.md", "svc/README"});
  EXPECT_EQ(Run("{kind: dir_count, parents: svc, name: '^[a-z]+$', count: 2}"), V());
  EXPECT_EQ(Run("{kind: dir_count, parents: svc, name: '^[a-z]+$', count: 3}"),
            V({"svc:0:0: has 2 matching directories, expected exactly 3"}));
  // Unanchored: searches anywhere in the name (web, notes.md; not README).
  EXPECT_EQ(Run("{kind: dir_count, parents: svc, name: 'e', entries: any, max: 1}"),
            V({"svc:0:0: has 2 matching entries, expected at most 1"}));
  EXPECT_EQ(Run("{kind: dir_count, parents: svc, name: '\\.md$', entries: files, count: 1}"), V());
}

TEST_F(StructureTest, DirCountSameNamesFindsTheOddOnesOut) {
  Add({"s/1/a", "s/1/b", "s/1/c",  //
       "s/2/a", "s/2/b", "s/2/c",  //
       "s/3/a", "s/3/b", "s/3/d",  //
       "s/4/a"});
  EXPECT_EQ(Run("{kind: dir_count, parents: 's/*', entries: files, same_names: true}"),
            V({"s/3:0:0: names differ from the most common set (2 of 4 parents); "
               "missing: c; extra: d",
               "s/4:0:0: names differ from the most common set (2 of 4 parents); "
               "missing: b, c"}));
  // With a count as well, both are judged.
  EXPECT_EQ(Run("{kind: dir_count, parents: 's/*', entries: files, same_names: true, min: 3}"),
            V({"s/3:0:0: names differ from the most common set (2 of 4 parents); "
               "missing: c; extra: d",
               "s/4:0:0: has 1 file, expected at least 3",
               "s/4:0:0: names differ from the most common set (2 of 4 parents); "
               "missing: b, c"}));
}

TEST_F(StructureTest, DirCountSameNamesTieGoesToTheFirstParent) {
  Add({"s/a/x", "s/b/y"});
  EXPECT_EQ(Run("{kind: dir_count, parents: 's/*', entries: files, same_names: true}"),
            V({"s/b:0:0: names differ from the most common set (1 of 2 parents); "
               "missing: x; extra: y"}));
}

TEST_F(StructureTest, DirCountSameNamesUsesOnlyMatchingNames) {
  Add({"s/a/x.py", "s/a/notes.txt", "s/b/x.py"});
  EXPECT_EQ(Run("{kind: dir_count, parents: 's/*', entries: files, name: '\\.py$', "
                "same_names: true}"),
            V());
}

TEST_F(StructureTest, DirCountDeadParentsGlob) {
  Add({"a/b/c"});
  EXPECT_EQ(Run("{kind: dir_count, parents: ['nope/*', a], count: 1}"),
            V({":0:0: glob 'nope/*' matched nothing"}));
  set_allow_empty(true);
  EXPECT_EQ(Run("{kind: dir_count, parents: ['nope/*', a], count: 1}"), V());
}

TEST_F(StructureTest, DirCountParentsWithExclusion) {
  Add({"p/a/x", "p/b/x", "vendor/x/y"});
  EXPECT_EQ(Run("{kind: dir_count, parents: ['*', '!vendor'], count: 2}"), V());
}

TEST_F(StructureTest, DirCountConfigErrors) {
  EXPECT_EQ(Errors("{kind: dir_count, parents: ., count: 1, min: 1}"),
            V({"sotinc.yaml:1:38: rule T001: use either 'count' or 'min'/'max', not both"}));
  EXPECT_EQ(Errors("{kind: dir_count, parents: ., min: 3, max: 2}"),
            V({"sotinc.yaml:1:36: rule T001: 'min' is greater than 'max'"}));
  EXPECT_EQ(Errors("{kind: dir_count, parents: []}").size(), 2u);
  EXPECT_EQ(Errors("{kind: dir_count, parents: ., entries: both, count: 1}").size(), 1u);
  EXPECT_EQ(Errors("{kind: dir_count, parents: ., name: '(', count: 1}").size(), 1u);
}

// ---- required_files -------------------------------------------------------

TEST_F(StructureTest, RequiredFilesLiteralEntries) {
  Add({"svc/a/README.md", "svc/a/Makefile", "svc/b/README.md", "svc/c/x"});
  EXPECT_EQ(Run("{kind: required_files, dirs: 'svc/*', files: [README.md, Makefile]}"),
            V({"svc/b/Makefile:0:0: missing required file 'Makefile'",
               "svc/c/Makefile:0:0: missing required file 'Makefile'",
               "svc/c/README.md:0:0: missing required file 'README.md'"}));
}

TEST_F(StructureTest, RequiredFilesAtTheRootAndNested) {
  Add({"README.md", "docs/index.md"});
  EXPECT_EQ(Run("{kind: required_files, dirs: ., files: [README.md, LICENSE, docs/index.md, "
                "docs/faq.md]}"),
            V({"LICENSE:0:0: missing required file 'LICENSE'",
               "docs/faq.md:0:0: missing required file 'docs/faq.md'"}));
}

TEST_F(StructureTest, RequiredFilesDirectoryEntries) {
  Add({"m/a/docs/x.md", "m/a/tests", "m/b/tests/t.py", "m/b/docs"});
  // "docs" is satisfied by a file or a directory; "docs/" only by a directory.
  EXPECT_EQ(Run("{kind: required_files, dirs: 'm/*', files: [docs, tests]}"), V());
  EXPECT_EQ(Run("{kind: required_files, dirs: 'm/*', files: [docs/, tests/]}"),
            V({"m/a/tests:0:0: missing required directory 'tests/'",
               "m/b/docs:0:0: missing required directory 'docs/'"}));
}

TEST_F(StructureTest, RequiredFilesGlobEntries) {
  Add({"p/a/x.yaml", "p/a/tests/t_test.py", "p/b/sub/x.yaml", "p/b/tests/helper.py"});
  EXPECT_EQ(Run("{kind: required_files, dirs: 'p/*', files: ['*.yaml', 'tests/*_test.py']}"),
            V({"p/b/*.yaml:0:0: missing required entry matching '*.yaml'",
               "p/b/tests/*_test.py:0:0: missing required entry matching 'tests/*_test.py'"}));
  EXPECT_EQ(Run("{kind: required_files, dirs: 'p/*', files: ['**/*.yaml', '{tests,spec}']}"), V());
}

TEST_F(StructureTest, RequiredFilesCaptureSubstitution) {
  Add({"shards/s1/s1.yaml", "shards/s1/s1_v2.json", "shards/s2/chart.yaml",
       "shards/s2/other_v1.json", "shards/s*/s*.yaml", "shards/s*/s*_x.json"});
  EXPECT_EQ(Run("{kind: required_files, dirs: 'shards/<shard>', "
                "files: ['<shard>.yaml', '<shard>_*.json']}"),
            V({"shards/s2/s2.yaml:0:0: missing required file 's2.yaml'",
               "shards/s2/s2_*.json:0:0: missing required entry matching 's2_*.json'"}));
}

TEST_F(StructureTest, RequiredFilesCaptureValueIsLiteralInAGlob) {
  // The directory "s[12]" must not turn "<d>_*.json" into a character class.
  Add({"d/s[12]/s1_a.json", "d/x/x_a.json"});
  EXPECT_EQ(Run("{kind: required_files, dirs: 'd/<d>', files: ['<d>_*.json']}"),
            V({"d/s[12]/s[12]_*.json:0:0: missing required entry matching 's[12]_*.json'"}));
}

TEST_F(StructureTest, RequiredFilesDeadDirsGlob) {
  Add({"a/x"});
  EXPECT_EQ(Run("{kind: required_files, dirs: 'b/*', files: [x]}"),
            V({":0:0: glob 'b/*' matched nothing"}));
  set_allow_empty(true);
  EXPECT_EQ(Run("{kind: required_files, dirs: 'b/*', files: [x]}"), V());
}

TEST_F(StructureTest, RequiredFilesConfigErrors) {
  EXPECT_EQ(Errors("{kind: required_files, dirs: 'x/*', files: ['../up']}").size(), 1u);
  EXPECT_EQ(Errors("{kind: required_files, dirs: 'x/*', files: ['/abs']}").size(), 1u);
  EXPECT_EQ(Errors("{kind: required_files, dirs: 'x/*', files: ['a[']}").size(), 1u);
  EXPECT_EQ(Errors("{kind: required_files, dirs: 'x/<a>', files: ['<b>.txt']}"),
            V({"sotinc.yaml:1:46: rule T001: '<b>.txt' in 'files' names a capture that 'dirs' "
               "does not bind (it binds <a>)"}));
  // Two dots inside a name are fine.
  EXPECT_EQ(Errors("{kind: required_files, dirs: 'x/*', files: ['notes..txt']}"), V());
}

// ---- path_name ------------------------------------------------------------

TEST_F(StructureTest, PathNameOnName) {
  Add({"src/good_name.py", "src/pkg/Bad.py", "src/pkg/ok.py", "src/notes.txt"});
  EXPECT_EQ(Run("{kind: path_name, files: 'src/**/*.py', pattern: '^[a-z_]+\\.py$'}"),
            V({"src/pkg/Bad.py:0:0: name 'Bad.py' does not match '^[a-z_]+\\.py$'"}));
}

TEST_F(StructureTest, PathNameOnPath) {
  Add({"src/a/x.py", "src/B/y.py"});
  EXPECT_EQ(Run("{kind: path_name, files: 'src/**', pattern: '^src/[a-z]+/', on: path}"),
            V({"src/B/y.py:0:0: path 'src/B/y.py' does not match '^src/[a-z]+/'"}));
  // The same pattern on the name fails for every file.
  EXPECT_EQ(Run("{kind: path_name, files: 'src/**', pattern: '^src/[a-z]+/'}").size(), 2u);
}

TEST_F(StructureTest, PathNameDeadGlob) {
  Add({"a.py"});
  EXPECT_EQ(Run("{kind: path_name, files: ['*.py', '*.rs'], pattern: x}"),
            V({":0:0: glob '*.rs' matched nothing", "a.py:0:0: name 'a.py' does not match 'x'"}));
}

TEST_F(StructureTest, CountInputs) {
  Add({"a/x/1", "a/y/1", "b/1"});
  V errors;
  auto dc = testing::ParseCheck("{kind: dir_count, parents: [., '*'], count: 1}", &errors);
  ASSERT_TRUE(dc) << JoinLines(errors);
  Context();
  EXPECT_EQ(dc->CountInputs(tree()), 3u);  // ., a, b
  auto pn = testing::ParseCheck("{kind: path_name, files: 'a/**', pattern: x}", &errors);
  ASSERT_TRUE(pn) << JoinLines(errors);
  EXPECT_EQ(pn->CountInputs(tree()), 2u);
}

}  // namespace
}  // namespace sotinc

#include "engine/path_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sotinc {
namespace {

std::vector<std::string_view> Slice(const PathIndex& index, std::pair<uint32_t, uint32_t> range) {
  return std::vector<std::string_view>(index.paths().begin() + range.first,
                                       index.paths().begin() + range.second);
}

std::vector<std::string_view> Names(const PathIndex& index, const std::vector<uint32_t>* ids) {
  std::vector<std::string_view> out;
  if (ids != nullptr) {
    for (uint32_t i : *ids) out.push_back(index.paths()[i]);
  }
  return out;
}

using V = std::vector<std::string_view>;

TEST(PathIndexTest, SortsAndDeduplicatesByByteOrder) {
  PathIndex index({"b", "a/b0", "a/b/c", "a/b-x", "\xc3\xa9", "a/b/c", "Z"});
  // Unsigned byte order: 'Z' < 'a', '-' < '/' < '0', 0xC3 after ASCII.
  EXPECT_EQ(index.paths(), (V{"Z", "a/b-x", "a/b/c", "a/b0", "b", "\xc3\xa9"}));
  EXPECT_EQ(index.size(), 6u);
}

TEST(PathIndexTest, PrefixRange) {
  PathIndex index({"a/b-x", "a/b/c", "a/b/d", "a/b0", "ab", "b"});
  EXPECT_EQ(Slice(index, index.PrefixRange("a/b/")), (V{"a/b/c", "a/b/d"}));
  EXPECT_EQ(Slice(index, index.PrefixRange("a/b")), (V{"a/b-x", "a/b/c", "a/b/d", "a/b0"}));
  EXPECT_EQ(Slice(index, index.PrefixRange("a")), (V{"a/b-x", "a/b/c", "a/b/d", "a/b0", "ab"}));
  EXPECT_EQ(index.PrefixRange("").first, 0u);
  EXPECT_EQ(index.PrefixRange("").second, 6u);
  EXPECT_TRUE(Slice(index, index.PrefixRange("c")).empty());
  EXPECT_TRUE(Slice(index, index.PrefixRange("a/c")).empty());
  EXPECT_TRUE(Slice(index, index.PrefixRange("0")).empty());
  EXPECT_EQ(Slice(index, index.PrefixRange("b")), (V{"b"}));
  PathIndex empty;
  EXPECT_EQ(empty.PrefixRange("x").first, empty.PrefixRange("x").second);
}

TEST(PathIndexTest, BasenameBuckets) {
  PathIndex index({"x/chart.yaml", "chart.yaml", "y/z/chart.yaml", "y/chart.yml"});
  EXPECT_EQ(Names(index, index.WithBasename("chart.yaml")),
            (V{"chart.yaml", "x/chart.yaml", "y/z/chart.yaml"}));
  EXPECT_EQ(index.WithBasename("chart"), nullptr);
  EXPECT_EQ(index.WithBasename("y"), nullptr);  // directories are not basenames
}

TEST(PathIndexTest, ExtensionIsTextAfterLastDotOfBasename) {
  PathIndex index({"a.tar.gz", "b/c.gz", "Makefile", ".bashrc", "x.", "d.v1/README", "e/.py"});
  EXPECT_EQ(Names(index, index.WithExtension("gz")), (V{"a.tar.gz", "b/c.gz"}));
  EXPECT_EQ(index.WithExtension("tar.gz"), nullptr);
  EXPECT_EQ(index.WithExtension("tar"), nullptr);
  // A dot file has an extension, since "*.py" matches ".py".
  EXPECT_EQ(Names(index, index.WithExtension("bashrc")), (V{".bashrc"}));
  EXPECT_EQ(Names(index, index.WithExtension("py")), (V{"e/.py"}));
  // A dot in a directory name is not an extension; "x." has none.
  EXPECT_EQ(index.WithExtension("v1/README"), nullptr);
  EXPECT_EQ(index.WithExtension("v1"), nullptr);
  EXPECT_EQ(index.WithExtension(""), nullptr);
}

TEST(PathIndexTest, Find) {
  PathIndex index({"b", "a", "a/b"});
  EXPECT_EQ(index.Find("a"), 0);
  EXPECT_EQ(index.Find("a/b"), 1);
  EXPECT_EQ(index.Find("b"), 2);
  EXPECT_EQ(index.Find("a/"), -1);
  EXPECT_EQ(index.Find("c"), -1);
  EXPECT_EQ(index.Find(""), -1);
}

TEST(TreeTest, DirsAreEveryProperPrefixThatHoldsAFile) {
  Tree tree = Tree::FromFiles({"a/b/c", "a/b-x/y", "a/b/d/e", "top", "a/b0/z", "a/b/c", "q/r"});
  EXPECT_EQ(tree.files.paths(), (V{"a/b-x/y", "a/b/c", "a/b/d/e", "a/b0/z", "q/r", "top"}));
  EXPECT_EQ(tree.dirs.paths(), (V{"a", "a/b", "a/b-x", "a/b/d", "a/b0", "q"}));
}

TEST(TreeTest, ACopyOfAnOwningTreeOutlivesIt) {
  std::unique_ptr<Tree> tree = std::make_unique<Tree>(Tree::FromFiles({"a/b/c", "a/d"}));
  const Tree copy = *tree;
  const char* file_bytes = tree->files.paths()[0].data();
  tree.reset();
  // The copy shares the strings (no second copy of each path) and keeps
  // them alive; its dirs view prefixes of the same strings.
  EXPECT_EQ(copy.files.paths()[0].data(), file_bytes);
  EXPECT_EQ(copy.files.paths(), (V{"a/b/c", "a/d"}));
  EXPECT_EQ(copy.dirs.paths(), (V{"a", "a/b"}));
  EXPECT_EQ(copy.dirs.paths()[1].data(), file_bytes);
  EXPECT_EQ(copy.files.WithBasename("d")->size(), 1u);
}

TEST(TreeTest, AViewingTreeCopiesNoPath) {
  const std::vector<std::string> owned = {"z/long-enough-to-be-on-the-heap.py", "a/x/y.py"};
  Tree tree = Tree::Viewing({owned[0], owned[1]});
  ASSERT_EQ(tree.files.paths(), (V{"a/x/y.py", "z/long-enough-to-be-on-the-heap.py"}));
  EXPECT_EQ(tree.files.paths()[0].data(), owned[1].data());
  EXPECT_EQ(tree.files.paths()[1].data(), owned[0].data());
  EXPECT_EQ(tree.dirs.paths(), (V{"a", "a/x", "z"}));
  EXPECT_EQ(tree.dirs.paths()[1].data(), owned[1].data());
  EXPECT_EQ(tree.files.storage(), nullptr);
}

TEST(TreeTest, RootFilesOnlyGiveNoDirs) {
  Tree tree = Tree::FromFiles({"README", "x.py"});
  EXPECT_EQ(tree.dirs.size(), 0u);
  EXPECT_EQ(tree.dirs.Find("."), -1);
  EXPECT_EQ(Tree::FromFiles({}).dirs.size(), 0u);
}

TEST(TreeTest, DeepSiblingsShareAncestors) {
  std::vector<std::string> files;
  for (int i = 0; i < 50; ++i) files.push_back("r/s/t/" + std::to_string(i) + "/f");
  Tree tree = Tree::FromFiles(files);
  EXPECT_EQ(tree.dirs.size(), 53u);
  EXPECT_GE(tree.dirs.Find("r/s/t/49"), 0);
  EXPECT_GE(tree.dirs.Find("r/s"), 0);
}

}  // namespace
}  // namespace sotinc

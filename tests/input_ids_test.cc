#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/inputs.h"

namespace sotinc {
namespace {

TEST(InputIdIndexTest, FindsInSortedFilesWithoutACopy) {
  const InputIdIndex::Files files = {{"a/x.py", "1"}, {"a/y.py", "2"}, {"b.md", "3"}};
  InputIdIndex index;
  index.Index(&files);
  ASSERT_NE(index.Find("a/y.py"), nullptr);
  EXPECT_EQ(*index.Find("a/y.py"), "2");
  // The id is the manifest's own entry: nothing was copied.
  EXPECT_EQ(index.Find("b.md"), &files[2].second);
  EXPECT_EQ(index.Find("a"), nullptr);
  EXPECT_EQ(index.Find("a/x.pyc"), nullptr);
  EXPECT_EQ(index.Find("c"), nullptr);
}

TEST(InputIdIndexTest, UnsortedFilesAndRepeatedPaths) {
  // A check that records its inputs out of order, one of them twice: the
  // first entry of a path counts.
  const InputIdIndex::Files files = {{"z", "1"}, {"a", "2"}, {"m", "3"}, {"a", "4"}};
  InputIdIndex index;
  index.Index(&files);
  ASSERT_NE(index.Find("a"), nullptr);
  EXPECT_EQ(*index.Find("a"), "2");
  EXPECT_EQ(*index.Find("z"), "1");
  EXPECT_EQ(*index.Find("m"), "3");
  EXPECT_EQ(index.Find("b"), nullptr);
  // Sorted but repeated is not strictly ascending either.
  const InputIdIndex::Files twice = {{"a", "1"}, {"a", "2"}};
  index.Index(&twice);
  EXPECT_EQ(*index.Find("a"), "1");
  const InputIdIndex::Files none;
  index.Index(&none);
  EXPECT_EQ(index.Find("a"), nullptr);
}

}  // namespace
}  // namespace sotinc

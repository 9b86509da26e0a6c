// Tests of max_size (rules/max_size_check.cc): `bytes` is judged from the
// listing (nothing is read), `lines` needs the content.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/check_harness.h"

namespace sotinc {
namespace {

using testing::JoinLines;
using V = std::vector<std::string>;

class MaxSizeTest : public testing::CheckHarnessTest {};

TEST_F(MaxSizeTest, BytesOnlyReadsNothing) {
  Add("a.bin", std::string(100, 'x'));
  Add("b.bin", std::string(101, 'x'));
  Add("c.bin", "");
  EXPECT_EQ(Run("{kind: max_size, files: '*.bin', bytes: 100}"),
            V({"b.bin:0:0: is 101 bytes, over the limit of 100"}));
  EXPECT_TRUE(files_read().empty()) << JoinLines(files_read());
}

TEST_F(MaxSizeTest, BytesTakesUnitsAndIgnoresMaxFileBytes) {
  Add("a.bin", std::string(1024, 'x'));
  Add("b.bin", std::string(1025, 'x'));
  // A bytes-only rule never loads a file, so max_file_bytes does not apply.
  set_max_file_bytes(10);
  EXPECT_EQ(Run("{kind: max_size, files: '*.bin', bytes: 1KiB}"),
            V({"b.bin:0:0: is 1025 bytes, over the limit of 1024"}));
  EXPECT_TRUE(files_read().empty());
}

TEST_F(MaxSizeTest, Lines) {
  Add("two.txt", "a\nb\n");
  Add("two_no_eol.txt", "a\nb");
  Add("three.txt", "a\nb\nc");
  Add("blank.txt", "\n\n\n");
  Add("empty.txt", "");
  EXPECT_EQ(Run("{kind: max_size, files: '*.txt', lines: 2}"),
            V({"blank.txt:3:0: has 3 lines, over the limit of 2",
               "three.txt:3:0: has 3 lines, over the limit of 2"}));
  EXPECT_EQ(files_read().size(), 5u);
}

TEST_F(MaxSizeTest, BytesAndLines) {
  Add("a.txt", "1\n2\n3\n");
  EXPECT_EQ(Run("{kind: max_size, files: a.txt, bytes: 5, lines: 1}"),
            V({"a.txt:0:0: is 6 bytes, over the limit of 5",
               "a.txt:2:0: has 3 lines, over the limit of 1"}));
}

TEST_F(MaxSizeTest, LinesOverMaxFileBytesIsAFindingAndIsNotRead) {
  Add("big.txt", "1\n2\n3\n4\n");
  set_max_file_bytes(4);
  EXPECT_EQ(Run("{kind: max_size, files: big.txt, lines: 100}"),
            V({"big.txt:0:0: file is 8 bytes, over max_file_bytes (4); not checked"}));
  EXPECT_TRUE(files_read().empty());
}

TEST_F(MaxSizeTest, DeadGlob) {
  EXPECT_EQ(Run("{kind: max_size, files: '*.bin', bytes: 1}"),
            V({":0:0: glob '*.bin' matched nothing"}));
}

TEST_F(MaxSizeTest, ConfigErrors) {
  EXPECT_EQ(Errors("{kind: max_size, files: x}"),
            V({"sotinc.yaml:1:2: rule T001: max_size needs 'bytes' or 'lines'"}));
  // One error for a bad value (not also "needs bytes or lines").
  EXPECT_EQ(Errors("{kind: max_size, files: x, bytes: lots}"),
            V({"sotinc.yaml:1:35: rule T001: 'bytes' must be a size such as 1000, 64KiB or 2MiB"}));
  EXPECT_EQ(Errors("{kind: max_size, files: x, lines: -1}").size(), 1u);
  EXPECT_EQ(Errors("{kind: max_size, files: x, bytes: 1, size: 2}").size(), 1u);
}

}  // namespace
}  // namespace sotinc

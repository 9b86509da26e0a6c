// Test harness for the check kinds: parses a `check:` mapping written as
// YAML text (through ParseCheck), runs it over files held in a
// FakeFileSource and returns the findings as sorted
// "path:line:column: message" lines, so one EXPECT_EQ compares every field.
//
// A kind test derives its fixture from CheckHarnessTest (and calls Add,
// Run and Errors directly), wrapping Parse/RunCheck where it adds
// assertions of its own. Context settings (max_file_bytes, allow_empty, timeout, processes)
// persist across runs; the file listing and tree are rebuilt on every run
// from the files added so far. Not thread-safe; one harness per test.
#pragma once

#include <gtest/gtest.h>
#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/check.h"
#include "tests/testing/fake_file_source.h"

namespace sotinc {
namespace testing {

// Sorts `findings` and formats each as "path:line:column: message".
std::vector<std::string> FormatFindings(std::vector<Finding> findings);

// Each line followed by "\n"; for failure messages.
std::string JoinLines(const std::vector<std::string>& lines);

class CheckHarness {
 public:
  using Lines = std::vector<std::string>;

  void Add(const std::string& path, const std::string& content) {
    fixture_.source.Add(path, content);
  }

  FakeFileSource& source() { return fixture_.source; }
  // Every path the checks have read so far, in order.
  const Lines& files_read() const { return fixture_.source.files_read_; }

  void set_max_file_bytes(uint64_t bytes) { fixture_.ctx.max_file_bytes = bytes; }
  void set_allow_empty(bool allow) { fixture_.ctx.allow_empty = allow; }
  void set_timeout_ms(int64_t ms) { fixture_.ctx.timeout_ms = ms; }
  // `runner` is borrowed and must outlive the runs.
  void set_processes(ProcessRunner* runner, const std::string& workdir) {
    fixture_.ctx.processes = runner;
    fixture_.ctx.workdir = workdir;
  }

  // Rebuilds the listing and tree from the files added so far and returns
  // the context a check runs with.
  CheckContext& Context() { return fixture_.Context(); }
  // The tree built by the last Context() or run.
  const Tree& tree() const { return fixture_.tree; }

  // The check `yaml` describes; null (and a test failure naming the config
  // errors) when it is rejected.
  std::unique_ptr<Check> Parse(const std::string& yaml);

  // Runs `check` over the files added so far. Its status goes to `status`
  // when given; otherwise it must be OK.
  Lines RunCheck(const Check& check, Status* status = nullptr);

  // Parse + RunCheck; "(config rejected)" when the config is rejected.
  Lines Run(const std::string& yaml, Status* status = nullptr);

  // The config errors for `yaml` (empty if it was accepted).
  Lines Errors(const std::string& yaml);

 private:
  CheckFixture fixture_;
};

// A gtest fixture that is a CheckHarness. (The using-declaration picks
// CheckHarness::Run over ::testing::Test::Run.)
class CheckHarnessTest : public ::testing::Test, public CheckHarness {
 protected:
  using CheckHarness::Run;
};

}  // namespace testing
}  // namespace sotinc

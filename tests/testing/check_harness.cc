#include "tests/testing/check_harness.h"

#include <gtest/gtest.h>

#include "tests/testing/parse_check.h"

namespace sotinc {
namespace testing {

std::vector<std::string> FormatFindings(std::vector<Finding> findings) {
  SortFindings(&findings);
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
                  f.message);
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::unique_ptr<Check> CheckHarness::Parse(const std::string& yaml) {
  Lines errors;
  std::unique_ptr<Check> check = ParseCheck(yaml, &errors);
  if (!check) ADD_FAILURE() << "config rejected:\n" << JoinLines(errors);
  return check;
}

CheckHarness::Lines CheckHarness::RunCheck(const Check& check, Status* status) {
  std::vector<Finding> out;
  Status s = check.Run(Context(), &out);
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return FormatFindings(std::move(out));
}

CheckHarness::Lines CheckHarness::Run(const std::string& yaml, Status* status) {
  std::unique_ptr<Check> check = Parse(yaml);
  if (!check) return {"(config rejected)"};
  return RunCheck(*check, status);
}

CheckHarness::Lines CheckHarness::Errors(const std::string& yaml) {
  Lines errors;
  std::unique_ptr<Check> check = ParseCheck(yaml, &errors);
  EXPECT_EQ(check == nullptr, !errors.empty());
  return errors;
}

}  // namespace testing
}  // namespace sotinc

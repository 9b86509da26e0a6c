// The registry of check kinds: name -> parser.
//
// A parser reads the `check:` mapping through Fields (which reports every
// mistake with its position) and returns the compiled check, or null when
// it reported an error. Each kind lives in its own file in rules/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rules/check.h"
#include "rules/fields.h"

namespace sotinc {

using CheckParser = std::unique_ptr<Check> (*)(Fields& fields);

// The parser for `kind`, or null for an unknown kind.
CheckParser FindKind(const std::string& kind);
std::vector<std::string> KindNames();

// One per kind, defined in the kind's own file.
std::unique_ptr<Check> ParseDirCount(Fields& fields);
std::unique_ptr<Check> ParseRequiredFiles(Fields& fields);
std::unique_ptr<Check> ParsePathName(Fields& fields);
std::unique_ptr<Check> ParseForbidRegex(Fields& fields);
std::unique_ptr<Check> ParseRequireRegex(Fields& fields);
std::unique_ptr<Check> ParseYaml(Fields& fields);
std::unique_ptr<Check> ParseUnique(Fields& fields);
std::unique_ptr<Check> ParseMaxSize(Fields& fields);
std::unique_ptr<Check> ParseCommand(Fields& fields);

}  // namespace sotinc

// YAML mistakes in a config, said the way a config author needs them.
// yaml-cpp's own texts never reach the user (see rules/config.h): its
// parser exceptions are restated here with what is wrong and what to do,
// at the position of the likely cause (the tab in the indentation, the
// '[' that was never closed) rather than where yaml-cpp gave up. The texts
// are pinned by tests/bad_configs/. Pure functions; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "rules/fields.h"

namespace sotinc {

// Our text for a yaml-cpp parser exception with message `msg` at `mark`
// in `text`. *line and *column (0-based) come in as yaml-cpp's position
// and may be moved to the likely cause: a tab in the indentation, or an
// unclosed '[' or '{'.
std::string DescribeSyntaxError(const std::string& text, const YAML::Mark& mark,
                                const std::string& msg, int* line, int* column);

// Reports (through `diag`) every node with a local tag ("!x"): in a config
// that is always a value meant to start with '!' (an exclusion glob)
// written without quotes; yaml-cpp reads `- !vendor/**` as an empty value
// tagged "!vendor/**". True when there is none. Visits each collection
// once, so aliases cost linear time.
bool CheckLocalTags(const YAML::Node& root, Diagnostics* diag);

}  // namespace sotinc

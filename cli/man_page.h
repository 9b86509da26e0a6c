// The sotinc(1) man page, in roff (man macros), generated from the same
// CLI11 definitions that `sotinc COMMAND --help` prints, so the two never
// disagree. The build runs `sotinc help --man` to write build/sotinc.1.
//
// Only the frame (description, exit status, environment, files) is fixed
// text here; every command, option and description comes from the App.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sotinc {

// The man page of `app` (the root App, fully registered). Deterministic:
// no date, nothing from the environment, so builds are reproducible.
std::string ManPage(const CLI::App& app);

// The commands of `app`, one per line in registration order: its words
// ("cache gc"), a tab, and its option names separated by spaces, those that
// take a value marked with a trailing '=' ("--max-size= -C= --config= -h
// --help"). The first line is the root's (no words). Printed by the hidden
// `sotinc help --commands`, which the shell completions read at run time, so
// they always know the commands of the sotinc they complete.
std::string CommandList(const CLI::App& app);

}  // namespace sotinc

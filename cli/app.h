// The `sotinc` command line (SPEC section 5): parses arguments with CLI11,
// runs the command and returns the exit status:
//   0 nothing at or above --fail-on failed or errored, 1 something did,
//   2 bad usage or bad config, 3 internal error (a bug).
// CLI11's exceptions are caught here; nothing escapes as a raw message.
#pragma once

namespace sotinc {

int RunApp(int argc, char** argv);

}  // namespace sotinc

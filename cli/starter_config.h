// The commented starter sotinc.yaml that `sotinc init` writes.
//
// Pure: it looks only at the candidate files it is given (paths, sizes) and
// never reads a file's content, so inferring rules costs nothing even on a
// repository of millions of files. Every rule it writes is one that a
// typical repository passes on day one or that flags something that should
// never be committed:
//   - no private key (always);
//   - no unresolved merge conflict markers (always);
//   - no file over 5 MiB, as a warning (always);
//   - YAML files parse (when there is a .yaml/.yml file besides
//     sotinc.yaml), leaving out Helm-style `templates/` folders, which hold
//     YAML with template syntax that no YAML parser accepts;
//   - JSON files parse (when there is a .json file), leaving out the JSON
//     with comments of tsconfig*.json and .vscode/;
//   - no leftover breakpoint()/pdb in Python (when there is a .py file), a
//     warning;
//   - the root README stays (when the root has one).
// Every positive glob it writes matches at least one of the given files (or
// sotinc.yaml, which init is about to write), so no rule starts with a dead
// glob. Files over the default max_file_bytes are excluded by name from the
// content rules, which would otherwise report them.
#pragma once

#include <string>
#include <vector>

#include "engine/file_source.h"

namespace sotinc {

struct StarterConfig {
  std::string text;              // the whole sotinc.yaml
  std::vector<std::string> ids;  // the rule ids it holds, in written order
};

// The starter config for a repository whose candidate files are `files`
// (any order; a `sotinc.yaml` among them is ignored).
StarterConfig MakeStarterConfig(const std::vector<FileEntry>& files);

// `path` as a glob that matches exactly that path (every glob metacharacter
// escaped with `\`).
std::string GlobLiteral(const std::string& path);

}  // namespace sotinc

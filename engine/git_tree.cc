#include "engine/git_tree.h"

#include <algorithm>
#include <utility>

#include "engine/git_handles.h"

namespace sotinc {

FileType FileTypeFromGitMode(uint32_t mode) {
  switch (mode) {
    case GIT_FILEMODE_BLOB_EXECUTABLE:
      return FileType::kExecutable;
    case GIT_FILEMODE_LINK:
      return FileType::kSymlink;
    case GIT_FILEMODE_COMMIT:
      return FileType::kSubmodule;
    default:
      return FileType::kRegular;
  }
}

namespace {

// The tree REV names, or null for an empty REV (the empty tree).
Result<git::TreePtr> LookupTree(const GitRepo& repo, const std::string& rev) {
  if (rev.empty()) return git::TreePtr();
  Result<std::string> id = repo.ResolveTree(rev);
  if (!id.ok()) return id.status();
  git_oid oid;
  git::ParseOid(*id, &oid);
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, repo.raw(), &oid) < 0) {
    return git::Error("cannot read the tree of '" + rev + "'");
  }
  return git::TreePtr(raw);
}

int CollectFile(const char* root, const git_tree_entry* entry, void* payload) {
  git_object_t type = git_tree_entry_type(entry);
  if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_COMMIT) return 0;  // descend into trees
  auto* files = static_cast<std::vector<TreeFile>*>(payload);
  TreeFile file;
  file.path = std::string(root) + git_tree_entry_name(entry);
  file.id = git::OidHex(*git_tree_entry_id(entry));
  file.type = FileTypeFromGitMode(git_tree_entry_filemode(entry));
  files->push_back(std::move(file));
  return 0;
}

int CollectDeltaPaths(const git_diff_delta* delta, float /*progress*/, void* payload) {
  auto* paths = static_cast<std::vector<std::string>*>(payload);
  if (delta->old_file.path != nullptr) paths->emplace_back(delta->old_file.path);
  if (delta->new_file.path != nullptr) paths->emplace_back(delta->new_file.path);
  return 0;
}

}  // namespace

Result<std::vector<TreeFile>> ListTreeFiles(const GitRepo& repo, const std::string& rev) {
  Result<git::TreePtr> tree = LookupTree(repo, rev);
  if (!tree.ok()) return tree.status();
  std::vector<TreeFile> files;
  if (*tree == nullptr) return files;
  if (git_tree_walk(tree->get(), GIT_TREEWALK_PRE, CollectFile, &files) < 0) {
    return git::Error("cannot list the tree of '" + rev + "'");
  }
  // Tree order already equals byte order of full paths; sorting is cheap
  // insurance against a malformed tree.
  std::sort(files.begin(), files.end(),
            [](const TreeFile& a, const TreeFile& b) { return a.path < b.path; });
  return files;
}

Result<std::vector<std::string>> DiffTreePaths(const GitRepo& repo, const std::string& old_rev,
                                               const std::string& new_rev) {
  Result<git::TreePtr> old_tree = LookupTree(repo, old_rev);
  if (!old_tree.ok()) return old_tree.status();
  Result<git::TreePtr> new_tree = LookupTree(repo, new_rev);
  if (!new_tree.ok()) return new_tree.status();

  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  options.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo.raw(), old_tree->get(), new_tree->get(), &options) < 0) {
    return git::Error("cannot compare '" + old_rev + "' with '" + new_rev + "'");
  }
  git::DiffPtr diff(raw);
  std::vector<std::string> paths;
  // Only the file callback: deltas come from comparing ids and modes, no
  // blob is loaded.
  if (git_diff_foreach(diff.get(), CollectDeltaPaths, nullptr, nullptr, nullptr, &paths) < 0) {
    return git::Error("cannot compare '" + old_rev + "' with '" + new_rev + "'");
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace sotinc

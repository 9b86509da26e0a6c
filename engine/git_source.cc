// The three sources; the decisions they implement are in git_source.h, the
// working tree's listing in git_worktree_walk.cc.
#include "engine/git_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "engine/git_handles.h"
#include "engine/git_index_file.h"
#include "engine/git_tree.h"
#include "engine/git_worktree_walk.h"

namespace sotinc {
namespace {

std::string ShortId(const std::string& hex) { return hex.substr(0, 7); }

std::string ErrnoText() { return std::strerror(errno); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads objects by the content id of the entry; an entry without one (the
// caller did not keep it) is looked up in a new listing, which is rare and
// costs what List() does, where a map kept for it cost every listing a
// string and a node per file.
class ObjectSource : public FileSource {
 public:
  explicit ObjectSource(GitRepo* repo) : repo_(repo) {}

  Result<std::string> Read(const FileEntry& file) override {
    if (file.type == FileType::kSubmodule) {
      return Status::Error("'" + file.path + "' is a submodule; it has no content to read");
    }
    git_oid oid;
    if (!git::ParseOid(file.content_id, &oid)) {
      Result<std::vector<FileEntry>> listed = List();
      if (!listed.ok()) return listed.status();
      auto it = std::find_if(listed->begin(), listed->end(),
                             [&](const FileEntry& e) { return e.path == file.path; });
      if (it == listed->end() || !git::ParseOid(it->content_id, &oid)) {
        return Status::Error("'" + file.path + "' is not in the " + description());
      }
    }
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo_->raw(), &oid) < 0) {
      return git::Error("cannot read '" + file.path + "' (blob " + git::OidHex(oid) +
                        ") from the " + description());
    }
    git::BlobPtr blob(raw);
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    return std::string(data, static_cast<size_t>(git_blob_rawsize(blob.get())));
  }

  std::string materialized_root() const override { return ""; }
  Status ReopenAfterFork() override { return repo_->ReopenAfterFork(); }

 protected:
  // Appends the entry for PATH; its size comes from the object's header
  // (GitRepo::BlobSize).
  Status Add(const std::string& path, const git_oid& oid, FileType type,
             std::vector<FileEntry>* out) {
    FileEntry entry;
    entry.path = path;
    entry.type = type;
    entry.content_id = git::OidHex(oid);
    if (type != FileType::kSubmodule) {
      Result<uint64_t> size = repo_->BlobSize(oid);
      if (!size.ok()) {
        return Status::Error("the " + description() + " lists '" + path + "' but its blob " +
                             entry.content_id + " cannot be read: " + size.error());
      }
      entry.size = *size;
    }
    out->push_back(std::move(entry));
    return Status::Ok();
  }


  GitRepo* repo_;  // borrowed
};

class IndexSource : public ObjectSource {
 public:
  using ObjectSource::ObjectSource;

  Result<std::vector<FileEntry>> List() override {
    Result<std::vector<GitIndexEntry>> entries = ReadGitIndexFile(repo_->index_path());
    if (!entries.ok()) return entries.status();

    std::vector<FileEntry> files;
    files.reserve(entries->size());
    const std::vector<GitIndexEntry>& index = *entries;
    for (size_t i = 0; i < index.size();) {
      // Stages 1-3 of a conflicted path are adjacent. Take stage 0, else
      // ours, else theirs (see git_source.h).
      const GitIndexEntry* chosen = nullptr;
      size_t j = i;
      for (; j < index.size() && index[j].path == index[i].path; ++j) {
        int stage = index[j].stage();
        if (stage == 0 || stage == 2 || (stage == 3 && chosen == nullptr)) chosen = &index[j];
      }
      i = j;
      if (chosen == nullptr || chosen->intent_to_add()) continue;  // not in the next commit
      git_oid oid;
      std::memcpy(oid.id, chosen->id, sizeof(chosen->id));
      Status s = Add(chosen->path, oid, FileTypeFromGitMode(chosen->mode), &files);
      if (!s.ok()) return s;
    }
    return files;  // the index is sorted by path in byte order
  }

  std::string description() const override { return "index"; }
};

class RevisionSource : public ObjectSource {
 public:
  RevisionSource(GitRepo* repo, std::string tree_id, std::string description)
      : ObjectSource(repo), tree_id_(std::move(tree_id)), description_(std::move(description)) {}

  Result<std::vector<FileEntry>> List() override {
    Result<std::vector<TreeFile>> tree = ListTreeFiles(*repo_, tree_id_);
    if (!tree.ok()) return tree.status();
    std::vector<FileEntry> files;
    files.reserve(tree->size());
    for (const TreeFile& file : *tree) {
      git_oid oid;
      git::ParseOid(file.id, &oid);
      Status s = Add(file.path, oid, file.type, &files);
      if (!s.ok()) return s;
    }
    return files;
  }

  std::string description() const override { return description_; }

 private:
  std::string tree_id_;
  std::string description_;
};

class WorkingTreeSource : public FileSource {
 public:
  WorkingTreeSource(GitRepo* repo, WorktreeWalkOptions options)
      : repo_(repo), options_(std::move(options)) {}

  Result<std::vector<FileEntry>> List() override { return ListWorkingTree(*repo_, options_); }

  Result<std::string> Read(const FileEntry& file) override {
    const std::string path = repo_->workdir() + "/" + file.path;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
      return Status::Error("cannot read '" + file.path + "': " + ErrnoText());
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      for (;;) {
        ssize_t n = readlink(path.c_str(), &target[0], target.size());
        if (n < 0) return Status::Error("cannot read the link '" + file.path + "': " + ErrnoText());
        if (static_cast<size_t>(n) < target.size()) {
          target.resize(static_cast<size_t>(n));
          return target;
        }
        target.resize(target.size() * 2);  // the link grew since lstat
      }
    }
    if (S_ISDIR(st.st_mode)) {
      return Status::Error("'" + file.path + "' is a directory (a submodule); it has no content");
    }
    if (!S_ISREG(st.st_mode)) return Status::Error("'" + file.path + "' is not a regular file");
    std::string content;
    content.reserve(static_cast<size_t>(st.st_size));
    Status s = StreamRegular(file, path, [&content](std::string_view b) { content.append(b); });
    if (!s.ok()) return s;
    return content;
  }

  Status ReadChunks(const FileEntry& file,
                    const std::function<void(std::string_view)>& sink) override {
    const std::string path = repo_->workdir() + "/" + file.path;
    struct stat st;
    if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      return StreamRegular(file, path, sink);
    }
    return FileSource::ReadChunks(file, sink);  // links, errors: as Read() says
  }

  std::string materialized_root() const override { return repo_->workdir(); }
  std::string description() const override { return "working tree"; }

 private:
  // Reads the regular file at `path` (never through a symlink) in 64 KiB
  // pieces.
  static Status StreamRegular(const FileEntry& file, const std::string& path,
                              const std::function<void(std::string_view)>& sink) {
    FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return Status::Error("cannot read '" + file.path + "': " + ErrnoText());
    char buf[1 << 16];
    for (;;) {
      ssize_t n = read(fd.get(), buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Error("cannot read '" + file.path + "': " + ErrnoText());
      if (n == 0) break;
      sink(std::string_view(buf, static_cast<size_t>(n)));
    }
    return Status::Ok();
  }

  GitRepo* repo_;  // borrowed
  const WorktreeWalkOptions options_;
};

WorktreeWalkOptions ReadWalkOptions(git_repository* repo) {
  WorktreeWalkOptions settings;
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) == 0) {
    git::ConfigPtr config(raw);
    int value = 0;
    if (git_config_get_bool(&value, config.get(), "core.filemode") == 0) {
      settings.trust_file_mode = value != 0;
    }
    if (git_config_get_bool(&value, config.get(), "core.ignorecase") == 0) {
      settings.ignore_case = value != 0;
    }
    git_buf path = GIT_BUF_INIT;
    if (git_config_get_path(&path, config.get(), "core.excludesfile") == 0) {
      settings.excludes_file = path.ptr;
    }
    git_buf_dispose(&path);
  }
  if (settings.excludes_file.empty()) {
    // git's default: $XDG_CONFIG_HOME/git/ignore, else ~/.config/git/ignore.
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (xdg != nullptr && xdg[0] != '\0') {
      settings.excludes_file = std::string(xdg) + "/git/ignore";
    } else if (home != nullptr && home[0] != '\0') {
      settings.excludes_file = std::string(home) + "/.config/git/ignore";
    }
  }
  return settings;
}

}  // namespace

Result<std::unique_ptr<FileSource>> NewIndexSource(GitRepo* repo) {
  git::EnsureInit();
  return std::unique_ptr<FileSource>(new IndexSource(repo));
}

Result<std::unique_ptr<FileSource>> NewRevisionSource(GitRepo* repo, const std::string& rev) {
  Result<std::string> tree = repo->ResolveTree(rev);
  if (!tree.ok()) return tree.status();
  Result<std::string> commit = repo->ResolveCommit(rev);
  std::string description = commit.ok() ? "commit " + ShortId(*commit) : "tree " + ShortId(*tree);
  return std::unique_ptr<FileSource>(new RevisionSource(repo, *tree, std::move(description)));
}

Result<std::unique_ptr<FileSource>> NewWorkingTreeSource(GitRepo* repo) {
  git::EnsureInit();
  if (repo->is_bare()) {
    return Status::Error("the repository '" + repo->gitdir() +
                         "' is bare: it has no working tree (use --rev REV)");
  }
  return std::unique_ptr<FileSource>(new WorkingTreeSource(repo, ReadWalkOptions(repo->raw())));
}

}  // namespace sotinc

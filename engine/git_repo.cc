#include "engine/git_repo.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <utility>

#include "engine/git_handles.h"
#include "engine/wire.h"

namespace sotinc {

struct GitRepo::BlobSizes {
  struct Hash {
    size_t operator()(const git_oid& oid) const {
      size_t h;
      std::memcpy(&h, oid.id, sizeof h);  // an object id is already uniform
      return h;
    }
  };
  struct Equal {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
  };
  struct Known {
    uint64_t size = 0;
    bool used = false;  // answered through BlobSize() by this handle
  };
  std::unordered_map<git_oid, Known, Hash, Equal> sizes;
};

namespace git {

void EnsureInit() {
  static const bool initialized = [] {
    git_libgit2_init();
    // Shut down at exit so that libgit2's per-thread buffers are freed (a
    // clean LeakSanitizer report); nothing uses libgit2 after main returns.
    std::atexit([] { git_libgit2_shutdown(); });
    return true;
  }();
  (void)initialized;
}

Status Error(const std::string& what) {
  const git_error* e = git_error_last();
  if (e == nullptr || e->message == nullptr || e->message[0] == '\0') return Status::Error(what);
  return Status::Error(what + ": " + e->message);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return buf;
}

bool ParseOid(const std::string& hex, git_oid* out) {
  return hex.size() == GIT_OID_HEXSZ && git_oid_fromstrn(out, hex.data(), hex.size()) == 0;
}

}  // namespace git

namespace {

// Non-empty value of an environment variable, or null.
const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return (value != nullptr && value[0] != '\0') ? value : nullptr;
}

std::string StripTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// PATH made absolute against BASE (itself relative to the process's
// working directory), normalised, without a trailing slash.
std::string AbsoluteFrom(const std::string& base, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::path(path).is_absolute() ? fs::path(path) : fs::absolute(base, ec) / path;
  return StripTrailingSlash(p.lexically_normal().string());
}

bool IsTrue(const char* value) {
  if (value == nullptr) return false;
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

bool HasConfig(git_repository* repo, const char* key) {
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) < 0) return false;
  git::ConfigPtr config(raw);
  git_config_entry* entry = nullptr;
  if (git_config_get_entry(&entry, config.get(), key) < 0) return false;
  git_config_entry_free(entry);
  return true;
}

const char* TypeName(git_object_t type) {
  switch (type) {
    case GIT_OBJECT_BLOB:
      return "a blob";
    case GIT_OBJECT_TREE:
      return "a tree";
    case GIT_OBJECT_COMMIT:
      return "a commit";
    case GIT_OBJECT_TAG:
      return "a tag";
    default:
      return "an object";
  }
}

}  // namespace

GitRepo::GitRepo(git_repository* repo, std::string workdir, std::string gitdir,
                 std::string commondir, std::string index_path)
    : repo_(repo),
      workdir_(std::move(workdir)),
      gitdir_(std::move(gitdir)),
      commondir_(std::move(commondir)),
      index_path_(std::move(index_path)) {}

GitRepo::~GitRepo() { git_repository_free(repo_); }

Result<std::unique_ptr<GitRepo>> GitRepo::Open(const std::string& dir) {
  git::EnsureInit();
  const std::string start = dir.empty() ? "." : dir;
  struct stat st;
  if (stat(start.c_str(), &st) != 0) {
    return Status::Error("cannot change to '" + start + "': " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return Status::Error("cannot change to '" + start + "': not a directory");

  git_repository* raw = nullptr;
  const char* env_gitdir = Env("GIT_DIR");
  if (env_gitdir != nullptr) {
    // As in git: GIT_DIR names the repository itself, no search.
    std::string gitdir = AbsoluteFrom(start, env_gitdir);
    if (git_repository_open_ext(&raw, gitdir.c_str(),
                                GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_NO_DOTGIT,
                                nullptr) < 0) {
      return git::Error("not a git repository: '" + gitdir + "' (from GIT_DIR)");
    }
  } else {
    unsigned flags = 0;
    if (IsTrue(Env("GIT_DISCOVERY_ACROSS_FILESYSTEM"))) flags |= GIT_REPOSITORY_OPEN_CROSS_FS;
    int rc = git_repository_open_ext(&raw, start.c_str(), flags, Env("GIT_CEILING_DIRECTORIES"));
    if (rc == GIT_ENOTFOUND) {
      return Status::Error("not a git repository (or any of the parent directories): " +
                           AbsoluteFrom(".", start));
    }
    if (rc < 0) return git::Error("cannot open the git repository at '" + start + "'");
  }
  git::RepositoryPtr repo(raw);

  if (env_gitdir != nullptr) {
    const char* env_worktree = Env("GIT_WORK_TREE");
    std::string worktree;
    if (env_worktree != nullptr) {
      worktree = AbsoluteFrom(start, env_worktree);
    } else if (!git_repository_is_bare(repo.get()) && !HasConfig(repo.get(), "core.worktree")) {
      worktree = AbsoluteFrom(".", start);  // git: the current directory is the top
    }
    // Only when it differs from what libgit2 found: in libgit2 1.5
    // git_repository_set_workdir leaks the previous path.
    const char* found = git_repository_workdir(repo.get());
    if (!worktree.empty() && (found == nullptr || StripTrailingSlash(found) != worktree) &&
        git_repository_set_workdir(repo.get(), worktree.c_str(), 0) < 0) {
      return git::Error("cannot use '" + worktree + "' as the working tree");
    }
  }

  const char* workdir = git_repository_workdir(repo.get());
  std::string workdir_path = workdir != nullptr ? StripTrailingSlash(workdir) : std::string();
  std::string gitdir = StripTrailingSlash(git_repository_path(repo.get()));
  std::string commondir = StripTrailingSlash(git_repository_commondir(repo.get()));
  // The index is read by engine/git_index_file.cc, not through libgit2, so
  // only its path is needed here.
  const char* env_index = Env("GIT_INDEX_FILE");
  std::string index_path =
      env_index != nullptr ? AbsoluteFrom(start, env_index) : gitdir + "/index";
  return std::unique_ptr<GitRepo>(new GitRepo(repo.release(), std::move(workdir_path),
                                              std::move(gitdir), std::move(commondir),
                                              std::move(index_path)));
}

Result<uint64_t> GitRepo::BlobSize(const git_oid& oid) {
  if (!blob_sizes_) blob_sizes_ = std::make_unique<BlobSizes>();
  auto it = blob_sizes_->sizes.find(oid);
  if (it != blob_sizes_->sizes.end()) {
    it->second.used = true;
    return it->second.size;
  }
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo_) < 0) return git::Error("no object database");
  git::OdbPtr owned(odb);
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&size, &type, odb, &oid) < 0) {
    const git_error* e = git_error_last();
    return Status::Error(e != nullptr && e->message != nullptr ? e->message : "not found");
  }
  ++blob_headers_read_;
  blob_sizes_->sizes.emplace(oid, BlobSizes::Known{size, true});
  return static_cast<uint64_t>(size);
}

void GitRepo::RememberBlobSizes(std::string_view record) {
  WireReader r(record);
  unsigned char version = 0, kind = 0;
  uint64_t n = 0;
  if (!r.Byte(&version) || !r.Byte(&kind) || version != 1 || kind != 'S' || !r.Varint(&n) ||
      n > r.remaining() / (GIT_OID_RAWSZ + 1)) {
    return;
  }
  std::vector<std::pair<git_oid, uint64_t>> read;
  read.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    git_oid oid;
    for (unsigned char& b : oid.id) {
      if (!r.Byte(&b)) return;
    }
    uint64_t size = 0;
    if (!r.Varint(&size)) return;
    read.emplace_back(oid, size);
  }
  if (!r.AtEnd()) return;
  if (!blob_sizes_) blob_sizes_ = std::make_unique<BlobSizes>();
  for (const auto& [oid, size] : read) blob_sizes_->sizes.emplace(oid, BlobSizes::Known{size, false});
}

std::string GitRepo::EncodeBlobSizes() const {
  std::vector<std::pair<const git_oid*, uint64_t>> used;
  if (blob_sizes_) {
    for (const auto& [oid, known] : blob_sizes_->sizes) {
      if (known.used) used.emplace_back(&oid, known.size);
    }
  }
  std::sort(used.begin(), used.end(),
            [](const auto& a, const auto& b) { return git_oid_cmp(a.first, b.first) < 0; });
  std::string out = "\x01S";
  PutVarint(&out, used.size());
  for (const auto& [oid, size] : used) {
    out.append(reinterpret_cast<const char*>(oid->id), GIT_OID_RAWSZ);
    PutVarint(&out, size);
  }
  return out;
}

Status GitRepo::ReopenAfterFork() {
  git_repository* fresh = nullptr;
  if (git_repository_open_ext(&fresh, gitdir_.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_NO_DOTGIT,
                              nullptr) < 0) {
    return git::Error("cannot reopen the git repository at '" + gitdir_ + "' in a worker");
  }
  git_repository_free(repo_);
  repo_ = fresh;
  return Status::Ok();
}

bool GitRepo::IsShallow() const { return git_repository_is_shallow(repo_) == 1; }

bool GitRepo::HeadIsUnborn() const { return git_repository_head_unborn(repo_) == 1; }

namespace {

// The branch HEAD points at ("main"), or "" when HEAD is detached.
std::string HeadBranch(git_repository* repo) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") < 0) return "";
  git::ReferencePtr head(raw);
  const char* target = git_reference_symbolic_target(head.get());
  if (target == nullptr) return "";
  std::string name = target;
  const std::string prefix = "refs/heads/";
  return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : name;
}

// REV parsed and peeled to TYPE (a commit or a tree).
Result<std::string> Peel(const GitRepo& repo, const std::string& rev, git_object_t type) {
  git::EnsureInit();
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo.raw(), rev.c_str());
  if (rc < 0) {
    if ((rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) && rev.compare(0, 4, "HEAD") == 0 &&
        repo.HeadIsUnborn()) {
      return Status::Error("unknown revision '" + rev + "': the branch '" + HeadBranch(repo.raw()) +
                           "' has no commits yet");
    }
    if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
      return Status::Error("unknown revision '" + rev + "': not a commit, branch or tag");
    }
    if (rc == GIT_EAMBIGUOUS) {
      return git::Error("ambiguous revision '" + rev + "': use more digits or a full ref name");
    }
    return git::Error("invalid revision '" + rev + "'");
  }
  git::ObjectPtr object(raw);
  git_object* peeled_raw = nullptr;
  if (git_object_peel(&peeled_raw, object.get(), type) < 0) {
    return Status::Error("revision '" + rev + "' names " + TypeName(git_object_type(object.get())) +
                         (type == GIT_OBJECT_COMMIT ? ", not a commit" : ", not a tree or commit"));
  }
  git::ObjectPtr peeled(peeled_raw);
  return git::OidHex(*git_object_id(peeled.get()));
}

}  // namespace

Result<std::string> GitRepo::ResolveCommit(const std::string& rev) const {
  return Peel(*this, rev, GIT_OBJECT_COMMIT);
}

Result<std::string> GitRepo::ResolveTree(const std::string& rev) const {
  return Peel(*this, rev, GIT_OBJECT_TREE);
}

Result<std::string> GitRepo::MergeBaseWithHead(const std::string& rev) const {
  Result<std::string> theirs = ResolveCommit(rev);
  if (!theirs.ok()) return theirs.status();
  Result<std::string> head = ResolveCommit("HEAD");
  if (!head.ok()) return head.status();
  git_oid a, b, base;
  git::ParseOid(*theirs, &a);
  git::ParseOid(*head, &b);
  int rc = git_merge_base(&base, repo_, &a, &b);
  if (rc == GIT_ENOTFOUND) {
    std::string message = "no merge base between '" + rev + "' and HEAD: they share no history";
    if (IsShallow()) {
      message += " in this shallow clone; fetch more history (git fetch --unshallow)";
    }
    return Status::Error(message);
  }
  if (rc < 0) return git::Error("cannot compute the merge base of '" + rev + "' and HEAD");
  return git::OidHex(base);
}

Result<std::string> GitRepo::HooksDir() const {
  git::EnsureInit();
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo_) < 0) {
    return git::Error("cannot read the git configuration of " + gitdir_);
  }
  git::ConfigPtr config(raw);
  git_config_entry* entry = nullptr;
  int rc = git_config_get_entry(&entry, config.get(), "core.hooksPath");
  if (rc == GIT_ENOTFOUND) return commondir_ + "/hooks";
  if (rc < 0) return git::Error("cannot read core.hooksPath");
  std::string value = entry->value != nullptr ? entry->value : "";
  git_config_entry_free(entry);
  if (value.empty()) {
    // git then looks for hooks at "/pre-commit" and so, in practice, runs none.
    return Status::Error(
        "core.hooksPath is set but empty, so git runs no hooks; unset it (git config --unset "
        "core.hooksPath) or set it to a directory");
  }
  if (value == "~" || value.compare(0, 2, "~/") == 0) {
    // As git does: HOME itself, not libgit2's global search path.
    const char* home = Env("HOME");
    if (home == nullptr) {
      return Status::Error("core.hooksPath is '" + value +
                           "' but HOME is not set, so '~' cannot be expanded");
    }
    value = std::string(home) + value.substr(1);
  }
  // Hooks run at the top of the working tree, or in the git directory of
  // a bare repository; a relative hooksPath is relative to that.
  return AbsoluteFrom(is_bare() ? gitdir_ : workdir_, value);
}

std::string GitRepo::CacheDir() const { return (is_bare() ? gitdir_ : commondir_) + "/sotinc"; }

}  // namespace sotinc

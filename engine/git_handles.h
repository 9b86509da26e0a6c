// RAII owners for libgit2 handles and the conversion of libgit2 errors
// into Status, shared by the git layer's .cc files.
//
// This is the one header that includes <git2.h>. Only engine/git_*.cc
// include it: the rest of the project sees git through GitRepo, the tree
// helpers and the FileSources, and never names a libgit2 type.
//
// Every handle type is a std::unique_ptr whose deleter calls the matching
// git_*_free, so a handle is owned by exactly one place and freed on every
// path out of a function. Handles are not thread-safe: libgit2 lets
// different threads use different objects, never one object at once.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "engine/status.h"

namespace sotinc {
namespace git {

// Calls git_libgit2_init exactly once per process (thread-safe through a
// function-local static). Every entry point of the git layer calls it
// before touching libgit2; the library is never shut down.
void EnsureInit();

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

using RepositoryPtr = Handle<git_repository, git_repository_free>;
using IndexPtr = Handle<git_index, git_index_free>;
using ObjectPtr = Handle<git_object, git_object_free>;
using TreePtr = Handle<git_tree, git_tree_free>;
using TreeEntryPtr = Handle<git_tree_entry, git_tree_entry_free>;
using BlobPtr = Handle<git_blob, git_blob_free>;
using CommitPtr = Handle<git_commit, git_commit_free>;
using OdbPtr = Handle<git_odb, git_odb_free>;
using DiffPtr = Handle<git_diff, git_diff_free>;
using ConfigPtr = Handle<git_config, git_config_free>;
using ReferencePtr = Handle<git_reference, git_reference_free>;

// "WHAT: <libgit2's last error message>" (or just WHAT when libgit2 left
// no message). Call it right after the failing libgit2 call.
Status Error(const std::string& what);

std::string OidHex(const git_oid& oid);

// Parses a full 40-digit hex id; false on anything else.
bool ParseOid(const std::string& hex, git_oid* out);

}  // namespace git
}  // namespace sotinc

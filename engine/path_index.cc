#include "engine/path_index.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace sotinc {

PathIndex::PathIndex(std::vector<std::string> paths) {
  auto owned = std::make_shared<const std::vector<std::string>>(std::move(paths));
  paths_.assign(owned->begin(), owned->end());
  storage_ = std::move(owned);
  SortAndDedup();
}

PathIndex PathIndex::Viewing(std::vector<std::string_view> paths,
                             std::shared_ptr<const void> keep_alive) {
  PathIndex index;
  index.paths_ = std::move(paths);
  index.storage_ = std::move(keep_alive);
  index.SortAndDedup();
  return index;
}

void PathIndex::SortAndDedup() {
  // string_view compares through char_traits<char>, which orders as
  // unsigned bytes: the same order git and the output use. Listings come
  // sorted; checking is linear, sorting them again is not.
  if (!std::is_sorted(paths_.begin(), paths_.end())) std::sort(paths_.begin(), paths_.end());
  paths_.erase(std::unique(paths_.begin(), paths_.end()), paths_.end());
  assert(paths_.size() < std::numeric_limits<uint32_t>::max());
}

const PathIndex::Buckets& PathIndex::buckets() const {
  static const Buckets kMovedFrom;  // paths_ is empty then too
  if (!buckets_) return kMovedFrom;
  Buckets& b = *buckets_;
  std::call_once(b.built, [&] {
    for (uint32_t i = 0; i < paths_.size(); ++i) {
      std::string_view path = paths_[i];
      std::string_view base = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
      b.by_basename[base].push_back(i);
      size_t dot = base.rfind('.');
      if (dot != std::string_view::npos && dot + 1 < base.size()) {
        b.by_extension[base.substr(dot + 1)].push_back(i);
      }
    }
  });
  return b;
}

std::pair<uint32_t, uint32_t> PathIndex::PrefixRange(std::string_view prefix) const {
  auto first = std::lower_bound(paths_.begin(), paths_.end(), prefix);
  // Everything from `first` on is >= prefix, and those that start with it
  // come before those that do not.
  auto last = std::partition_point(first, paths_.end(), [&](std::string_view p) {
    return p.substr(0, prefix.size()) == prefix;
  });
  return {static_cast<uint32_t>(first - paths_.begin()),
          static_cast<uint32_t>(last - paths_.begin())};
}

const std::vector<uint32_t>* PathIndex::WithBasename(std::string_view name) const {
  const Buckets& b = buckets();
  auto it = b.by_basename.find(name);
  return it == b.by_basename.end() ? nullptr : &it->second;
}

const std::vector<uint32_t>* PathIndex::WithExtension(std::string_view ext) const {
  const Buckets& b = buckets();
  auto it = b.by_extension.find(ext);
  return it == b.by_extension.end() ? nullptr : &it->second;
}

int64_t PathIndex::Find(std::string_view path) const {
  auto it = std::lower_bound(paths_.begin(), paths_.end(), path);
  if (it == paths_.end() || *it != path) return -1;
  return it - paths_.begin();
}

namespace {

// The directories of `files`, viewing prefixes of the same strings.
PathIndex DirsOf(const PathIndex& files) {
  // Files under one directory are contiguous in sorted order, so once a
  // directory is an ancestor of the previous file it and all of its own
  // ancestors were already emitted: each directory is emitted once.
  std::vector<std::string_view> dirs;
  std::string_view prev;
  for (std::string_view path : files.paths()) {
    for (size_t slash = path.rfind('/'); slash != std::string_view::npos && slash > 0;
         slash = path.rfind('/', slash - 1)) {
      std::string_view dir = path.substr(0, slash);
      if (prev.size() > dir.size() && prev.compare(0, dir.size(), dir) == 0 &&
          prev[dir.size()] == '/') {
        break;
      }
      dirs.push_back(dir);
    }
    prev = path;
  }
  return PathIndex::Viewing(std::move(dirs), files.storage());
}

}  // namespace

Tree Tree::FromFiles(std::vector<std::string> files) {
  Tree tree;
  tree.files = PathIndex(std::move(files));
  tree.dirs = DirsOf(tree.files);
  return tree;
}

Tree Tree::Viewing(std::vector<std::string_view> files) {
  Tree tree;
  tree.files = PathIndex::Viewing(std::move(files));
  tree.dirs = DirsOf(tree.files);
  return tree;
}

}  // namespace sotinc

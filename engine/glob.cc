// Glob matching: a compiled Glob runs its RE2 program over a path, and a
// GlobList narrows a PathIndex to candidates (prefix ranges, basename and
// extension buckets) before matching. Compilation is in glob_parse.cc.
#include "engine/glob.h"

#include <re2/re2.h>

#include <algorithm>
#include <unordered_map>

#include "engine/glob_parse.h"
#include "engine/path_index.h"

namespace sotinc {

// The compiled program; glob_parse.cc builds it, this file only matches.
struct Glob::Impl : glob_internal::CompiledGlob {};

Glob::Glob(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Glob::Glob(Glob&&) noexcept = default;
Glob& Glob::operator=(Glob&&) noexcept = default;
Glob::~Glob() = default;

Result<Glob> Glob::Compile(std::string_view pattern) { return CompileAt(pattern, 0); }

Result<Glob> Glob::CompileAt(std::string_view pattern, int column_offset) {
  auto impl = std::make_unique<Impl>();
  Status s = glob_internal::CompileGlob(pattern, column_offset, impl.get());
  if (!s.ok()) return s;
  return Glob(std::move(impl));
}

bool Glob::Match(std::string_view path, Captures* captures) const {
  if (impl_->simple) {
    // Most globs are segment shapes that need no regex (glob_parse.h).
    bool want = captures != nullptr && !impl_->capture_names.empty();
    std::vector<std::string_view> bound;
    int r = glob_internal::SimpleMatch(*impl_, path, want ? &bound : nullptr);
    if (r == 0) return false;
    if (r == 1) {
      if (captures != nullptr) {
        captures->clear();
        for (size_t i = 0; i < bound.size(); ++i) {
          if (bound[i].data() != nullptr) {
            captures->emplace_back(impl_->capture_names[i], std::string(bound[i]));
          }
        }
      }
      return true;
    }
  }
  return MatchRegex(path, captures);
}

bool Glob::MatchRegex(std::string_view path, Captures* captures) const {
  const RE2& re = *impl_->re;
  re2::StringPiece text(path.data(), path.size());
  if (captures == nullptr || impl_->group_name.empty()) {
    if (!re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0)) return false;
    if (captures != nullptr) captures->clear();
    return true;
  }
  std::vector<re2::StringPiece> groups(1 + impl_->group_name.size());
  if (!re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, groups.data(),
                static_cast<int>(groups.size()))) {
    return false;
  }
  // Captures are never empty, so a null group is one whose alternative
  // did not take part in the match.
  std::vector<const re2::StringPiece*> bound(impl_->capture_names.size(), nullptr);
  for (size_t g = 0; g < impl_->group_name.size(); ++g) {
    if (groups[g + 1].data() != nullptr) bound[impl_->group_name[g]] = &groups[g + 1];
  }
  captures->clear();
  for (size_t i = 0; i < bound.size(); ++i) {
    if (bound[i] != nullptr) {
      captures->emplace_back(impl_->capture_names[i],
                             std::string(bound[i]->data(), bound[i]->size()));
    }
  }
  return true;
}

const std::string& Glob::pattern() const { return impl_->pattern; }
const std::vector<std::string>& Glob::capture_names() const { return impl_->capture_names; }
const std::string& Glob::literal_prefix() const { return impl_->prefix; }
const std::string& Glob::literal_suffix() const { return impl_->suffix; }

Result<GlobList> GlobList::Compile(const std::vector<std::string>& patterns) {
  GlobList list;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string& entry = patterns[i];
    bool exclude = !entry.empty() && entry[0] == '!';
    Result<Glob> glob =
        exclude ? Glob::CompileAt(std::string_view(entry).substr(1), 1) : Glob::Compile(entry);
    if (!glob.ok()) {
      return Status::Error("glob " + std::to_string(i + 1) + " ('" + entry + "'): " + glob.error());
    }
    (exclude ? list.negative_ : list.positive_).push_back(std::move(*glob));
  }
  list.patterns_ = patterns;
  return list;
}

bool GlobList::Excluded(std::string_view path) const {
  for (const Glob& g : negative_) {
    if (g.Match(path)) return true;
  }
  return false;
}

bool GlobList::Match(std::string_view path, Captures* captures) const {
  for (const Glob& g : positive_) {
    if (!g.Match(path)) continue;
    if (Excluded(path)) return false;
    if (captures != nullptr) g.Match(path, captures);
    return true;
  }
  return false;
}

std::vector<uint32_t> GlobList::Candidates(const Glob& glob, const PathIndex& paths) {
  auto [lo, hi] = paths.PrefixRange(glob.literal_prefix());
  const Glob::Impl& impl = *glob.impl_;
  std::vector<const std::vector<uint32_t>*> buckets;
  size_t total = 0;
  for (const std::string& name : impl.basenames) buckets.push_back(paths.WithBasename(name));
  for (const std::string& ext : impl.extensions) buckets.push_back(paths.WithExtension(ext));
  for (const auto* b : buckets) total += b != nullptr ? b->size() : 0;
  std::vector<uint32_t> out;
  if (buckets.empty() || total >= hi - lo) {
    out.resize(hi - lo);
    for (uint32_t i = lo; i < hi; ++i) out[i - lo] = i;
    return out;
  }
  for (const auto* b : buckets) {
    if (b == nullptr) continue;
    // Buckets are ascending, so the part inside [lo, hi) is one slice.
    auto first = std::lower_bound(b->begin(), b->end(), lo);
    auto last = std::lower_bound(first, b->end(), hi);
    out.insert(out.end(), first, last);
  }
  if (buckets.size() > 1) {
    // A path has one basename and one extension, but a basename key and an
    // extension key can both name it ("{Makefile,*.mk}" does not, "{a.mk,*.mk}" does).
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

std::vector<GlobMatch> GlobList::MatchAll(const PathIndex& paths,
                                          std::vector<std::string>* dead) const {
  std::vector<GlobMatch> out;
  if (positive_.size() == 1) {
    // One positive glob (most rules): it owns every path it matches, and
    // its candidates come ascending, so there is nothing to de-duplicate or
    // sort, and one match per candidate fills the captures.
    const Glob& glob = positive_[0];
    const std::string& suffix = glob.literal_suffix();
    const bool one_pass = glob.impl_->simple || glob.impl_->capture_names.empty();
    const std::vector<uint32_t> candidates = Candidates(glob, paths);
    out.reserve(candidates.size());  // address space only, until written
    for (uint32_t idx : candidates) {
      std::string_view path = paths.paths()[idx];
      if (path.size() < suffix.size() ||
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      Captures captures;
      // Capturing through RE2 costs more than rejecting: reject first.
      if (!one_pass && !glob.Match(path)) continue;
      if (!glob.Match(path, &captures)) continue;
      if (Excluded(path)) continue;
      out.push_back(GlobMatch{idx, std::move(captures)});
    }
    // Alive means some match survived the exclusions.
    if (out.empty() && dead != nullptr) dead->push_back(glob.pattern());
    return out;
  }
  // Path index -> slot in `out`, or -1 when an exclusion matched it. Only
  // matched paths get an entry, so the cost follows the matches, not the index.
  std::unordered_map<uint32_t, int64_t> seen;
  // Globs run in list order so that the first positive glob to match a
  // path is the one whose captures it keeps.
  for (const Glob& glob : positive_) {
    const std::string& suffix = glob.literal_suffix();
    bool alive = false;
    for (uint32_t idx : Candidates(glob, paths)) {
      std::string_view path = paths.paths()[idx];
      // Cheaper than RE2 and often decisive when the range is a fallback scan.
      if (path.size() < suffix.size() ||
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      auto it = seen.find(idx);
      // A path an earlier glob owns can only tell us this glob is alive.
      if (it != seen.end() && (it->second < 0 || alive)) continue;
      if (!glob.Match(path)) continue;
      if (it != seen.end()) {
        alive = true;
        continue;
      }
      if (Excluded(path)) {
        seen.emplace(idx, -1);
        continue;
      }
      alive = true;
      seen.emplace(idx, static_cast<int64_t>(out.size()));
      out.push_back(GlobMatch{idx, {}});
      glob.Match(path, &out.back().captures);
    }
    if (!alive && dead != nullptr) dead->push_back(glob.pattern());
  }
  std::sort(out.begin(), out.end(),
            [](const GlobMatch& a, const GlobMatch& b) { return a.index < b.index; });
  return out;
}

}  // namespace sotinc

#include "engine/git_ignore.h"

#include <cctype>
#include <cstring>
#include <utility>

namespace sotinc {
namespace {

// Results of one matching attempt. The two "abort" values let a `*` stop
// trying further positions once no position can succeed, which keeps
// patterns with many stars from taking exponential time (as git does).
enum MatchResult { kMatch, kNoMatch, kAbortAll, kAbortToStarStar };

unsigned char Fold(unsigned char c, bool casefold) {
  return casefold ? static_cast<unsigned char>(std::tolower(c)) : c;
}

bool ClassMatches(std::string_view name, unsigned char c, bool casefold, bool* known) {
  *known = true;
  if (name == "alnum") return std::isalnum(c);
  if (name == "alpha") return std::isalpha(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return std::iscntrl(c);
  if (name == "digit") return std::isdigit(c);
  if (name == "graph") return std::isgraph(c);
  if (name == "lower") return std::islower(c) || (casefold && std::isupper(c));
  if (name == "print") return std::isprint(c);
  if (name == "punct") return std::ispunct(c);
  if (name == "space") return std::isspace(c);
  if (name == "upper") return std::isupper(c) || (casefold && std::islower(c));
  if (name == "xdigit") return std::isxdigit(c);
  *known = false;
  return false;
}

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view text, bool pathname, bool casefold)
      : p_(pattern), t_(text), pathname_(pathname), casefold_(casefold) {}

  MatchResult Match(size_t p, size_t t) const {
    for (; p < p_.size(); ++p, ++t) {
      unsigned char pc = static_cast<unsigned char>(p_[p]);
      if (t >= t_.size() && pc != '*') return kAbortAll;
      const unsigned char tc =
          t < t_.size() ? Fold(static_cast<unsigned char>(t_[t]), casefold_) : 0;
      switch (pc) {
        case '\\':
          // An escaped character matches itself; a trailing `\` matches nothing.
          if (++p >= p_.size()) return kNoMatch;
          if (tc != Fold(static_cast<unsigned char>(p_[p]), casefold_)) return kNoMatch;
          break;
        case '?':
          if (pathname_ && tc == '/') return kNoMatch;
          break;
        case '*':
          return Star(p, t);
        case '[': {
          MatchResult r = Class(&p, tc);
          if (r != kMatch) return r;
          break;
        }
        default:
          if (tc != Fold(pc, casefold_)) return kNoMatch;
      }
    }
    return t < t_.size() ? kNoMatch : kMatch;
  }

 private:
  // P is at the first of one or more `*`.
  MatchResult Star(size_t p, size_t t) const {
    const size_t first = p;
    while (p + 1 < p_.size() && p_[p + 1] == '*') ++p;
    const bool doubled = p > first;
    ++p;  // past the stars
    bool match_slash = !pathname_;
    if (doubled && pathname_ && (first == 0 || p_[first - 1] == '/') &&
        (p == p_.size() || p_[p] == '/')) {
      // `**/` also matches no directory at all.
      if (p < p_.size() && Match(p + 1, t) == kMatch) return kMatch;
      match_slash = true;
    }
    if (p == p_.size()) {
      // A trailing `**` matches everything, a trailing `*` the rest of a segment.
      if (!match_slash && t_.find('/', t) != std::string_view::npos) return kNoMatch;
      return kMatch;
    }
    if (!match_slash && p_[p] == '/') {
      // One `*` then `/`: the star takes the rest of this segment.
      size_t slash = t_.find('/', t);
      if (slash == std::string_view::npos) return kNoMatch;
      return Match(p, slash);
    }
    for (; t < t_.size(); ++t) {
      MatchResult r = Match(p, t);
      if (r != kNoMatch && (!match_slash || r != kAbortToStarStar)) return r;
      if (!match_slash && t_[t] == '/') return kAbortToStarStar;
    }
    return kAbortAll;
  }

  // *P is at `[`; on success it is left at the closing `]`.
  MatchResult Class(size_t* pp, unsigned char tc) const {
    size_t p = *pp + 1;
    auto at = [&](size_t i) -> unsigned char {
      return i < p_.size() ? static_cast<unsigned char>(p_[i]) : 0;
    };
    bool negated = false;
    if (at(p) == '!' || at(p) == '^') {
      negated = true;
      ++p;
    }
    bool matched = false;
    unsigned char prev = 0;
    // The first character (even `]`) is part of the set.
    for (bool first = true; first || at(p) != ']'; first = false, ++p) {
      unsigned char c = at(p);
      if (c == 0) return kAbortAll;  // no closing `]`
      if (c == '\\') {
        c = at(++p);
        if (c == 0) return kAbortAll;
        if (tc == Fold(c, casefold_)) matched = true;
        prev = c;
      } else if (c == '-' && prev != 0 && at(p + 1) != 0 && at(p + 1) != ']') {
        unsigned char hi = at(++p);
        if (hi == '\\') {
          hi = at(++p);
          if (hi == 0) return kAbortAll;
        }
        if (tc >= prev && tc <= hi) matched = true;
        if (casefold_ && std::islower(tc)) {
          unsigned char upper = static_cast<unsigned char>(std::toupper(tc));
          if (upper >= prev && upper <= hi) matched = true;
        }
        prev = 0;
      } else if (c == '[' && at(p + 1) == ':') {
        const size_t name_start = p + 2;
        size_t close = name_start;
        while (at(close) != 0 && at(close) != ']') ++close;
        if (at(close) == 0) return kAbortAll;
        if (close == name_start || at(close - 1) != ':') {
          // Not "[:name:]": a literal `[`.
          if (tc == '[') matched = true;
          prev = '[';
          continue;
        }
        bool known = false;
        std::string_view name = p_.substr(name_start, close - 1 - name_start);
        if (ClassMatches(name, tc, casefold_, &known)) matched = true;
        if (!known) return kAbortAll;
        p = close;
        prev = 0;
      } else {
        if (tc == Fold(c, casefold_)) matched = true;
        prev = c;
      }
    }
    *pp = p;
    if (matched == negated || (pathname_ && tc == '/')) return kNoMatch;
    return kMatch;
  }

  std::string_view p_;
  std::string_view t_;
  bool pathname_;
  bool casefold_;
};

bool PrefixEquals(std::string_view text, std::string_view prefix, bool casefold) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Fold(static_cast<unsigned char>(text[i]), casefold) !=
        Fold(static_cast<unsigned char>(prefix[i]), casefold)) {
      return false;
    }
  }
  return true;
}

// Drops trailing spaces that are not escaped by a backslash.
void TrimTrailingSpaces(std::string* line) {
  size_t keep = 0;  // length up to the last character that must stay
  for (size_t i = 0; i < line->size(); ++i) {
    char c = (*line)[i];
    if (c == '\\' && i + 1 < line->size()) {
      ++i;
      keep = i + 1;
    } else if (c != ' ') {
      keep = i + 1;
    }
  }
  line->resize(keep);
}

}  // namespace

bool WildMatch(std::string_view pattern, std::string_view text, bool pathname, bool casefold) {
  return Matcher(pattern, text, pathname, casefold).Match(0, 0) == kMatch;
}

IgnoreList IgnoreList::Parse(std::string_view text, std::string base) {
  IgnoreList list;
  list.base_ = std::move(base);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string line(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    TrimTrailingSpaces(&line);
    if (line.empty()) continue;
    Pattern pattern;
    size_t start = 0;
    if (line[0] == '!') {
      pattern.negated = true;
      start = 1;
    }
    size_t end = line.size();
    if (end > start && line[end - 1] == '/') {
      pattern.dir_only = true;
      --end;
    }
    std::string body = line.substr(start, end - start);
    if (body.empty()) continue;
    pattern.basename = body.find('/') == std::string::npos;
    if (!pattern.basename && body[0] == '/') body.erase(0, 1);
    pattern.text = std::move(body);
    list.patterns_.push_back(std::move(pattern));
  }
  return list;
}

IgnoreList::Verdict IgnoreList::Match(std::string_view path, bool is_dir, bool casefold) const {
  std::string_view basename = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  std::string_view relative;                                     // PATH relative to base_
  const bool under_base = PrefixEquals(path, base_, casefold) && path.size() > base_.size();
  if (under_base) relative = path.substr(base_.size());
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    bool hit = it->basename
                   ? WildMatch(it->text, basename, /*pathname=*/false, casefold)
                   : under_base && WildMatch(it->text, relative, /*pathname=*/true, casefold);
    if (hit) return it->negated ? Verdict::kNotIgnored : Verdict::kIgnored;
  }
  return Verdict::kNoMatch;
}

}  // namespace sotinc

// Glob compilation: parse into a tree of tokens and brace groups, expand
// the braces, apply the segment rules to each expanded alternative, and
// join the alternatives into one anchored RE2 program.
//
// Expanding before checking segments is what makes "whole segment" well
// defined for `**` and `<name>` under braces ("{a/,}**/x" holds "**/x").
// The limits on expansion keep that from growing without bound.
#include "engine/glob_parse.h"

#include <algorithm>
#include <unordered_set>

namespace sotinc {
namespace glob_internal {
namespace {

constexpr size_t kMaxPatternBytes = 4096;
constexpr uint64_t kMaxAlternatives = 10000;
constexpr uint64_t kMaxExpandedBytes = 262144;
constexpr int kMaxBraceDepth = 32;
// Bounds the program handed to RE2: past this, compiling takes seconds and
// RE2 logs to stderr before it gives up.
constexpr size_t kMaxRegexBytes = 256 << 10;
constexpr int64_t kMaxRe2Memory = 64 << 20;

// The regex is compiled in Latin-1 mode so that it sees bytes: `[^/]` then
// matches any byte but '/', and paths that are not valid UTF-8 still match
// `*`. `?` and negated classes rebuild "one UTF-8 character" from bytes; a
// byte that cannot start a UTF-8 sequence counts as a character by itself.
constexpr char kNonAsciiChar[] =
    "[\\x80-\\xbf\\xf8-\\xff]|[\\xc0-\\xdf][\\x80-\\xbf]|"
    "[\\xe0-\\xef][\\x80-\\xbf]{2}|[\\xf0-\\xf7][\\x80-\\xbf]{3}";
constexpr char kSegment[] = "[^/]+";

struct Token {
  enum Kind { kLiteral, kStar, kQuestion, kClass, kCapture };
  Kind kind = kLiteral;
  char ch = 0;       // kLiteral
  std::string text;  // kClass: regex; kCapture: name
  int column = 0;    // 1-based, of the entry as written
};

struct Seq;
// One item of a sequence: a token, or a brace group of alternatives.
struct Node {
  Token token;
  bool is_group = false;
  std::vector<Seq> alternatives;
};
struct Seq {
  std::vector<Node> items;
};

using Expansion = std::vector<const Token*>;

Status ErrorAt(int column, const std::string& message) {
  return Status::Error("column " + std::to_string(column) + ": " + message);
}

std::string HexByte(unsigned char c) {
  static const char kDigits[] = "0123456789abcdef";
  return std::string("\\x") + kDigits[c >> 4] + kDigits[c & 15];
}

// RE2 syntax for a literal byte; only the bytes RE2 never treats specially
// stay as they are, which keeps the pattern readable in a debugger.
void AppendLiteral(std::string* out, char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
      u == '/') {
    out->push_back(c);
  } else {
    *out += HexByte(u);
  }
}

class Parser {
 public:
  Parser(std::string_view pattern, int column_offset) : p_(pattern), offset_(column_offset) {}

  Status Parse(Seq* out) {
    Status s = ParseSeq(out, 0);
    if (s.ok() && pos_ < p_.size()) s = ErrorAt(Column(pos_), "unmatched '}' (escape it as '\\}')");
    return s;
  }
  std::vector<std::string>& names() { return names_; }

 private:
  int Column(size_t pos) const { return static_cast<int>(pos) + 1 + offset_; }

  Status ParseSeq(Seq* out, int depth) {
    while (pos_ < p_.size()) {
      char c = p_[pos_];
      // A '}' ends the group being read; at depth 0 Parse() reports it
      // rather than reading it as a literal, since it is almost always a typo.
      // A ',' outside braces is an ordinary file name character.
      if (c == '}' || (c == ',' && depth > 0)) return Status::Ok();
      Node node;
      node.token.column = Column(pos_);
      Status s;
      switch (c) {
        case '\\':
          if (pos_ + 1 == p_.size())
            return ErrorAt(Column(pos_), "'\\' at the end escapes nothing");
          node.token.ch = p_[pos_ + 1];
          pos_ += 2;
          break;
        case '*':
          node.token.kind = Token::kStar;
          ++pos_;
          break;
        case '?':
          node.token.kind = Token::kQuestion;
          ++pos_;
          break;
        case '[':
          s = ParseClass(&node.token);
          break;
        case '<':
          s = ParseCapture(&node.token);
          break;
        case '{':
          s = ParseGroup(&node, depth);
          break;
        default:
          node.token.ch = c;
          ++pos_;
      }
      if (!s.ok()) return s;
      out->items.push_back(std::move(node));
    }
    return Status::Ok();
  }

  Status ParseGroup(Node* node, int depth) {
    size_t open = pos_++;
    if (depth + 1 > kMaxBraceDepth) {
      return ErrorAt(Column(open),
                     "braces nested more than " + std::to_string(kMaxBraceDepth) + " deep");
    }
    node->is_group = true;
    for (;;) {
      node->alternatives.emplace_back();
      Status s = ParseSeq(&node->alternatives.back(), depth + 1);
      if (!s.ok()) return s;
      if (pos_ == p_.size()) return ErrorAt(Column(open), "unclosed '{'");
      if (p_[pos_++] == '}') break;
    }
    if (node->alternatives.size() == 1 && node->alternatives[0].items.empty()) {
      return ErrorAt(Column(open), "empty '{}' (escape a literal brace as '\\{')");
    }
    return Status::Ok();
  }

  // Reads one class member at pos_ (after an optional `\`).
  Status ClassMember(size_t open, unsigned char* out) {
    if (p_[pos_] == '\\') {
      if (++pos_ == p_.size()) return ErrorAt(Column(open), "unclosed '['");
    } else if (p_[pos_] == '[' && pos_ + 1 < p_.size() && p_[pos_ + 1] == ':') {
      // Read as members, "[[:alpha:]]" would silently mean "one of [:alph".
      return ErrorAt(Column(pos_), "POSIX classes like '[:alpha:]' are not supported");
    }
    *out = static_cast<unsigned char>(p_[pos_]);
    if (*out >= 0x80) {
      return ErrorAt(Column(pos_),
                     "non-ASCII byte in '[...]'; use alternatives such as '{é,è}' instead");
    }
    ++pos_;
    return Status::Ok();
  }

  Status ParseClass(Token* token) {
    size_t open = pos_++;
    bool negate = pos_ < p_.size() && (p_[pos_] == '!' || p_[pos_] == '^');
    if (negate) ++pos_;
    bool member[128] = {};
    for (bool first = true;; first = false) {
      if (pos_ == p_.size()) return ErrorAt(Column(open), "unclosed '['");
      if (p_[pos_] == ']' && !first) {
        ++pos_;
        break;
      }
      size_t lo_pos = pos_;
      unsigned char lo = 0, hi = 0;
      Status s = ClassMember(open, &lo);
      if (!s.ok()) return s;
      hi = lo;
      if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        s = ClassMember(open, &hi);
        if (!s.ok()) return s;
        if (hi < lo) {
          return ErrorAt(Column(lo_pos), "invalid range '" + std::string(1, lo) + "-" +
                                             std::string(1, hi) + "' in '[...]'");
        }
      }
      for (unsigned c = lo; c <= hi; ++c) member[c] = true;
    }
    // A class stands for one character of one segment, so '/' never counts.
    member[static_cast<unsigned char>('/')] = negate;
    std::string set;
    for (unsigned c = 0; c < 128; ++c) {
      if (member[c] == negate) continue;
      unsigned end = c;
      while (end + 1 < 128 && member[end + 1] != negate) ++end;
      set += HexByte(static_cast<unsigned char>(c));
      if (end > c) set += "-" + HexByte(static_cast<unsigned char>(end));
      c = end;
    }
    token->kind = Token::kClass;
    if (negate) {
      token->text = set.empty() ? "(?:" + std::string(kNonAsciiChar) + ")"
                                : "(?:[" + set + "]|" + kNonAsciiChar + ")";
    } else {
      token->text = set.empty() ? "[^\\x00-\\xff]" : "[" + set + "]";
    }
    return Status::Ok();
  }

  // Names are recorded in the order they are written, which is the order
  // Captures reports them in, whichever alternative binds them.
  Status ParseCapture(Token* token) {
    size_t open = pos_++;
    size_t close = p_.find('>', pos_);
    if (close == std::string_view::npos) {
      return ErrorAt(Column(open), "unclosed '<' (escape a literal one as '\\<')");
    }
    std::string_view name = p_.substr(pos_, close - pos_);
    if (name.empty()) return ErrorAt(Column(open), "empty capture name '<>'");
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return ErrorAt(Column(pos_ + i), "invalid character '" + std::string(1, c) +
                                             "' in capture name (use letters, digits and '_', "
                                             "not starting with a digit)");
      }
    }
    token->kind = Token::kCapture;
    token->text = std::string(name);
    if (std::find(names_.begin(), names_.end(), token->text) == names_.end()) {
      names_.push_back(token->text);
    }
    pos_ = close + 1;
    return Status::Ok();
  }

  std::string_view p_;
  int offset_;
  size_t pos_ = 0;
  std::vector<std::string> names_;
};

// How many alternatives a sequence expands to and their total length,
// computed before expanding so that a brace bomb is refused cheaply.
struct Size {
  uint64_t count = 1;
  uint64_t bytes = 0;
};

uint64_t SatMul(uint64_t a, uint64_t b) {
  constexpr uint64_t kCap = uint64_t{1} << 40;
  return (b != 0 && a > kCap / b) ? kCap : std::min(a * b, kCap);
}

Status Measure(const Seq& seq, Size* out) {
  Size size;
  for (const Node& node : seq.items) {
    if (!node.is_group) {
      size.bytes += size.count;
    } else {
      Size group{0, 0};
      for (const Seq& alt : node.alternatives) {
        Size a;
        Status s = Measure(alt, &a);
        if (!s.ok()) return s;
        group.count += a.count;
        group.bytes += a.bytes;
      }
      size.bytes = SatMul(size.bytes, group.count) + SatMul(size.count, group.bytes);
      size.count = SatMul(size.count, group.count);
      if (group.count > kMaxAlternatives || size.count > kMaxAlternatives) {
        return ErrorAt(node.token.column, "braces expand to more than " +
                                              std::to_string(kMaxAlternatives) + " alternatives");
      }
    }
    if (size.bytes > kMaxExpandedBytes) {
      return ErrorAt(node.token.column,
                     "braces expand to more than " + std::to_string(kMaxExpandedBytes) + " bytes");
    }
  }
  *out = size;
  return Status::Ok();
}

// Alternatives in written order: "{a,b}{1,2}" gives a1, a2, b1, b2.
std::vector<Expansion> Expand(const Seq& seq) {
  std::vector<Expansion> out(1);
  for (const Node& node : seq.items) {
    if (!node.is_group) {
      for (Expansion& e : out) e.push_back(&node.token);
      continue;
    }
    std::vector<Expansion> tails;
    for (const Seq& alt : node.alternatives) {
      for (Expansion& tail : Expand(alt)) tails.push_back(std::move(tail));
    }
    std::vector<Expansion> next;
    next.reserve(out.size() * tails.size());
    for (const Expansion& head : out) {
      for (const Expansion& tail : tails) {
        next.push_back(head);
        next.back().insert(next.back().end(), tail.begin(), tail.end());
      }
    }
    out = std::move(next);
  }
  return out;
}

struct Segment {
  std::vector<const Token*> tokens;
  int column = 0;  // of its first token, or of the '/' before it if empty
  bool globstar = false;

  bool IsLiteral(std::string_view text) const {
    if (tokens.size() != text.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (tokens[i]->kind != Token::kLiteral || tokens[i]->ch != text[i]) return false;
    }
    return true;
  }
};

// One expanded alternative, ready to join: its regex, the capture name of
// each group it opens, and what the index can use to find candidates.
struct Alternative {
  std::string regex;
  std::vector<std::string> groups;
  std::string prefix;  // literal start
  std::string suffix;  // literal end
  std::string basename;
  std::string extension;
  // The segment form, when every segment has a simple shape; capture
  // segments hold the name in `text` until CompileGlob resolves it.
  bool simple = true;
  SimpleAlternative segments;
};

// Adds `seg` to alt->segments, or clears alt->simple when its shape needs
// the regex (`?`, classes, several `*`, a second `**`).
void AddSimpleSegment(const Segment& seg, Alternative* alt) {
  if (!alt->simple) return;
  SimpleAlternative& sa = alt->segments;
  if (seg.globstar) {
    if (sa.globstar) alt->simple = false;
    sa.globstar = true;
    return;
  }
  SimpleSegment out;
  int stars = 0;
  for (const Token* t : seg.tokens) {
    switch (t->kind) {
      case Token::kLiteral:
        (stars ? out.text2 : out.text).push_back(t->ch);
        break;
      case Token::kStar:
        ++stars;
        break;
      case Token::kCapture:
        if (seg.tokens.size() != 1) {
          alt->simple = false;
          return;
        }
        out.kind = SimpleSegment::kCapture;
        out.text = t->text;
        break;
      default:
        alt->simple = false;
        return;
    }
  }
  if (stars > 1) {
    alt->simple = false;
    return;
  }
  if (stars == 1) {
    out.kind = seg.tokens.size() == 1 ? SimpleSegment::kAny : SimpleSegment::kAffix;
  }
  (sa.globstar ? sa.tail : sa.head).push_back(std::move(out));
}

Status SplitSegments(const Expansion& tokens, std::vector<Segment>* out, int pattern_column) {
  if (tokens.empty()) return ErrorAt(pattern_column, "pattern can expand to an empty path");
  if (tokens[0]->kind == Token::kLiteral && tokens[0]->ch == '/') {
    return ErrorAt(tokens[0]->column,
                   "absolute paths are not allowed (globs are relative to the repository root)");
  }
  std::vector<Segment> raw(1);
  raw[0].column = tokens[0]->column;
  for (const Token* t : tokens) {
    if (t->kind == Token::kLiteral && t->ch == '/') {
      raw.emplace_back();
      raw.back().column = t->column;
    } else {
      if (raw.back().tokens.empty()) raw.back().column = t->column;
      raw.back().tokens.push_back(t);
    }
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    Segment& seg = raw[i];
    bool last = i + 1 == raw.size();
    if (seg.tokens.empty()) {
      if (last) {
        return ErrorAt(
            seg.column,
            "'/' at the end: globs match files (use 'dir/**' for all under a directory)");
      }
      continue;  // "a//b": paths have no empty segments, so read it as "a/b"
    }
    if (seg.IsLiteral("..")) return ErrorAt(seg.column, "'..' segments are not allowed");
    if (seg.IsLiteral(".")) {
      if (out->empty() && !last) continue;  // leading "./"
      return ErrorAt(seg.column, "'.' segment is not allowed here (only a leading './')");
    }
    seg.globstar = seg.tokens.size() == 2 && seg.tokens[0]->kind == Token::kStar &&
                   seg.tokens[1]->kind == Token::kStar;
    if (seg.globstar && !out->empty() && out->back().globstar) continue;  // "**/**" == "**"
    out->push_back(std::move(seg));
  }
  return Status::Ok();
}

Status CheckSegment(const Segment& seg, std::vector<std::string>* bound) {
  if (seg.globstar) return Status::Ok();
  for (size_t i = 0; i < seg.tokens.size(); ++i) {
    const Token* t = seg.tokens[i];
    if (t->kind == Token::kCapture) {
      if (seg.tokens.size() != 1) {
        return ErrorAt(t->column, "'<" + t->text + ">' must be a whole path segment");
      }
      if (std::find(bound->begin(), bound->end(), t->text) != bound->end()) {
        return ErrorAt(t->column, "capture '<" + t->text +
                                      ">' appears twice; a name can bind only one segment");
      }
      bound->push_back(t->text);
    }
    if (t->kind == Token::kStar && i + 1 < seg.tokens.size() &&
        seg.tokens[i + 1]->kind == Token::kStar) {
      return ErrorAt(t->column,
                     "'**' must be a whole path segment (e.g. 'a/**/*.py'); use '*' inside one");
    }
  }
  return Status::Ok();
}

Status BuildAlternative(const Expansion& tokens, int pattern_column, Alternative* alt) {
  std::vector<Segment> segs;
  Status s = SplitSegments(tokens, &segs, pattern_column);
  if (!s.ok()) return s;
  if (segs.empty()) return ErrorAt(pattern_column, "pattern names no file");
  std::vector<std::string> bound;
  // The literal text around the wildcards feeds literal_prefix/suffix:
  // `wild` becomes true at the first non-literal piece, and `tail` holds the
  // literal text since the last one.
  bool wild = false;
  std::string tail;
  auto literal = [&](char c) {
    AppendLiteral(&alt->regex, c);
    if (!wild) alt->prefix.push_back(c);
    tail.push_back(c);
  };
  auto wildcard = [&](const std::string& regex) {
    alt->regex += regex;
    wild = true;
    tail.clear();
  };
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = segs[i];
    s = CheckSegment(seg, &bound);
    if (!s.ok()) return s;
    AddSimpleSegment(seg, alt);
    bool last = i + 1 == segs.size();
    if (seg.globstar) {
      // Leading or middle "**" swallows its own '/', so zero segments work;
      // a trailing one needs at least one segment after "dir/".
      if (i > 0) literal('/');
      wildcard(last ? std::string(kSegment) + "(?:/" + kSegment + ")*"
                    : std::string("(?:") + kSegment + "/)*");
      continue;
    }
    if (i > 0 && !segs[i - 1].globstar) literal('/');
    size_t tail_start = tail.size();
    bool whole_literal = true;
    for (const Token* t : seg.tokens) {
      switch (t->kind) {
        case Token::kLiteral:
          literal(t->ch);
          continue;
        case Token::kStar:
          wildcard(seg.tokens.size() == 1 ? kSegment : "[^/]*");
          break;
        case Token::kQuestion:
          wildcard(std::string("(?:[\\x00-\\x2e\\x30-\\x7f]|") + kNonAsciiChar + ")");
          break;
        case Token::kClass:
          wildcard(t->text);
          break;
        case Token::kCapture:
          wildcard(std::string("(") + kSegment + ")");
          alt->groups.push_back(t->text);
          break;
      }
      whole_literal = false;
      tail_start = 0;
    }
    if (last) {
      std::string name = tail.substr(tail_start);
      if (whole_literal) {
        alt->basename = name;
      } else {
        size_t dot = name.rfind('.');
        if (dot != std::string::npos && dot + 1 < name.size())
          alt->extension = name.substr(dot + 1);
      }
    }
  }
  alt->suffix = tail;
  return Status::Ok();
}

size_t CommonPrefix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

size_t CommonSuffix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[a.size() - 1 - n] == b[b.size() - 1 - n]) ++n;
  return n;
}

}  // namespace

Status CompileGlob(std::string_view pattern, int column_offset, CompiledGlob* out) {
  const int first_column = 1 + column_offset;
  if (pattern.empty()) return ErrorAt(first_column, "empty pattern");
  if (pattern.size() > kMaxPatternBytes) {
    return ErrorAt(static_cast<int>(kMaxPatternBytes) + first_column,
                   "pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  Parser parser(pattern, column_offset);
  Seq tree;
  Status s = parser.Parse(&tree);
  if (!s.ok()) return s;
  Size size;
  s = Measure(tree, &size);
  if (!s.ok()) return s;

  out->pattern = std::string(pattern);
  out->capture_names = std::move(parser.names());
  std::string regex;
  std::unordered_set<std::string> seen;
  bool first = true;
  bool bucketable = true;
  bool simple = true;
  for (const Expansion& e : Expand(tree)) {
    Alternative alt;
    s = BuildAlternative(e, first_column, &alt);
    if (!s.ok()) return s;
    // Overlapping braces ("{a,a}") would only make the program bigger.
    std::string key = alt.regex;
    for (const std::string& g : alt.groups) key += "\n" + g;
    if (!seen.insert(key).second) continue;
    if (first) {
      out->prefix = alt.prefix;
      out->suffix = alt.suffix;
    } else {
      regex += '|';
      out->prefix.resize(CommonPrefix(out->prefix, alt.prefix));
      out->suffix.erase(0, out->suffix.size() - CommonSuffix(out->suffix, alt.suffix));
    }
    first = false;
    regex += alt.regex;
    if (regex.size() > kMaxRegexBytes) {
      return ErrorAt(first_column, "braces expand to a matcher larger than " +
                                       std::to_string(kMaxRegexBytes >> 10) +
                                       " KiB; split the pattern into several globs");
    }
    for (const std::string& g : alt.groups) {
      auto it = std::find(out->capture_names.begin(), out->capture_names.end(), g);
      out->group_name.push_back(static_cast<size_t>(it - out->capture_names.begin()));
    }
    simple = simple && alt.simple;
    if (simple) {
      for (auto* part : {&alt.segments.head, &alt.segments.tail}) {
        for (SimpleSegment& seg : *part) {
          if (seg.kind != SimpleSegment::kCapture) continue;
          auto it = std::find(out->capture_names.begin(), out->capture_names.end(), seg.text);
          seg.capture = static_cast<size_t>(it - out->capture_names.begin());
        }
      }
      out->simple_alternatives.push_back(std::move(alt.segments));
    }
    if (!alt.basename.empty()) {
      out->basenames.push_back(alt.basename);
    } else if (!alt.extension.empty()) {
      out->extensions.push_back(alt.extension);
    } else {
      bucketable = false;
    }
  }
  if (!bucketable) {
    out->basenames.clear();
    out->extensions.clear();
  }
  for (auto* keys : {&out->basenames, &out->extensions}) {
    std::sort(keys->begin(), keys->end());
    keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
  }

  out->simple = simple;
  if (!simple) out->simple_alternatives.clear();

  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  options.set_max_mem(kMaxRe2Memory);
  out->re = std::make_unique<RE2>(seen.size() > 1 ? "(?:" + regex + ")" : regex, options);
  if (!out->re->ok()) {
    // Our own output is always valid syntax; only size limits land here.
    return ErrorAt(first_column, "pattern is too complex to compile (" + out->re->error() +
                                     "); split it into several globs");
  }
  return Status::Ok();
}

namespace {

bool SegmentMatches(const SimpleSegment& seg, std::string_view text,
                    std::vector<std::string_view>* bound) {
  switch (seg.kind) {
    case SimpleSegment::kLiteral:
      return text == seg.text;
    case SimpleSegment::kAny:
      return true;  // segments are never empty here
    case SimpleSegment::kAffix:
      return text.size() >= seg.text.size() + seg.text2.size() &&
             text.compare(0, seg.text.size(), seg.text) == 0 &&
             text.compare(text.size() - seg.text2.size(), seg.text2.size(), seg.text2) == 0;
    case SimpleSegment::kCapture:
      if (bound != nullptr) (*bound)[seg.capture] = text;
      return true;
  }
  return false;
}

}  // namespace

int SimpleMatch(const CompiledGlob& glob, std::string_view path,
                std::vector<std::string_view>* bound) {
  if (!glob.simple) return -1;
  constexpr size_t kMaxSegments = 64;
  std::string_view segs[kMaxSegments];
  size_t n = 0;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end == start || n == kMaxSegments) return -1;  // empty segment, or too deep
    segs[n++] = path.substr(start, end - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (const SimpleAlternative& alt : glob.simple_alternatives) {
    size_t h = alt.head.size(), t = alt.tail.size();
    if (alt.globstar ? n < h + t + (t == 0 ? 1 : 0) : n != h + t) continue;
    if (bound != nullptr) bound->assign(glob.capture_names.size(), std::string_view());
    bool ok = true;
    for (size_t i = 0; ok && i < h; ++i) ok = SegmentMatches(alt.head[i], segs[i], bound);
    for (size_t i = 0; ok && i < t; ++i) ok = SegmentMatches(alt.tail[i], segs[n - t + i], bound);
    if (ok) return 1;
  }
  return 0;
}

}  // namespace glob_internal
}  // namespace sotinc

// The regex content kinds: forbid_regex and require_regex.
//
// Patterns are RE2 (linear time). A line is what SplitLines() says: CRLF
// and a final '\r' are line ends, a final '\n' starts no new line.
// forbid_regex decides "no line matches" in two steps: one search of the
// whole (normalized) buffer with a multi-line copy of the pattern (where ^
// and $ match at line boundaries), and only when that finds something, a
// line-by-line scan for positions. A line match is then always a buffer
// match, so files without a match cost one RE2 pass. Patterns for which
// that does not hold (\A, \z, (?-m)) skip the first step.
// require_regex searches the whole normalized buffer in multi-line mode, so
// a pattern may span lines and \A anchors at the start of the file.
#include <re2/re2.h>

#include "rules/kinds.h"

namespace sotinc {
namespace {

std::vector<std::string_view> SplitLines(std::string_view content) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t nl = content.find('\n', start);
    size_t end = nl == std::string_view::npos ? content.size() : nl;
    std::string_view line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// The content with line ends as SplitLines() defines them, so that the
// buffer pattern's `$` matches before "\r\n" too. Only content holding a
// '\r' is copied (into `storage`).
std::string_view Normalize(std::string_view content, std::string* storage) {
  if (content.find('\r') == std::string_view::npos) return content;
  storage->clear();
  storage->reserve(content.size());
  for (std::string_view line : SplitLines(content)) {
    storage->append(line.data(), line.size());
    storage->push_back('\n');
  }
  return *storage;
}

struct Pattern {
  std::unique_ptr<RE2> line;    // as written, applied to one line
  std::unique_ptr<RE2> buffer;  // (?m) copy, applied to the whole content
  // False when a line match need not be a buffer match: \A and \z mean line
  // start/end to `line` but file start/end to `buffer`, and a (?-m) group
  // undoes the multi-line flag.
  bool prefilter = true;

  bool Parse(Fields& f, bool ignore_case) {
    line = f.Regex("pattern", true, ignore_case);
    if (!line) return false;
    const std::string& p = line->pattern();
    buffer = std::make_unique<RE2>("(?m)" + p, line->options());
    if (!buffer->ok()) {
      f.Error("pattern", "invalid regular expression '" + p + "': " + buffer->error());
      return false;
    }
    prefilter = p.find("\\A") == std::string::npos && p.find("\\z") == std::string::npos &&
                !RE2::PartialMatch(p, R"(\(\?[a-zA-Z]*-)");
    return true;
  }

  bool SearchBuffer(std::string_view content) const {
    std::string storage;
    return RE2::PartialMatch(Normalize(content, &storage), *buffer);
  }
};

bool ParseIgnoreCase(Fields& f) {
  bool ignore_case = false;
  f.Bool("ignore_case", &ignore_case);
  return ignore_case;
}

class ForbidRegexCheck : public Check {
 public:
  const char* kind() const override { return "forbid_regex"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return true; }
  const GlobList* file_globs() const override { return &files_; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    if (LooksBinary(content)) return Status::Ok();
    if (pattern_.prefilter && !pattern_.SearchBuffer(content)) return Status::Ok();
    int line_no = 0;
    for (std::string_view line : SplitLines(content)) {
      ScanLine(line, ++line_no, input.file->path, out);
    }
    return Status::Ok();
  }

  // Every non-overlapping match in the line is a finding.
  void ScanLine(std::string_view line, int line_no, const std::string& path,
                std::vector<Finding>* out) const {
    size_t pos = 0;
    re2::StringPiece match;
    while (pos <= line.size() &&
           pattern_.line->Match(line, pos, line.size(), RE2::UNANCHORED, &match, 1)) {
      size_t at = static_cast<size_t>(match.data() - line.data());
      out->push_back(Finding{path, line_no, static_cast<int>(at + 1), message_});
      // An empty match advances by one byte so the scan always ends.
      pos = at + std::max<size_t>(match.size(), 1);
    }
  }

  GlobList files_;
  Pattern pattern_;
  std::string message_;
};

class RequireRegexCheck : public Check {
 public:
  const char* kind() const override { return "require_regex"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return !any_file_; }
  const GlobList* file_globs() const override { return &files_; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    if (LooksBinary(content)) return Status::Ok();
    if (!pattern_.SearchBuffer(content)) {
      out->push_back(Finding{input.file->path, 0, 0,
                             "no match for required pattern '" + pattern_.line->pattern() + "'"});
    }
    return Status::Ok();
  }

  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    if (!any_file_) return Check::Run(ctx, out);
    std::vector<GlobMatch> matches = MatchFiles(ctx, files_, out);
    if (matches.empty()) return Status::Ok();  // the dead glob said it
    // Every oversized file is a finding (SPEC 3) whether or not another
    // file matches, so the result never depends on which file is read
    // first. Reading stops at the first match.
    bool found = false;
    for (const GlobMatch& m : matches) {
      const FileEntry& file = (*ctx.files)[m.index];
      if (found && file.size <= ctx.max_file_bytes) continue;
      std::string content;
      Result<bool> loaded = LoadContent(ctx, file, &content, out);
      if (!loaded.ok()) return loaded.status();
      if (*loaded && !LooksBinary(content)) found = pattern_.SearchBuffer(content);
    }
    if (found) return Status::Ok();
    out->push_back(Finding{"", 0, 0,
                           "none of the " + std::to_string(matches.size()) +
                               " matching files has a match for '" + pattern_.line->pattern() +
                               "'"});
    return Status::Ok();
  }

  GlobList files_;
  Pattern pattern_;
  bool any_file_ = false;
};

}  // namespace

std::unique_ptr<Check> ParseForbidRegex(Fields& f) {
  auto check = std::make_unique<ForbidRegexCheck>();
  bool ok = f.Globs("files", &check->files_);
  ok = check->pattern_.Parse(f, ParseIgnoreCase(f)) && ok;
  if (!f.String("message", &check->message_) && check->pattern_.line) {
    check->message_ = "forbidden pattern '" + check->pattern_.line->pattern() + "'";
  }
  return ok ? std::move(check) : nullptr;
}

std::unique_ptr<Check> ParseRequireRegex(Fields& f) {
  auto check = std::make_unique<RequireRegexCheck>();
  bool ok = f.Globs("files", &check->files_);
  ok = check->pattern_.Parse(f, ParseIgnoreCase(f)) && ok;
  std::string scope = "each_file";
  if (f.Has("scope")) ok = f.Choice("scope", {"each_file", "any_file"}, &scope) && ok;
  check->any_file_ = scope == "any_file";
  return ok ? std::move(check) : nullptr;
}

}  // namespace sotinc

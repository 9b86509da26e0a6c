// max_size: every matching file is within `bytes` and/or `lines`.
// Only a `lines` limit needs the content; `bytes` is judged from the
// listing, so a bytes-only rule reads nothing.
#include "rules/config.h"
#include "rules/kinds.h"

namespace sotinc {
namespace {

class MaxSizeCheck : public Check {
 public:
  const char* kind() const override { return "max_size"; }
  bool reads_content() const override { return lines_ >= 0; }
  bool per_file() const override { return true; }
  const GlobList* file_globs() const override { return &files_; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    const FileEntry& file = *input.file;
    if (bytes_ >= 0 && file.size > static_cast<uint64_t>(bytes_)) {
      out->push_back(Finding{file.path, 0, 0,
                             "is " + std::to_string(file.size) + " bytes, over the limit of " +
                                 std::to_string(bytes_)});
    }
    if (lines_ >= 0) {
      int64_t n = 0;
      for (char c : content) n += c == '\n';
      if (!content.empty() && content.back() != '\n') ++n;
      if (n > lines_) {
        out->push_back(Finding{
            file.path, static_cast<int>(lines_ + 1), 0,
            "has " + std::to_string(n) + " lines, over the limit of " + std::to_string(lines_)});
      }
    }
    return Status::Ok();
  }

  GlobList files_;
  int64_t bytes_ = -1;
  int64_t lines_ = -1;
};

}  // namespace

std::unique_ptr<Check> ParseMaxSize(Fields& f) {
  auto check = std::make_unique<MaxSizeCheck>();
  bool ok = f.Globs("files", &check->files_);
  if (f.Has("bytes")) {
    uint64_t bytes = 0;
    YAML::Node n = f.Get("bytes");
    if (n.IsScalar() && ParseSize(n.Scalar(), &bytes)) {
      check->bytes_ = static_cast<int64_t>(bytes);
    } else {
      f.Error("bytes", "'bytes' must be a size such as 1000, 64KiB or 2MiB");
      ok = false;
    }
  }
  if (f.Has("lines")) ok = f.Int("lines", &check->lines_, 0) && ok;
  // A present but invalid limit has been reported already.
  if (!f.Has("bytes") && !f.Has("lines")) {
    f.diag()->Error(f.KeyNode("kind"), "max_size needs 'bytes' or 'lines'");
    ok = false;
  }
  return ok ? std::move(check) : nullptr;
}

}  // namespace sotinc

#include "engine/check.h"

#include <algorithm>
#include <cstring>

namespace sotinc {

Status Check::CheckFile(const CheckContext&, const CheckInput&, std::string_view,
                        std::vector<Finding>*) const {
  return Status::Error(std::string("internal: kind ") + kind() + " has no per-file check");
}

Status Check::CheckFiles(const CheckContext& ctx, const std::vector<CheckInput>& inputs,
                         std::vector<std::vector<Finding>>* out) const {
  out->clear();
  for (const CheckInput& input : inputs) {
    std::vector<Finding> findings;
    Status s = JudgeFile(*this, ctx, input, loads_file_content(), &findings);
    if (!s.ok()) return s;
    out->push_back(std::move(findings));
  }
  return Status::Ok();
}

Status Check::Run(const CheckContext& ctx, std::vector<Finding>* out) const {
  if (!per_file() || file_globs() == nullptr) {
    return Status::Error(std::string("internal: kind ") + kind() + " has no Run()");
  }
  return RunPerFile(*this, ctx, loads_file_content(), out);
}

Status RunPerFile(const Check& check, const CheckContext& ctx, bool load_content,
                  std::vector<Finding>* out) {
  for (GlobMatch& m : MatchFiles(ctx, *check.file_globs(), out)) {
    CheckInput input{&(*ctx.files)[m.index], std::move(m.captures)};
    std::vector<Finding> findings;
    if (ctx.file_cache && ctx.file_cache->Lookup(*input.file, &findings)) {
      out->insert(out->end(), findings.begin(), findings.end());
      continue;
    }
    Status s = JudgeFile(check, ctx, input, load_content, &findings);
    if (!s.ok()) return s;
    if (ctx.file_cache) ctx.file_cache->Store(*input.file, findings);
    out->insert(out->end(), findings.begin(), findings.end());
  }
  return Status::Ok();
}

Status JudgeFile(const Check& check, const CheckContext& ctx, const CheckInput& input,
                 bool load_content, std::vector<Finding>* findings) {
  std::string content;
  if (load_content) {
    Result<bool> loaded = LoadContent(ctx, *input.file, &content, findings);
    if (!loaded.ok()) return loaded.status();
    if (!*loaded) return Status::Ok();  // oversized: the finding says so
  }
  return check.CheckFile(ctx, input, content, findings);
}

void Check::Fingerprint(const CheckContext& ctx, InputRecorder* inputs) const {
  const GlobList* globs = file_globs();
  if (globs == nullptr) return;
  const std::vector<GlobMatch> matches = globs->MatchAll(ctx.tree->files);
  inputs->Expect(matches.size());
  for (const GlobMatch& m : matches) inputs->File((*ctx.files)[m.index], reads_content());
}

size_t Check::CountInputs(const Tree& tree) const {
  const GlobList* globs = file_globs();
  return globs ? globs->MatchAll(tree.files).size() : 0;
}

void AddDeadGlobFindings(const CheckContext& ctx, const std::vector<std::string>& dead,
                         std::vector<Finding>* out) {
  if (ctx.allow_empty) return;
  for (const std::string& pattern : dead) {
    out->push_back(Finding{"", 0, 0, "glob '" + pattern + "' matched nothing"});
  }
}

std::vector<GlobMatch> MatchFiles(const CheckContext& ctx, const GlobList& globs,
                                  std::vector<Finding>* out) {
  std::vector<std::string> dead;
  std::vector<GlobMatch> matches = globs.MatchAll(ctx.tree->files, &dead);
  AddDeadGlobFindings(ctx, dead, out);
  return matches;
}

Result<bool> LoadContent(const CheckContext& ctx, const FileEntry& file, std::string* content,
                         std::vector<Finding>* out) {
  // A submodule (or a nested repository) is one opaque entry: it has no
  // content of its own to judge, so content checks pass over it.
  if (file.type == FileType::kSubmodule) return false;
  if (file.size > ctx.max_file_bytes) {
    out->push_back(Finding{file.path, 0, 0,
                           "file is " + std::to_string(file.size) +
                               " bytes, over max_file_bytes (" +
                               std::to_string(ctx.max_file_bytes) + "); not checked"});
    return false;
  }
  Result<std::string> read = ctx.reader->Read(file);
  if (!read.ok()) return Status::Error("cannot read " + file.path + ": " + read.error());
  // The file may have grown between listing and reading.
  if (read->size() > ctx.max_file_bytes) {
    out->push_back(Finding{file.path, 0, 0,
                           "file is over max_file_bytes (" +
                               std::to_string(ctx.max_file_bytes) + "); not checked"});
    return false;
  }
  *content = std::move(*read);
  return true;
}

bool LooksBinary(std::string_view content) {
  size_t n = std::min<size_t>(content.size(), 8192);
  return std::memchr(content.data(), '\0', n) != nullptr;
}

std::vector<size_t> LineStarts(std::string_view content) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\n' && i + 1 < content.size()) starts.push_back(i + 1);
  }
  return starts;
}

void LineColumn(const std::vector<size_t>& line_starts, size_t offset, int* line, int* column) {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  size_t idx = static_cast<size_t>(it - line_starts.begin()) - 1;
  *line = static_cast<int>(idx + 1);
  *column = static_cast<int>(offset - line_starts[idx] + 1);
}

}  // namespace sotinc

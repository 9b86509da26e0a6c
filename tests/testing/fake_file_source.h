// In-memory FileSource for unit tests: files are added by path, listed in
// sorted order, and every Read() is recorded in files_read_ so a test can
// assert what a run looked at (ninja's VirtualFileSystem does the same).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/file_source.h"
#include "engine/path_index.h"
#include "rules/check.h"

namespace sotinc {
namespace testing {

class FakeFileSource : public FileSource {
 public:
  void Add(const std::string& path, const std::string& content,
           FileType type = FileType::kRegular) {
    files_[path] = File{content, type};
  }
  void Remove(const std::string& path) { files_.erase(path); }
  // Makes Read() of `path` fail with `message`.
  void FailReads(const std::string& path, const std::string& message) {
    read_errors_[path] = message;
  }

  Result<std::vector<FileEntry>> List() override {
    std::vector<FileEntry> out;
    for (const auto& [path, file] : files_) {
      FileEntry e;
      e.path = path;
      e.size = file.content.size();
      e.type = file.type;
      e.content_id = "fake:" + std::to_string(std::hash<std::string>()(file.content));
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::string> Read(const FileEntry& entry) override {
    files_read_.push_back(entry.path);
    auto err = read_errors_.find(entry.path);
    if (err != read_errors_.end()) return Status::Error(err->second);
    auto it = files_.find(entry.path);
    if (it == files_.end()) return Status::Error("no such file");
    return it->second.content;
  }

  std::string materialized_root() const override { return ""; }
  std::string description() const override { return "fake"; }

  std::vector<std::string> files_read_;

 private:
  struct File {
    std::string content;
    FileType type;
  };
  std::map<std::string, File> files_;
  std::map<std::string, std::string> read_errors_;
};

// A ContentReader over a FileSource.
class SourceReader : public ContentReader {
 public:
  explicit SourceReader(FileSource* source) : source_(source) {}
  Result<std::string> Read(const FileEntry& file) override { return source_->Read(file); }

 private:
  FileSource* source_;
};

// Everything a check needs, built from a FakeFileSource, for kind tests.
struct CheckFixture {
  FakeFileSource source;
  std::vector<FileEntry> entries;
  Tree tree;
  std::unique_ptr<SourceReader> reader;
  CheckContext ctx;

  // Call after adding files.
  CheckContext& Context() {
    entries = *source.List();
    std::vector<std::string> paths;
    for (const FileEntry& e : entries) paths.push_back(e.path);
    tree = Tree::FromFiles(paths);
    reader = std::make_unique<SourceReader>(&source);
    ctx.tree = &tree;
    ctx.files = &entries;
    ctx.reader = reader.get();
    ctx.rule_id = "T001";
    return ctx;
  }
};

}  // namespace testing
}  // namespace sotinc

// The check kinds of SPEC section 3 behind one interface.
//
// A check is a pure function of its definition, the candidate paths, the
// contents it reads through CheckContext::reader and (for `command`) the
// process it runs through CheckContext::processes. It never touches the
// disk, git or the clock itself: that is what lets the engine cache its
// result by content and run it in a worker process.
//
// Two shapes:
//  - per-file kinds (per_file() is true) judge each matched file on its
//    own in CheckFile(); the engine matches file_globs(), handles dead
//    globs, oversized and unreadable files, and may cache each file's
//    findings separately;
//  - whole-rule kinds implement Run() and look at the whole tree.
// Checks are immutable after construction and safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_source.h"
#include "engine/glob.h"
#include "engine/path_index.h"
#include "engine/process.h"
#include "engine/result.h"
#include "engine/status.h"

namespace sotinc {

// Reads candidate file contents for a check. The engine's implementation
// records what was read (for keys and for tests).
class ContentReader {
 public:
  virtual ~ContentReader() = default;
  virtual Result<std::string> Read(const FileEntry& file) = 0;
};

// Caches the findings of one file of a per-file rule, keyed by the rule's
// definition and the file's path and content (the engine's implementation
// decides the key). Lookup fills `findings` and returns true on a hit.
class FileResultCache {
 public:
  virtual ~FileResultCache() = default;
  virtual bool Lookup(const FileEntry& file, std::vector<Finding>* findings) = 0;
  virtual void Store(const FileEntry& file, const std::vector<Finding>& findings) = 0;
};

// Receives what a rule's result depends on, to build its input key.
class InputRecorder {
 public:
  virtual ~InputRecorder() = default;
  // A candidate file: its path and size, and its content id when
  // `with_content` (content kinds).
  virtual void File(const FileEntry& file, bool with_content) = 0;
  // Any other fact the result depends on (a directory's child names, an
  // existence bit): recorded as text.
  virtual void Fact(std::string_view text) = 0;
  // A hint: about `count` more File() calls follow.
  virtual void Expect(size_t count) { (void)count; }
};

struct CheckContext {
  const Tree* tree = nullptr;                     // candidate files and dirs
  const std::vector<FileEntry>* files = nullptr;  // parallel to tree->files.paths()
  ContentReader* reader = nullptr;
  ProcessRunner* processes = nullptr;
  uint64_t max_file_bytes = 8u << 20;
  int64_t timeout_ms = 60000;
  // Where `command` runs: a directory in which every input file exists as
  // it is in the checked snapshot (the repository root, or a temp dir).
  std::string workdir;
  std::string rule_id;
  bool allow_empty = false;
  // Per-file result cache for per-file rules; null runs every file.
  FileResultCache* file_cache = nullptr;
  // Told when a batch (CheckFiles) starts work on a group of its inputs,
  // with the index of the first: the worker's watchdog times each part.
  std::function<void(size_t)> unit_started;
};

// One matched input file and the captures its glob bound.
struct CheckInput {
  const FileEntry* file = nullptr;
  Captures captures;
};

class Check {
 public:
  virtual ~Check() = default;

  virtual const char* kind() const = 0;
  // True for content kinds (they read files); false for structure kinds.
  virtual bool reads_content() const = 0;

  // Per-file kinds.
  virtual bool per_file() const { return false; }
  // Whether the engine loads each file's content for CheckFile() (a
  // per-file `command` reads the files itself from its work directory).
  virtual bool loads_file_content() const { return reads_content(); }
  virtual const GlobList* file_globs() const { return nullptr; }
  // Judges one file; `content` is empty for kinds that do not read
  // content. A non-OK status means the rule could not run (status error).
  virtual Status CheckFile(const CheckContext& ctx, const CheckInput& input,
                           std::string_view content, std::vector<Finding>* out) const;
  // Kinds that judge many files at once more cheaply than one by one (a
  // per-file `command`: one process for many file arguments) say so, and
  // the engine hands CheckFiles() a whole chunk. (*out)[i] must be what
  // CheckFile() would give inputs[i] alone. Contents are not loaded.
  virtual bool judges_in_batches() const { return false; }
  virtual Status CheckFiles(const CheckContext& ctx, const std::vector<CheckInput>& inputs,
                            std::vector<std::vector<Finding>>* out) const;

  // How many inputs the check selects in `tree` (files, or directories
  // for the directory kinds): what `sotinc list` shows.
  virtual size_t CountInputs(const Tree& tree) const;

  // Records everything the result depends on besides the definition: by
  // default the files file_globs() matches (with contents for content
  // kinds); structure kinds record the directory facts they look at. Two
  // snapshots that record the same inputs must give the same result.
  virtual void Fingerprint(const CheckContext& ctx, InputRecorder* inputs) const;

  // Runs the whole check. The default, for per-file kinds, matches
  // file_globs() and calls CheckFile() for each match (see RunPerFile).
  virtual Status Run(const CheckContext& ctx, std::vector<Finding>* out) const;
};

// The per-file loop behind Check::Run for per-file kinds: matches
// file_globs(), reports dead globs, and for each match consults
// ctx.file_cache before loading the content (when `load_content`) and
// calling CheckFile(); fresh findings are stored back in the cache.
Status RunPerFile(const Check& check, const CheckContext& ctx, bool load_content,
                  std::vector<Finding>* out);

// Judges one matched file: loads its content when the check wants it
// (LoadContent: an oversized file is a finding and is not judged) and calls
// CheckFile(). Both RunPerFile and the worker's per-file jobs use it.
Status JudgeFile(const Check& check, const CheckContext& ctx, const CheckInput& input,
                 bool load_content, std::vector<Finding>* findings);

// "glob 'x' matched nothing" findings (no path) unless ctx.allow_empty.
void AddDeadGlobFindings(const CheckContext& ctx, const std::vector<std::string>& dead,
                         std::vector<Finding>* out);

// Matches `globs` on ctx.tree->files and adds dead-glob findings.
std::vector<GlobMatch> MatchFiles(const CheckContext& ctx, const GlobList& globs,
                                  std::vector<Finding>* out);

// Loads a matched file for a content check. Returns true with `content`
// filled when the check should look at it. Returns false when it should
// not: a file over max_file_bytes (adding a finding), a submodule (an
// opaque entry, nothing to judge). A read failure is a non-OK status.
Result<bool> LoadContent(const CheckContext& ctx, const FileEntry& file, std::string* content,
                         std::vector<Finding>* out);

// True when the first 8 KiB hold a NUL byte.
bool LooksBinary(std::string_view content);

// Finds each line start: line_starts[i] is the offset of line i+1.
std::vector<size_t> LineStarts(std::string_view content);
// 1-based line and byte column of `offset`, given LineStarts().
void LineColumn(const std::vector<size_t>& line_starts, size_t offset, int* line, int* column);

}  // namespace sotinc

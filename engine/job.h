// A job: the unit of work the scheduler hands to an executor (in this
// process, or a worker process of the pool). A job is one whole rule, or a
// chunk of the files of a per-file rule whose other files came from the
// cache or went to other chunks.
//
// The parent process keeps everything that touches the cache and the keys;
// a job only evaluates. Jobs and outcomes cross the pipe between the parent
// and a worker in the byte form of engine/wire.h: a worker inherits the
// snapshot and the rules (it is forked after they are built), so a job
// names files by their index in the snapshot and rules by their index in
// JobEnv::rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/check.h"
#include "engine/file_source.h"
#include "engine/glob.h"
#include "engine/process.h"
#include "engine/result.h"
#include "engine/rule.h"
#include "engine/snapshot.h"
#include "engine/status.h"

namespace sotinc {

// What every job of one run sees. Borrowed; outlives the executor.
struct JobEnv {
  std::vector<const Rule*> rules;  // Job::rule indexes this
  const Snapshot* snapshot = nullptr;
  FileSource* source = nullptr;
  ProcessRunner* processes = nullptr;
  Settings settings;
  // Where `command` rules run: a directory holding the snapshot's files,
  // or empty (index, commit): each command job then runs in a temporary
  // copy of its input files made under temp_root.
  std::string workdir;
  std::string temp_root;  // the run's private temp directory ("" = $TMPDIR)
};

struct JobFile {
  uint32_t index = 0;  // into JobEnv::snapshot->files
  Captures captures;   // what the rule's glob bound for this file
};

struct Job {
  uint64_t id = 0;
  uint32_t rule = 0;       // into JobEnv::rules
  bool per_file = false;   // judge exactly `files` with CheckFile()
  std::vector<JobFile> files;
  int64_t timeout_ms = 0;  // limit of one unit: a file, a command, a whole rule
  // Scheduling only (not sent to workers).
  double expected_ms = 0;
  double priority = 0;
};

struct JobOutcome {
  uint64_t id = 0;
  Status status;                    // not OK: the rule ends as `error`
  std::vector<Finding> findings;    // a whole-rule job
  // A per-file job: the findings of Job::files, in order; when the status
  // is not OK, of the files judged before the failure only.
  std::vector<std::vector<Finding>> file_findings;
  // Reads of files the listing gave no content id (hashed by the engine):
  // (path, id of the bytes read), so the parent can tell a file that
  // changed after its key was computed.
  std::vector<std::pair<std::string, std::string>> hashed_reads;
  std::vector<std::string> changed;  // files whose size was not the listed one
  uint64_t files_read = 0;
  uint64_t bytes_read = 0;
  // How long the job ran where it ran (ms), measured there: unlike
  // end_ms - start_ms it leaves out the wait for a worker to start and for
  // the parent to read the outcome. Negative when unknown.
  double run_ms = -1;
  // Filled by the executor, never sent.
  int worker = 0;
  double start_ms = 0;
  double end_ms = 0;
};

// What a worker receives once, before its first job: the run's part of
// JobEnv. Workers are forked before the snapshot exists (a fork of a small
// process is cheap, and nothing the parent writes afterwards is copied on
// write), so the snapshot travels here. Rules travel as indexes into the
// list of rules the worker was forked with (`universe`); source and
// process runner are the worker's own.
std::string EncodeJobStart(const JobEnv& env, const std::vector<const Rule*>& universe);
// Fills env->rules, settings, workdir and temp_root, and *snapshot (which
// env->snapshot then points to). False on a malformed message or a rule
// index outside `universe`.
bool DecodeJobStart(std::string_view bytes, const std::vector<const Rule*>& universe,
                    JobEnv* env, Snapshot* snapshot);

std::string EncodeJob(const Job& job);
bool DecodeJob(std::string_view bytes, Job* job);
std::string EncodeOutcome(const JobOutcome& outcome);
bool DecodeOutcome(std::string_view bytes, JobOutcome* outcome);

// Told when a job starts a unit of work (a file of a per-file job, or the
// whole rule: index -1), so that a watchdog can time it and name it.
class JobProgress {
 public:
  virtual ~JobProgress() = default;
  virtual void Unit(int file) = 0;
};

// Evaluates `job` in this process. Never throws for a failing check; a
// check's exception becomes an error status (std::bad_alloc included).
JobOutcome ExecuteJob(const JobEnv& env, const Job& job, JobProgress* progress);

}  // namespace sotinc

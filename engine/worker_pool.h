// The worker process pool: `sotinc check -j N` (engine/executor.h).
//
// N workers, each forked at most once per run. With PoolOptions::rules and
// source set (what `sotinc check` does), all of them are forked when the
// pool is made, before the caller indexes the files and computes keys,
// while the process is small: forking copies the page tables, and every
// page either side writes afterwards is copied on the fault
// (docs/scheduling.md). Without them (the tests' runners), a worker is
// forked when there is work for it. Either way a worker's first message is the run's
// start (EncodeJobStart: the snapshot, the run's rules as indexes, the
// settings), then small jobs over a pipe (engine/job.h), each a length-
// prefixed message; it sends back the outcome in the same form. After the
// fork a worker reopens its own libgit2 handle (FileSource::ReopenAfterFork),
// puts itself in a process group of its own (a Ctrl-C on the terminal
// reaches only sotinc, which then stops everything in order), and dies
// with its parent (PR_SET_PDEATHSIG).
//
// Isolation. Each worker has a slot in a shared memory page where it
// publishes the unit it is working on (a file of a per-file job, or the
// whole rule), when that unit started, and the process group of the
// command it is running. From that the parent:
//   - turns a worker that dies (SIGSEGV, abort, std::bad_alloc that
//     escaped, the OOM killer's SIGKILL) into an `error` outcome for the
//     job it held, "worker crashed: signal 11 (SIGSEGV) while running RULE
//     on PATH", kills the command group it left behind, and forks a
//     replacement;
//   - kills a worker whose unit runs past the job's timeout plus a grace
//     period (a `command` enforces its own timeout first; this is the
//     backstop for everything else): "timed out after 30s";
//   - on SIGINT or SIGTERM (engine/interrupt.h) kills every worker and
//     every command group, and Wait() returns with interrupted() set.
// An optional address-space limit per worker (`settings.worker_memory`)
// is set with setrlimit(RLIMIT_AS) in each worker and so also applies to
// the commands it starts.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/interrupt.h"

namespace sotinc {

struct PoolOptions {
  int workers = 1;
  uint64_t memory_limit = 0;                   // bytes of address space per worker; 0 = none
  int64_t grace_ms = 2000;                     // watchdog margin beyond a job's timeout
  Clock* clock = nullptr;                      // for outcome start/end times (required)
  const InterruptWatch* interrupts = nullptr;  // optional
  // What a worker's first job costs it per file of the snapshot (decoding
  // and indexing the start message, ms): StartCostMs(). About 50 ms at
  // 26,820 files on the benchmark machine.
  double start_ms_per_file = 0.002;
  // Fork the workers at once: the rules any run's jobs may name (every
  // JobEnv::rules entry must be one of them), the source the workers read
  // (its ReopenAfterFork is called in each) and their process runner. All
  // must outlive the pool.
  const std::vector<const Rule*>* rules = nullptr;
  FileSource* source = nullptr;
  ProcessRunner* processes = nullptr;
};

std::unique_ptr<Executor> NewWorkerPool(const PoolOptions& options);

// "30s" or "1500ms": how timeouts are written in messages.
std::string FormatTimeout(int64_t ms);

}  // namespace sotinc

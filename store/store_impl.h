// Internal to store/: the SQLite side of a ResultStore (its connection and
// its cached prepared statements) and the opening of one database file.
// Nothing outside store/*.cc includes this header.
//
// Ownership: Impl owns the connection; the statements are declared after
// it, so they are finalized before it closes.  Not thread-safe, like
// ResultStore.
#pragma once

#include <memory>
#include <string>

#include "store/recovery.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace sotinc {

struct ResultStore::Impl {
  sqlite::Db db;
  store::FileId file_id;  // of the file this connection opened

  sqlite::Stmt begin, commit, rollback;
  sqlite::Stmt get, put, erase, touch;
  sqlite::Stmt get_stat, put_stat;
  sqlite::Stmt get_duration, put_duration, all_durations;
  sqlite::Stmt insert_run, trim_runs, last_run;
  sqlite::Stmt count_by_ns, count_stats, total_size, lru, rule_entries, run_entries;

  // Prepares every statement above once; they are reused for the life of
  // the connection.  On failure returns the code and sets *message.
  int PrepareAll(std::string* message);

  // Steps a statement with no result rows; SQLITE_OK or the error code.
  static int Run(sqlite::Stmt& stmt);
  bool InTransaction() const { return sqlite3_get_autocommit(db.get()) == 0; }

  // The result of opening one file once.  Exactly one of: `impl` set (a
  // usable database), `damaged` (the file must be replaced; `reason` says
  // why, for the warning), or `error` (the environment prevents caching).
  struct Attempt {
    std::unique_ptr<Impl> impl;
    bool damaged = false;
    std::string reason;
    Status error;
  };
  static Attempt TryOpen(const std::string& path, const StoreOptions& options);
};

}  // namespace sotinc

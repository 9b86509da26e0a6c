// Opening the cache: pragmas, schema, and the diagnosis that decides
// between "use it", "replace it" and "run uncached".
#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "store/schema.h"
#include "store/store_impl.h"

namespace sotinc {
namespace {

using Impl = ResultStore::Impl;

Impl::Attempt Damaged(std::string reason) {
  Impl::Attempt a;
  a.damaged = true;
  a.reason = std::move(reason);
  return a;
}

Impl::Attempt Unusable(const std::string& path, const std::string& what, int rc,
                       const std::string& message) {
  Impl::Attempt a;
  a.error = Status::Error("cannot use the cache database " + path + ": " + what + ": " + message +
                          " (" + sqlite::CodeName(rc) + ")");
  return a;
}

// A failure while opening is damage when SQLite says so, anything else is
// the environment (permissions, locks, disk).
Impl::Attempt Failed(const std::string& path, const std::string& what, int rc,
                     const std::string& message) {
  if (sqlite::IsCorruption(rc)) {
    return Damaged("is corrupt (" + sqlite::CodeName(rc) + " while " + what + ": " + message + ")");
  }
  return Unusable(path, what, rc, message);
}

Impl::Attempt FromSchema(const std::string& path, const store::SchemaOutcome& schema) {
  switch (schema.state) {
    case store::SchemaState::kForeign:
      return Damaged("is not a sotinc cache: " + schema.detail);
    case store::SchemaState::kNewer: {
      Impl::Attempt a;
      a.error = Status::Error("cannot use the cache database " + path + ": its " + schema.detail +
                              "; delete it to cache with this version");
      return a;
    }
    default:
      return Failed(path, "checking the schema", schema.rc, schema.detail);
  }
}

// Switching a new database to WAL needs an exclusive lock, and SQLite does
// not call the busy handler when two connections create the file at once:
// one of them gets SQLITE_BUSY straight away.  Retry for as long as the
// busy timeout allows, with a short growing pause.
int SwitchToWal(sqlite::Db& db, int busy_timeout_ms, std::string* mode) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  std::chrono::milliseconds pause(1);
  for (;;) {
    const int rc = db.QueryText("PRAGMA journal_mode=WAL", mode);
    if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) return rc;
    if (std::chrono::steady_clock::now() + pause > deadline) return rc;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace

Impl::Attempt Impl::TryOpen(const std::string& path, const StoreOptions& options) {
  const store::ProbeResult probe = store::ProbeDatabaseFile(path);
  if (probe.kind == store::FileProbe::kNotADatabase) return Damaged("is unusable: " + probe.detail);
  if (probe.kind == store::FileProbe::kNotAFile) {
    Attempt a;
    a.error = Status::Error("cannot use the cache database " + path + ": " + probe.detail);
    return a;
  }

  auto impl = std::make_unique<Impl>();
  std::string message;
  int rc = impl->db.Open(path, &message);
  if (rc != SQLITE_OK) return Failed(path, "opening", rc, message);
  sqlite3* db = impl->db.get();
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // Keep the -wal and -shm files when the last connection closes: SQLite
  // deletes them by name, which after a move-aside would be the new
  // database's files (see docs/schema.md, "Corruption").
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);

  // Look before writing anything: switching to WAL rewrites the header,
  // and a file that is not ours must be moved aside exactly as found.
  store::SchemaOutcome schema = store::InspectSchema(impl->db);
  if (schema.state != store::SchemaState::kReady && schema.state != store::SchemaState::kMigrate) {
    return FromSchema(path, schema);
  }

  std::string mode;
  rc = SwitchToWal(impl->db, options.busy_timeout_ms, &mode);
  if (rc != SQLITE_OK) return Failed(path, "switching to WAL", rc, impl->db.LastMessage());
  if (mode != "wal") return Unusable(path, "switching to WAL", SQLITE_ERROR, "mode is " + mode);
  // journal_size_limit truncates the persistent WAL after checkpoints and
  // to zero bytes on close. Reads go through pread() into a page cache of
  // at most 16 MiB, not through a memory map: the kernel maps 64 KiB around
  // each page a lookup faults in, so the scattered lookups of a run that
  // reads 10 MB of a 165 MB cache held 106 MB of the file in its resident
  // set; the one-file `--staged` run is as fast either way (docs/benchmarks.md,
  // session 7).
  rc = impl->db.Exec(
      "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA journal_size_limit=4194304; "
      "PRAGMA cache_size=-16384; PRAGMA mmap_size=0;");
  if (rc != SQLITE_OK) return Failed(path, "setting pragmas", rc, impl->db.LastMessage());

  if (options.max_file_bytes > 0) {
    int64_t page_size = 0;
    rc = impl->db.QueryInt("PRAGMA page_size", &page_size);
    if (rc != SQLITE_OK) return Failed(path, "setting pragmas", rc, impl->db.LastMessage());
    const std::string cap = "PRAGMA max_page_count=" + std::to_string(std::max<int64_t>(
                                                           1, options.max_file_bytes / page_size));
    rc = impl->db.Exec(cap.c_str());
    if (rc != SQLITE_OK) return Failed(path, "setting pragmas", rc, impl->db.LastMessage());
  }

  schema = store::EnsureSchema(impl->db);
  if (schema.state != store::SchemaState::kReady) return FromSchema(path, schema);

  rc = impl->PrepareAll(&message);
  if (rc != SQLITE_OK) {
    // Our id and version but not our tables: somebody edited the file.  (A
    // typo in our own SQL is also SQLITE_ERROR, but fails every test.)
    const bool missing =
        message.rfind("no such table", 0) == 0 || message.rfind("no such column", 0) == 0;
    if ((rc & 0xff) == SQLITE_ERROR && missing) {
      return Damaged("does not match schema version " + std::to_string(store::kSchemaVersion) +
                     " (" + message + ")");
    }
    return Failed(path, "preparing statements", rc, message);
  }

  // A full check costs a read of the whole file, so it runs only when the
  // file looks truncated; SQLite would otherwise meet the damage later.
  if (probe.kind == store::FileProbe::kSuspectTruncated) {
    std::string verdict;
    rc = impl->db.QueryText("PRAGMA quick_check", &verdict);
    if (rc != SQLITE_OK) return Failed(path, "checking integrity", rc, impl->db.LastMessage());
    if (verdict != "ok") {
      return Damaged("failed its integrity check (" + probe.detail + "; " + verdict + ")");
    }
  }

  impl->file_id = store::IdentifyFile(path);
  Attempt a;
  a.impl = std::move(impl);
  return a;
}

Result<std::unique_ptr<ResultStore>> ResultStore::Open(const std::string& path,
                                                       const StoreOptions& options,
                                                       std::vector<std::string>* warnings) {
  if (Status s = store::EnsureParentDirectory(path); !s.ok()) return s;
  std::unique_ptr<ResultStore> store(new ResultStore(path, options));
  Impl::Attempt a = Impl::TryOpen(path, options);
  if (a.damaged) {
    // Diagnose again under the lock: another process may have replaced the
    // file meanwhile, and its new database must not be moved aside.
    auto lock = store::RecoveryLock::Acquire(path, options.busy_timeout_ms);
    if (!lock.ok()) return lock.status();
    a = Impl::TryOpen(path, options);
    if (a.damaged) {
      auto aside = store::MoveAside(path);
      if (!aside.ok()) {
        return Status::Error("the cache database " + path + " " + a.reason + ", and " +
                             aside.error());
      }
      if (warnings != nullptr) {
        warnings->push_back("the cache database " + path + " " + a.reason + "; moved it to " +
                            *aside + " and started an empty cache");
      }
      a = Impl::TryOpen(path, options);
      if (a.damaged) {
        return Status::Error("the new cache database " + path + " " + a.reason);
      }
    }
  }
  if (!a.impl) return a.error;
  store->impl_ = std::move(a.impl);
  return store;
}

}  // namespace sotinc

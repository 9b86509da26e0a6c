// RAII owners for a SQLite connection and its prepared statements, and the
// mapping of SQLite result codes to messages a user can act on.
//
// This is the one header of the store that includes <sqlite3.h>; only
// store/*.cc include it.
//
// Ownership: a Db owns one sqlite3* and closes it when destroyed; a Stmt
// owns one sqlite3_stmt* and finalizes it.  Every Stmt must be destroyed
// before the Db it was prepared on (members declared after the Db, or an
// explicit Close() order).  Both are move-only.
//
// Thread-safety: connections are opened with SQLITE_OPEN_NOMUTEX, so a Db
// and its statements belong to one thread at a time.  Never use them on
// both sides of a fork(): the child opens its own connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace sotinc {
namespace sqlite {

// "SQLITE_FULL", "SQLITE_IOERR_WRITE", ... for a (possibly extended) code.
std::string CodeName(int rc);

// True for the codes that mean the file is damaged or is not a database,
// as opposed to an environment problem (permissions, disk full, locks).
bool IsCorruption(int rc);

class Db {
 public:
  Db() = default;
  ~Db() { Close(); }
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens read-write, creating the file if missing.  On failure returns the
  // SQLite code (the half-open handle is closed) and sets *error.
  int Open(const std::string& path, std::string* error);
  void Close();

  sqlite3* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }

  // Runs SQL with no result rows (or ignores them).  Returns the SQLite code.
  int Exec(const char* sql);
  // The first column of the first row as an integer / text (0 / "" when
  // there is no row).  Returns the SQLite code.
  int QueryInt(const char* sql, int64_t* out);
  int QueryText(const char* sql, std::string* out);

  // sqlite3_errmsg of the last call on this connection.
  std::string LastMessage() const;

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement.  Bind*, Step and the Column* accessors follow the
// SQLite API (1-based parameters, 0-based columns); Reset() must run
// before the statement is reused (Scope does it on every path).
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { Finalize(); }
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Prepares a long-lived statement (SQLITE_PREPARE_PERSISTENT).
  int Prepare(sqlite3* db, const char* sql);
  void Finalize();

  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  // Text and blobs are bound without copying: the bytes must outlive the
  // statement's next Reset (they do when bound inside a Scope).
  void BindText(int i, std::string_view v);
  void BindBlob(int i, std::string_view v);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset();

  int64_t ColumnInt(int c) const { return sqlite3_column_int64(stmt_, c); }
  double ColumnDouble(int c) const { return sqlite3_column_double(stmt_, c); }
  // Copies a text or blob column.
  std::string ColumnBytes(int c) const;

  explicit operator bool() const { return stmt_ != nullptr; }

  // Resets and clears the statement's bindings when it goes out of scope,
  // so an early return never leaves a statement holding a read lock.
  class Scope {
   public:
    explicit Scope(Stmt* s) : s_(s) {}
    ~Scope() { s_->Reset(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Stmt* s_;
  };

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace sqlite
}  // namespace sotinc

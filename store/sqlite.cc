#include "store/sqlite.h"

namespace sotinc {
namespace sqlite {

std::string CodeName(int rc) {
  static const struct {
    int code;
    const char* name;
  } kNames[] = {
      {SQLITE_OK, "SQLITE_OK"},
      {SQLITE_ERROR, "SQLITE_ERROR"},
      {SQLITE_PERM, "SQLITE_PERM"},
      {SQLITE_ABORT, "SQLITE_ABORT"},
      {SQLITE_BUSY, "SQLITE_BUSY"},
      {SQLITE_LOCKED, "SQLITE_LOCKED"},
      {SQLITE_NOMEM, "SQLITE_NOMEM"},
      {SQLITE_READONLY, "SQLITE_READONLY"},
      {SQLITE_IOERR, "SQLITE_IOERR"},
      {SQLITE_CORRUPT, "SQLITE_CORRUPT"},
      {SQLITE_FULL, "SQLITE_FULL"},
      {SQLITE_CANTOPEN, "SQLITE_CANTOPEN"},
      {SQLITE_PROTOCOL, "SQLITE_PROTOCOL"},
      {SQLITE_SCHEMA, "SQLITE_SCHEMA"},
      {SQLITE_TOOBIG, "SQLITE_TOOBIG"},
      {SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT"},
      {SQLITE_MISMATCH, "SQLITE_MISMATCH"},
      {SQLITE_MISUSE, "SQLITE_MISUSE"},
      {SQLITE_NOLFS, "SQLITE_NOLFS"},
      {SQLITE_AUTH, "SQLITE_AUTH"},
      {SQLITE_RANGE, "SQLITE_RANGE"},
      {SQLITE_NOTADB, "SQLITE_NOTADB"},
  };
  // The extended codes a user of a local cache file can meet; SQLite has
  // no name table of its own.
  static const struct {
    int code;
    const char* name;
  } kExtended[] = {
      {SQLITE_IOERR_READ, "SQLITE_IOERR_READ"},
      {SQLITE_IOERR_SHORT_READ, "SQLITE_IOERR_SHORT_READ"},
      {SQLITE_IOERR_WRITE, "SQLITE_IOERR_WRITE"},
      {SQLITE_IOERR_FSYNC, "SQLITE_IOERR_FSYNC"},
      {SQLITE_IOERR_TRUNCATE, "SQLITE_IOERR_TRUNCATE"},
      {SQLITE_IOERR_FSTAT, "SQLITE_IOERR_FSTAT"},
      {SQLITE_IOERR_LOCK, "SQLITE_IOERR_LOCK"},
      {SQLITE_IOERR_SHMOPEN, "SQLITE_IOERR_SHMOPEN"},
      {SQLITE_IOERR_SHMSIZE, "SQLITE_IOERR_SHMSIZE"},
      {SQLITE_IOERR_SHMMAP, "SQLITE_IOERR_SHMMAP"},
      {SQLITE_CANTOPEN_ISDIR, "SQLITE_CANTOPEN_ISDIR"},
      {SQLITE_READONLY_CANTINIT, "SQLITE_READONLY_CANTINIT"},
      {SQLITE_READONLY_DIRECTORY, "SQLITE_READONLY_DIRECTORY"},
      {SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT"},
      {SQLITE_BUSY_RECOVERY, "SQLITE_BUSY_RECOVERY"},
  };
  for (const auto& n : kExtended) {
    if (n.code == rc) return n.name;
  }
  const int primary = rc & 0xff;
  std::string name = "SQLITE_" + std::to_string(rc);
  for (const auto& n : kNames) {
    if (n.code == primary) name = n.name;
  }
  if (rc != primary) name += " (extended code " + std::to_string(rc) + ")";
  return name;
}

bool IsCorruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    Close();
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

int Db::Open(const std::string& path, std::string* error) {
  Close();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db_, 1);
    return rc;
  }
  if (db_ != nullptr) {
    rc = sqlite3_extended_errcode(db_);
    *error = sqlite3_errmsg(db_);
  } else {
    *error = sqlite3_errstr(rc);
  }
  Close();
  return rc;
}

void Db::Close() {
  // Every Stmt is finalized before its Db closes, so sqlite3_close cannot
  // return SQLITE_BUSY here; close_v2 would hide that bug, close reports it.
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

int Db::Exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

int Db::QueryInt(const char* sql, int64_t* out) {
  *out = 0;
  Stmt s;
  int rc = s.Prepare(db_, sql);
  if (rc != SQLITE_OK) return rc;
  rc = s.Step();
  if (rc == SQLITE_ROW) {
    *out = s.ColumnInt(0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  return rc;
}

int Db::QueryText(const char* sql, std::string* out) {
  out->clear();
  Stmt s;
  int rc = s.Prepare(db_, sql);
  if (rc != SQLITE_OK) return rc;
  rc = s.Step();
  if (rc == SQLITE_ROW) {
    *out = s.ColumnBytes(0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  return rc;
}

std::string Db::LastMessage() const { return db_ ? sqlite3_errmsg(db_) : "no database"; }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    Finalize();
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

int Stmt::Prepare(sqlite3* db, const char* sql) {
  Finalize();
  return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
}

void Stmt::Finalize() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

// SQLite binds a null pointer as NULL, which NOT NULL columns reject; an
// empty string or blob must bind as empty.
static const char kEmpty = 0;

void Stmt::BindText(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.empty() ? &kEmpty : v.data(), static_cast<int>(v.size()),
                    SQLITE_STATIC);
}

void Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob(stmt_, i, v.empty() ? &kEmpty : v.data(), static_cast<int>(v.size()),
                    SQLITE_STATIC);
}

void Stmt::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::ColumnBytes(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  const int n = sqlite3_column_bytes(stmt_, c);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

}  // namespace sqlite
}  // namespace sotinc

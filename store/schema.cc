#include "store/schema.h"

namespace sotinc {
namespace store {
namespace {

// kMigrations[i] upgrades user_version i to i+1.  Append only.
const char* const kMigrations[] = {
    // 0 -> 1: the first schema.
    R"sql(
CREATE TABLE entries(
  ns        INTEGER NOT NULL,
  key       BLOB    NOT NULL,
  rule_id   TEXT    NOT NULL,
  value     BLOB    NOT NULL,
  size      INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  checksum  INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX entries_by_last_used ON entries(last_used);
CREATE TABLE stat_cache(
  path     TEXT    NOT NULL PRIMARY KEY,
  size     INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  ino      INTEGER NOT NULL,
  hash     BLOB    NOT NULL
) WITHOUT ROWID;
CREATE TABLE durations(
  rule_id TEXT    NOT NULL PRIMARY KEY,
  count   INTEGER NOT NULL,
  mean    REAL    NOT NULL,
  m2      REAL    NOT NULL
) WITHOUT ROWID;
CREATE TABLE runs(
  id          INTEGER PRIMARY KEY,
  finished_ms INTEGER NOT NULL,
  hits        INTEGER NOT NULL,
  misses      INTEGER NOT NULL
);
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

struct Header {
  int64_t application_id = 0;
  int64_t version = 0;
  int64_t objects = 0;  // rows in sqlite_master
};

int ReadHeader(sqlite::Db& db, Header* h) {
  int rc = db.QueryInt("PRAGMA application_id", &h->application_id);
  if (rc == SQLITE_OK) rc = db.QueryInt("PRAGMA user_version", &h->version);
  if (rc == SQLITE_OK) rc = db.QueryInt("SELECT count(*) FROM sqlite_master", &h->objects);
  return rc;
}

// Decides what the file is from its header alone.
SchemaOutcome Classify(const Header& h) {
  SchemaOutcome out;
  const bool empty = h.application_id == 0 && h.objects == 0;
  if (!empty && h.application_id != kApplicationId) {
    out.state = SchemaState::kForeign;
    out.detail = h.application_id == 0
                     ? "it holds tables but is not a sotinc cache (application_id 0)"
                     : "it belongs to another application (application_id " +
                           std::to_string(h.application_id) + ")";
    return out;
  }
  // A file with no schema at all is new, whatever its header says.
  if (empty) {
    out.state = SchemaState::kMigrate;  // from version 0
    return out;
  }
  if (h.version > kSchemaVersion) {
    out.state = SchemaState::kNewer;
    out.detail = "schema version " + std::to_string(h.version) +
                 " was written by a newer sotinc (this one knows up to " +
                 std::to_string(kSchemaVersion) + ")";
    return out;
  }
  if (h.version < 1) {
    // Our id without any schema cannot happen through EnsureSchema (both
    // are set in one transaction); treat it as damage.
    out.state = SchemaState::kForeign;
    out.detail = "it has sotinc's application_id but no schema version";
    return out;
  }
  out.state = h.version == kSchemaVersion ? SchemaState::kReady : SchemaState::kMigrate;
  return out;
}

SchemaOutcome SqliteFailure(sqlite::Db& db, int rc, const char* what) {
  SchemaOutcome out;
  out.state = SchemaState::kFailed;
  out.rc = rc;
  out.detail = std::string(what) + ": " + db.LastMessage();
  return out;
}

}  // namespace

SchemaOutcome InspectSchema(sqlite::Db& db) {
  Header h;
  const int rc = ReadHeader(db, &h);
  if (rc != SQLITE_OK) return SqliteFailure(db, rc, "reading the schema version");
  return Classify(h);
}

SchemaOutcome EnsureSchema(sqlite::Db& db) {
  SchemaOutcome first = InspectSchema(db);
  if (first.state != SchemaState::kMigrate) return first;
  // IMMEDIATE takes the write lock now, so two processes cannot both
  // migrate; the loser waits (busy_timeout) and then finds the work done.
  int rc = db.Exec("BEGIN IMMEDIATE");
  if (rc != SQLITE_OK) return SqliteFailure(db, rc, "starting the schema migration");
  Header h;
  rc = ReadHeader(db, &h);
  SchemaOutcome again = rc == SQLITE_OK ? Classify(h) : SchemaOutcome{};
  if (rc != SQLITE_OK || again.state != SchemaState::kMigrate) {
    db.Exec("ROLLBACK");
    return rc != SQLITE_OK ? SqliteFailure(db, rc, "reading the schema version") : again;
  }
  const int64_t from = h.objects == 0 ? 0 : h.version;
  for (int64_t v = from; v < kSchemaVersion; ++v) {
    rc = db.Exec(kMigrations[v]);
    if (rc != SQLITE_OK) {
      SchemaOutcome out = SqliteFailure(db, rc, "migrating the cache schema");
      db.Exec("ROLLBACK");
      return out;
    }
  }
  // Header fields live on page 1, so these commit or roll back with the
  // tables: a crash can never leave our id on a half-built schema.
  const std::string pragmas = "PRAGMA application_id=" + std::to_string(kApplicationId) +
                              "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
  rc = db.Exec(pragmas.c_str());
  if (rc == SQLITE_OK) rc = db.Exec("COMMIT");
  if (rc != SQLITE_OK) {
    SchemaOutcome out = SqliteFailure(db, rc, "committing the schema migration");
    db.Exec("ROLLBACK");
    return out;
  }
  SchemaOutcome out;
  out.state = SchemaState::kReady;
  return out;
}

}  // namespace store
}  // namespace sotinc

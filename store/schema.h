// The cache database's schema and the migrations that bring an older file
// up to date.
//
// The file identifies itself by PRAGMA application_id (kApplicationId) and
// versions its tables by PRAGMA user_version (kSchemaVersion).  Migration i
// turns version i into version i+1; a new schema version appends one
// migration and bumps kSchemaVersion, never edits an old one, because files
// written by every earlier release must still upgrade.  docs/schema.md
// describes the tables and the policy.
//
// EnsureSchema is safe against another process doing the same at the same
// time: it re-reads the version inside a BEGIN IMMEDIATE transaction, so
// exactly one process migrates and the others see the result.
#pragma once

#include <cstdint>
#include <string>

#include "store/sqlite.h"

namespace sotinc {
namespace store {

// "SOTC" in ASCII: PRAGMA application_id of every sotinc cache file.
inline constexpr int32_t kApplicationId = 0x534f5443;
inline constexpr int kSchemaVersion = 1;

enum class SchemaState {
  kReady,    // our file at kSchemaVersion (possibly just created or migrated)
  kForeign,  // another application's database, or tables without our id
  kNewer,    // our file, written by a newer sotinc (user_version too high)
  kFailed,   // SQLite failed; `rc` says why (corruption or environment)
  kMigrate,  // new or older: EnsureSchema will create or upgrade it
};

struct SchemaOutcome {
  SchemaState state = SchemaState::kFailed;
  int rc = SQLITE_OK;
  std::string detail;  // for the user: what was found
};

// Classifies the open database without writing anything, so that a
// foreign file is left byte-for-byte as it was found.
SchemaOutcome InspectSchema(sqlite::Db& db);

// Creates or migrates our tables (after InspectSchema said kMigrate, or
// kReady) and returns kReady, or why not.  The connection must not be
// inside a transaction.
SchemaOutcome EnsureSchema(sqlite::Db& db);

}  // namespace store
}  // namespace sotinc

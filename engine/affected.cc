#include "engine/affected.h"

#include "engine/inputs.h"
#include "engine/runner.h"
#include "engine/wire.h"

namespace sotinc {

BaseSide DescribeBase(const std::vector<Rule>& rules, const Settings& settings,
                      const Snapshot& base, ContentIds* ids) {
  BaseSide side;
  for (const Rule& r : rules) {
    side.definitions[r.id] = DefinitionDigest(r, settings);
    side.inputs[r.id] = DigestInputs(r, base, ids, settings.max_file_bytes);
  }
  return side;
}

namespace {

constexpr unsigned char kBaseVersion = 1;
constexpr unsigned char kBaseKind = 'B';

}  // namespace

std::string EncodeBaseRecord(const BaseRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kBaseVersion));
  out.push_back(static_cast<char>(kBaseKind));
  PutVarint(&out, record.disk_files.size());
  for (const ConfigFileDigest& f : record.disk_files) {
    PutString(&out, f.path);
    PutString(&out, f.digest);
  }
  PutVarint(&out, record.side.definitions.size());
  for (const auto& [id, definition] : record.side.definitions) {
    auto inputs = record.side.inputs.find(id);
    InputsDigest none{"", "no inputs recorded"};
    const InputsDigest& d = inputs != record.side.inputs.end() ? inputs->second : none;
    PutString(&out, id);
    PutString(&out, definition);
    PutString(&out, d.digest);
    PutString(&out, d.error);
  }
  return out;
}

Result<BaseRecord> DecodeBaseRecord(std::string_view bytes) {
  WireReader in(bytes);
  unsigned char version = 0;
  unsigned char kind = 0;
  if (!in.Byte(&version) || !in.Byte(&kind)) return Status::Error("truncated base record");
  if (version != kBaseVersion || kind != kBaseKind) {
    return Status::Error("not a base record of this version");
  }
  BaseRecord record;
  uint64_t n = 0;
  // Each entry takes at least a byte: a count beyond that is damage.
  if (!in.Varint(&n) || (n > in.remaining() && !in.Fail("count beyond the bytes left"))) {
    return Status::Error(in.error());
  }
  for (uint64_t i = 0; i < n; ++i) {
    ConfigFileDigest f;
    if (!in.String(&f.path) || !in.String(&f.digest)) return Status::Error(in.error());
    record.disk_files.push_back(std::move(f));
  }
  if (!in.Varint(&n) || (n > in.remaining() && !in.Fail("count beyond the bytes left"))) {
    return Status::Error(in.error());
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string id;
    std::string definition;
    InputsDigest d;
    if (!in.String(&id) || !in.String(&definition) || !in.String(&d.digest) ||
        !in.String(&d.error)) {
      return Status::Error(in.error());
    }
    if (!record.side.definitions.emplace(id, std::move(definition)).second) {
      return Status::Error("a rule twice in a base record");
    }
    record.side.inputs.emplace(std::move(id), std::move(d));
  }
  if (!in.AtEnd()) return Status::Error(in.failed() ? in.error() : "trailing bytes");
  return record;
}

std::set<std::string> FindAffected(const AffectedQuery& q) {
  std::set<std::string> selected_ids;
  for (const Rule* r : q.selected) selected_ids.insert(r->id);
  std::set<std::string> affected;
  for (const Rule* rule : q.selected) {
    // A prerequisite left out of the selection (disabled) does not run, so
    // the rule is skipped now: whether it was at the base is not known here.
    bool missing_prerequisite = false;
    for (const std::string& dep : rule->depends_on) {
      if (!selected_ids.count(dep)) missing_prerequisite = true;
    }
    if (missing_prerequisite) {
      affected.insert(rule->id);
      continue;
    }
    auto base_def = q.base->definitions.find(rule->id);
    if (base_def == q.base->definitions.end() ||
        base_def->second != DefinitionDigest(*rule, q.settings)) {
      affected.insert(rule->id);
      continue;
    }
    InputsDigest now = DigestInputs(*rule, *q.now, q.now_ids, q.settings.max_file_bytes);
    bool no_declared_inputs = rule->check && rule->check->file_globs() == nullptr &&
                              !rule->check->per_file() &&
                              std::string(rule->check->kind()) == "command";
    if (no_declared_inputs || !now.error.empty()) {
      affected.insert(rule->id);
      continue;
    }
    auto base = q.base->inputs.find(rule->id);
    if (base == q.base->inputs.end() || !base->second.error.empty() ||
        base->second.digest != now.digest) {
      affected.insert(rule->id);
    }
  }
  // Close under dependents, within the selection.
  std::vector<std::string> work(affected.begin(), affected.end());
  while (!work.empty()) {
    std::string id = work.back();
    work.pop_back();
    for (const Rule* d : q.graph->Dependents(id)) {
      if (selected_ids.count(d->id) && affected.insert(d->id).second) work.push_back(d->id);
    }
  }
  return affected;
}

}  // namespace sotinc

#include "engine/affected.h"

#include "engine/inputs.h"
#include "engine/runner.h"

namespace sotinc {

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
    auto base_def = q.base_definitions->find(rule->id);
    if (base_def == q.base_definitions->end() ||
        base_def->second != DefinitionDigest(*rule, q.settings)) {
      affected.insert(rule->id);
      continue;
    }
    InputsDigest now = DigestInputs(*rule, *q.now, q.now_ids, q.settings.max_file_bytes);
    bool no_declared_inputs =
        rule->check && rule->check->file_globs() == nullptr && !rule->check->per_file() &&
        std::string(rule->check->kind()) == "command";
    if (no_declared_inputs || !now.error.empty()) {
      affected.insert(rule->id);
      continue;
    }
    InputsDigest base = DigestInputs(*rule, *q.base, q.base_ids, q.settings.max_file_bytes);
    if (!base.error.empty() || base.digest != now.digest) affected.insert(rule->id);
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

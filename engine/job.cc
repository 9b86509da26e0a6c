#include "engine/job.h"

#include <exception>
#include <memory>
#include <new>
#include <unordered_map>

#include "engine/keys.h"
#include "engine/materialize.h"
#include "engine/wire.h"

namespace sotinc {
namespace {

constexpr unsigned char kJobTag = 'J';
constexpr unsigned char kOutcomeTag = 'O';
constexpr unsigned char kStartTag = 'S';

// Reads through the source and notes what the parent needs to decide
// whether the result may be cached: the id of every read of a file the
// listing could not name, and every file whose size moved.
class JobReader : public ContentReader {
 public:
  JobReader(FileSource* source, JobOutcome* outcome) : source_(source), outcome_(outcome) {}

  Result<std::string> Read(const FileEntry& file) override {
    Result<std::string> r = source_->Read(file);
    if (!r.ok()) return r;
    ++outcome_->files_read;
    outcome_->bytes_read += r->size();
    if (r->size() != file.size) {
      outcome_->changed.push_back(file.path);
    } else if (file.content_id.empty()) {
      outcome_->hashed_reads.emplace_back(file.path, "x:" + ToHex(HashBytes(*r)));
    }
    return r;
  }

 private:
  FileSource* source_;
  JobOutcome* outcome_;
};

bool IsCommand(const Rule& rule) { return std::string(rule.check->kind()) == "command"; }

// The files a command job needs on disk when the snapshot is not: the
// job's own files, or everything the rule's globs match.
std::vector<const FileEntry*> CommandInputs(const JobEnv& env, const Rule& rule, const Job& job) {
  std::vector<const FileEntry*> files;
  const std::vector<FileEntry>& all = env.snapshot->files;
  if (job.per_file) {
    for (const JobFile& f : job.files) files.push_back(&all[f.index]);
  } else if (const GlobList* globs = rule.check->file_globs()) {
    for (const GlobMatch& m : globs->MatchAll(env.snapshot->tree.files)) {
      files.push_back(&all[m.index]);
    }
  } else {
    for (const FileEntry& f : all) files.push_back(&f);
  }
  return files;
}

Status RunFiles(const Check& check, const CheckContext& ctx, const JobEnv& env, const Job& job,
                JobProgress* progress, JobOutcome* out) {
  if (check.judges_in_batches()) {
    std::vector<CheckInput> inputs;
    inputs.reserve(job.files.size());
    for (const JobFile& jf : job.files) inputs.push_back({&env.snapshot->files[jf.index], jf.captures});
    CheckContext batch = ctx;
    batch.unit_started = [progress](size_t i) {
      if (progress) progress->Unit(static_cast<int>(i));
    };
    std::vector<std::vector<Finding>> findings;
    Status s = check.CheckFiles(batch, inputs, &findings);
    if (s.ok() && findings.size() != inputs.size()) {
      s = Status::Error("internal: a batch judged " + std::to_string(findings.size()) + " of " +
                        std::to_string(inputs.size()) + " files");
    }
    if (s.ok()) out->file_findings = std::move(findings);
    return s;
  }
  for (size_t i = 0; i < job.files.size(); ++i) {
    if (progress) progress->Unit(static_cast<int>(i));
    const JobFile& jf = job.files[i];
    CheckInput input{&env.snapshot->files[jf.index], jf.captures};
    std::vector<Finding> findings;
    Status s = JudgeFile(check, ctx, input, check.loads_file_content(), &findings);
    if (!s.ok()) return s;
    out->file_findings.push_back(std::move(findings));
  }
  return Status::Ok();
}

Status Evaluate(const JobEnv& env, const Job& job, JobProgress* progress, JobOutcome* out) {
  if (job.rule >= env.rules.size()) return Status::Error("internal: job names no rule");
  const Rule& rule = *env.rules[job.rule];
  if (rule.check == nullptr) return Status::Error("internal: rule " + rule.id + " has no check");
  for (const JobFile& f : job.files) {
    if (f.index >= env.snapshot->files.size()) return Status::Error("internal: bad file index");
  }
  JobReader reader(env.source, out);
  CheckContext ctx;
  ctx.tree = &env.snapshot->tree;
  ctx.files = &env.snapshot->files;
  ctx.reader = &reader;
  ctx.processes = env.processes;
  ctx.max_file_bytes = env.settings.max_file_bytes;
  ctx.timeout_ms = job.timeout_ms;
  ctx.workdir = env.workdir;
  ctx.rule_id = rule.id;
  ctx.allow_empty = rule.allow_empty;

  std::unique_ptr<TempTree> temp;
  if (env.workdir.empty() && IsCommand(rule)) {
    // Not on disk: the command gets a private copy of its inputs.
    Result<std::unique_ptr<TempTree>> made =
        TempTree::Create(*env.source, CommandInputs(env, rule, job), env.temp_root);
    if (!made.ok()) return Status::Error("cannot prepare the command's files: " + made.error());
    temp = std::move(*made);
    ctx.workdir = temp->path();
  }
  if (job.per_file) return RunFiles(*rule.check, ctx, env, job, progress, out);
  if (progress) progress->Unit(-1);
  return rule.check->Run(ctx, &out->findings);
}

}  // namespace

JobOutcome ExecuteJob(const JobEnv& env, const Job& job, JobProgress* progress) {
  JobOutcome out;
  out.id = job.id;
  try {
    out.status = Evaluate(env, job, progress, &out);
  } catch (const std::bad_alloc&) {
    out.status = Status::Error("out of memory");
  } catch (const std::exception& e) {
    out.status = Status::Error(std::string("internal: ") + e.what());
  }
  // The files a per-file job judged before it failed are kept: their
  // findings are still right, and the parent caches them.
  if (!out.status.ok()) out.findings.clear();
  return out;
}

std::string EncodeJobStart(const JobEnv& env, const std::vector<const Rule*>& universe) {
  std::unordered_map<const Rule*, uint64_t> index;
  for (size_t i = 0; i < universe.size(); ++i) index.emplace(universe[i], i);
  std::string out;
  out.push_back(static_cast<char>(kStartTag));
  PutVarint(&out, env.rules.size());
  for (const Rule* rule : env.rules) {
    auto it = index.find(rule);
    // A rule the worker does not know: an index it rejects.
    PutVarint(&out, it == index.end() ? universe.size() : it->second);
  }
  PutZigzag(&out, env.settings.jobs);
  PutZigzag(&out, env.settings.timeout_ms);
  PutVarint(&out, env.settings.max_file_bytes);
  PutVarint(&out, env.settings.worker_memory);
  PutString(&out, env.workdir);
  PutString(&out, env.temp_root);
  const std::vector<FileEntry>& files = env.snapshot->files;
  PutVarint(&out, files.size());
  std::string_view previous;
  for (const FileEntry& f : files) {
    PutPathAfter(&out, previous, f.path);
    PutVarint(&out, f.size);
    out.push_back(static_cast<char>(f.type));
    PutContentId(&out, f.content_id);
    PutZigzag(&out, f.mtime_ns);
    PutZigzag(&out, f.ctime_ns);
    PutVarint(&out, f.ino);
    previous = f.path;
  }
  return out;
}

bool DecodeJobStart(std::string_view bytes, const std::vector<const Rule*>& universe,
                    JobEnv* env, Snapshot* snapshot) {
  WireReader r(bytes);
  unsigned char tag = 0;
  uint64_t count = 0;
  if (!r.Byte(&tag) || tag != kStartTag || !r.Varint(&count) || count > r.remaining()) {
    return false;
  }
  env->rules.clear();
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = 0;
    if (!r.Varint(&index) || index >= universe.size()) return false;
    env->rules.push_back(universe[static_cast<size_t>(index)]);
  }
  uint64_t jobs = 0, timeout = 0, ctime = 0, mtime = 0;
  if (!r.Varint(&jobs) || !r.Varint(&timeout) || !r.Varint(&env->settings.max_file_bytes) ||
      !r.Varint(&env->settings.worker_memory) || !r.String(&env->workdir) ||
      !r.String(&env->temp_root) || !r.Varint(&count) || count > r.remaining()) {
    return false;
  }
  env->settings.jobs = static_cast<int>(static_cast<int64_t>(jobs >> 1) ^ -static_cast<int64_t>(jobs & 1));
  env->settings.timeout_ms = static_cast<int64_t>(timeout >> 1) ^ -static_cast<int64_t>(timeout & 1);
  std::vector<FileEntry> files(static_cast<size_t>(count));
  std::string_view previous;
  for (FileEntry& f : files) {
    unsigned char type = 0;
    if (!r.PathAfter(previous, &f.path) || !r.Varint(&f.size) || !r.Byte(&type) ||
        type > static_cast<unsigned char>(FileType::kSubmodule) || !r.ContentId(&f.content_id) ||
        !r.Varint(&mtime) || !r.Varint(&ctime) || !r.Varint(&f.ino)) {
      return false;
    }
    f.type = static_cast<FileType>(type);
    f.mtime_ns = static_cast<int64_t>(mtime >> 1) ^ -static_cast<int64_t>(mtime & 1);
    f.ctime_ns = static_cast<int64_t>(ctime >> 1) ^ -static_cast<int64_t>(ctime & 1);
    previous = f.path;
  }
  if (!r.AtEnd()) return false;
  // Already sorted, unique and filtered by the parent: FromEntries only
  // builds the tree.
  *snapshot = Snapshot::FromEntries(std::move(files), GlobList());
  env->snapshot = snapshot;
  return true;
}

std::string EncodeJob(const Job& job) {
  std::string out;
  out.push_back(static_cast<char>(kJobTag));
  PutVarint(&out, job.id);
  PutVarint(&out, job.rule);
  out.push_back(job.per_file ? 1 : 0);
  PutZigzag(&out, job.timeout_ms);
  PutVarint(&out, job.files.size());
  for (const JobFile& f : job.files) {
    PutVarint(&out, f.index);
    PutVarint(&out, f.captures.size());
    for (const auto& [name, value] : f.captures) {
      PutString(&out, name);
      PutString(&out, value);
    }
  }
  return out;
}

bool DecodeJob(std::string_view bytes, Job* job) {
  WireReader r(bytes);
  unsigned char tag = 0, per_file = 0;
  uint64_t rule = 0, count = 0, timeout = 0;
  if (!r.Byte(&tag) || tag != kJobTag || !r.Varint(&job->id) || !r.Varint(&rule) ||
      !r.Byte(&per_file) || !r.Varint(&timeout) || !r.Varint(&count)) {
    return false;
  }
  if (rule > UINT32_MAX || count > r.remaining()) return false;
  job->rule = static_cast<uint32_t>(rule);
  job->per_file = per_file != 0;
  job->timeout_ms = static_cast<int64_t>(timeout >> 1) ^ -static_cast<int64_t>(timeout & 1);
  job->files.resize(static_cast<size_t>(count));
  for (JobFile& f : job->files) {
    uint64_t index = 0, captures = 0;
    if (!r.Varint(&index) || !r.Varint(&captures) || index > UINT32_MAX ||
        captures > r.remaining()) {
      return false;
    }
    f.index = static_cast<uint32_t>(index);
    f.captures.resize(static_cast<size_t>(captures));
    for (auto& [name, value] : f.captures) {
      if (!r.String(&name) || !r.String(&value)) return false;
    }
  }
  return r.AtEnd();
}

std::string EncodeOutcome(const JobOutcome& o) {
  std::string out;
  out.push_back(static_cast<char>(kOutcomeTag));
  PutVarint(&out, o.id);
  out.push_back(o.status.ok() ? 1 : 0);
  PutString(&out, o.status.message());
  PutFindingsBody(&out, o.findings);
  PutVarint(&out, o.file_findings.size());
  for (const std::vector<Finding>& f : o.file_findings) PutFindingsBody(&out, f);
  PutVarint(&out, o.hashed_reads.size());
  for (const auto& [path, id] : o.hashed_reads) {
    PutString(&out, path);
    PutString(&out, id);
  }
  PutVarint(&out, o.changed.size());
  for (const std::string& path : o.changed) PutString(&out, path);
  PutVarint(&out, o.files_read);
  PutVarint(&out, o.bytes_read);
  PutDouble(&out, o.run_ms);
  return out;
}

bool DecodeOutcome(std::string_view bytes, JobOutcome* o) {
  WireReader r(bytes);
  unsigned char tag = 0, ok = 0;
  std::string message;
  uint64_t files = 0, reads = 0, changed = 0;
  if (!r.Byte(&tag) || tag != kOutcomeTag || !r.Varint(&o->id) || !r.Byte(&ok) ||
      !r.String(&message) || !r.FindingsBody(&o->findings) || !r.Varint(&files) ||
      files > r.remaining()) {
    return false;
  }
  o->status = ok ? Status::Ok() : Status::Error(message);
  o->file_findings.resize(static_cast<size_t>(files));
  for (std::vector<Finding>& f : o->file_findings) {
    if (!r.FindingsBody(&f)) return false;
  }
  if (!r.Varint(&reads) || reads > r.remaining()) return false;
  o->hashed_reads.resize(static_cast<size_t>(reads));
  for (auto& [path, id] : o->hashed_reads) {
    if (!r.String(&path) || !r.String(&id)) return false;
  }
  if (!r.Varint(&changed) || changed > r.remaining()) return false;
  o->changed.resize(static_cast<size_t>(changed));
  for (std::string& path : o->changed) {
    if (!r.String(&path)) return false;
  }
  return r.Varint(&o->files_read) && r.Varint(&o->bytes_read) && r.Double(&o->run_ms) &&
         r.AtEnd();
}

}  // namespace sotinc

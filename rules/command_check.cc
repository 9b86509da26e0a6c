// command: runs an external program over the matching files.
//
// The argv form is executed directly (no shell, file names are never
// re-split); the string form runs `/bin/sh -c STRING RULE_ID FILES...` so
// the files are "$@". The environment is explicit: PATH, HOME, LANG,
// LC_ALL, TMPDIR and TERM pass through from sotinc's own environment,
// SOTINC_RULE is set, then the rule's `env` entries apply.
#include <re2/re2.h>

#include <string.h>

#include <algorithm>
#include <map>
#include <set>
#include <cstdlib>

#include "engine/worker_pool.h"
#include "rules/config.h"
#include "rules/kinds.h"

namespace sotinc {
namespace {

constexpr size_t kOutputCap = 1 << 20;
constexpr size_t kTailBytes = 2000;
// Bytes of file names per exec; well under Linux's 2 MiB ARG_MAX share.
constexpr size_t kMaxArgBytes = 128 * 1024;

class CommandCheck : public Check {
 public:
  const char* kind() const override { return "command"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return per_file_ && has_files_; }
  bool loads_file_content() const override { return false; }
  const GlobList* file_globs() const override { return has_files_ ? &files_ : nullptr; }

  Status CheckFile(const CheckContext& ctx, const CheckInput& input, std::string_view,
                   std::vector<Finding>* out) const override {
    return Execute(ctx, {input.file->path}, out);
  }

  // A per-file command runs once for many files, as pre-commit and xargs
  // do: one process start instead of thousands.
  bool judges_in_batches() const override { return per_file() && batch_; }

  Status CheckFiles(const CheckContext& ctx, const std::vector<CheckInput>& inputs,
                    std::vector<std::vector<Finding>>* out) const override {
    out->assign(inputs.size(), {});
    std::vector<size_t> batch;
    size_t bytes = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      batch.push_back(i);
      bytes += inputs[i].file->path.size() + 1;
      if (bytes >= kMaxArgBytes || i + 1 == inputs.size()) {
        if (Status s = JudgeBatch(ctx, inputs, batch, out); !s.ok()) return s;
        batch.clear();
        bytes = 0;
      }
    }
    return Status::Ok();
  }

  // Runs the command on the files `batch` names and gives each its
  // findings, exactly as a run on that file alone would:
  //   - exit 0 and every finding names a file of the batch: each file gets
  //     the findings that name it (the others pass);
  //   - a non-zero exit where every finding names a file of the batch: the
  //     files named get their findings; the others may have caused the
  //     exit, so they are judged again, together (and split as below when
  //     that run fails naming none of them);
  //   - anything else (output that names no file of the batch, a timeout,
  //     a crash): two halves, down to single files, which run as alone.
  // A batch with few failures costs one process per failing file and a
  // logarithmic number of splits.
  Status JudgeBatch(const CheckContext& ctx, const std::vector<CheckInput>& inputs,
                    const std::vector<size_t>& batch,
                    std::vector<std::vector<Finding>>* out) const {
    if (ctx.unit_started) ctx.unit_started(batch.front());
    if (batch.size() == 1) {
      return Execute(ctx, {inputs[batch[0]].file->path}, &(*out)[batch[0]]);
    }
    std::vector<std::string> paths;
    std::map<std::string_view, size_t> slot;
    for (size_t i : batch) {
      paths.push_back(inputs[i].file->path);
      slot.emplace(inputs[i].file->path, i);
    }
    ProcessOutcome r;
    std::vector<Finding> found;
    Status ran = Spawn(ctx, paths, &r, &found);
    bool attributable = ran.ok();
    for (const Finding& f : found) attributable = attributable && slot.count(f.path) > 0;
    std::vector<size_t> unsettled;
    if (attributable) {
      std::set<size_t> named;
      for (Finding& f : found) {
        size_t i = slot.at(f.path);
        named.insert(i);
        (*out)[i].push_back(std::move(f));
      }
      if (r.exit_code == 0) return Status::Ok();
      for (size_t i : batch) {
        if (!named.count(i)) unsettled.push_back(i);
      }
    } else {
      for (size_t i : batch) (*out)[i].clear();
      unsettled = batch;
    }
    if (unsettled.empty()) return Status::Ok();
    // Some files were named: the others most likely pass (linters exit 1
    // when they print findings), so they run again together first.
    if (unsettled.size() < batch.size()) return JudgeBatch(ctx, inputs, unsettled, out);
    const size_t half = unsettled.size() / 2;
    if (half == 0) return JudgeBatch(ctx, inputs, unsettled, out);
    std::vector<size_t> first(unsettled.begin(), unsettled.begin() + static_cast<long>(half));
    std::vector<size_t> second(unsettled.begin() + static_cast<long>(half), unsettled.end());
    if (Status s = JudgeBatch(ctx, inputs, first, out); !s.ok()) return s;
    return JudgeBatch(ctx, inputs, second, out);
  }

  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    if (per_file()) return RunEachFile(ctx, out);
    std::vector<std::string> paths;
    if (has_files_) {
      std::vector<GlobMatch> matches = MatchFiles(ctx, files_, out);
      if (matches.empty()) return Status::Ok();  // nothing to run on
      for (const GlobMatch& m : matches) paths.push_back((*ctx.files)[m.index].path);
    }
    if (!pass_files_ || paths.empty()) return Execute(ctx, {}, out);
    // Like xargs: split long file lists so no exec exceeds the kernel's
    // argument limit; each batch's findings are merged.
    std::vector<std::string> batch;
    size_t bytes = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
      batch.push_back(paths[i]);
      bytes += paths[i].size() + 1;
      if (bytes >= kMaxArgBytes || i + 1 == paths.size()) {
        Status s = Execute(ctx, batch, out);
        if (!s.ok()) return s;
        batch.clear();
        bytes = 0;
      }
    }
    return Status::Ok();
  }

  // The per-file path without loading contents: the command reads the
  // files itself from the work directory.
  Status RunEachFile(const CheckContext& ctx, std::vector<Finding>* out) const {
    return RunPerFile(*this, ctx, loads_file_content(), out);
  }


  // Runs the command on `paths`: an error for what is not a result (it
  // could not start, timed out, was killed), else its outcome and, with
  // `format: lines`, the findings its output names.
  Status Spawn(const CheckContext& ctx, const std::vector<std::string>& paths, ProcessOutcome* r,
               std::vector<Finding>* found) const {
    ProcessSpec spec;
    if (shell_.empty()) {
      spec.argv = argv_;
    } else {
      spec.argv = {"/bin/sh", "-c", shell_, ctx.rule_id};
    }
    if (pass_files_ || per_file_) spec.argv.insert(spec.argv.end(), paths.begin(), paths.end());
    spec.cwd = ctx.workdir.empty() ? "." : ctx.workdir;
    spec.timeout_ms = ctx.timeout_ms;
    spec.output_cap = kOutputCap;
    for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TERM"}) {
      if (const char* v = std::getenv(name)) spec.env.emplace_back(name, v);
    }
    spec.env.emplace_back("SOTINC_RULE", ctx.rule_id);
    // The rule's env replaces a passed-through variable of the same name (a
    // duplicate would leave the child, and the PATH lookup, with the first).
    for (const auto& kv : env_) {
      auto same = std::find_if(spec.env.begin(), spec.env.end(),
                               [&](const auto& e) { return e.first == kv.first; });
      if (same != spec.env.end())
        same->second = kv.second;
      else
        spec.env.push_back(kv);
    }

    *r = ctx.processes->Run(spec);
    if (r->spawn_failed) return Status::Error("cannot run '" + spec.argv[0] + "': " + r->output);
    if (r->timed_out) {
      return Status::Error("timed out after " + FormatTimeout(ctx.timeout_ms));
    }
    if (r->signal != 0) {
      const char* name = sigabbrev_np(r->signal);
      return Status::Error("command killed by signal " + std::to_string(r->signal) +
                           (name ? std::string(" (SIG") + name + ")" : std::string()));
    }
    if (lines_format_) ParseLines(r->output, spec.cwd, found);
    return Status::Ok();
  }

  Status Execute(const CheckContext& ctx, const std::vector<std::string>& paths,
                 std::vector<Finding>* out) const {
    ProcessOutcome r;
    size_t before = out->size();
    if (Status s = Spawn(ctx, paths, &r, out); !s.ok()) return s;
    if (r.exit_code != 0 && out->size() == before) {
      std::string tail = r.output.size() > kTailBytes
                             ? "..." + r.output.substr(r.output.size() - kTailBytes)
                             : r.output;
      while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
      std::string path = paths.size() == 1 && per_file_ ? paths[0] : "";
      std::string dropped;
      if (r.dropped_bytes > 0) {
        dropped = " (" + std::to_string(r.dropped_bytes) +
                  " bytes of output were dropped from the middle; the first and last " +
                  std::to_string(kOutputCap / 2) + " bytes were kept)";
      }
      out->push_back(Finding{path, 0, 0,
                             "command exited with status " + std::to_string(r.exit_code) +
                                 dropped + (tail.empty() ? "" : ": " + tail)});
    }
    return Status::Ok();
  }

  // Lines of the form `path:line[:col]: message` become findings. Paths are
  // made relative to `cwd` (a leading "./" or "CWD/" is dropped).
  static void ParseLines(const std::string& output, const std::string& cwd,
                         std::vector<Finding>* out) {
    std::string root = cwd;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    root += '/';
    static const RE2 kLine("^(.+?):([0-9]+)(?::([0-9]+))?:[ \\t]*(.*?)\\r?$");
    size_t start = 0;
    while (start < output.size()) {
      size_t nl = output.find('\n', start);
      if (nl == std::string::npos) nl = output.size();
      std::string_view line(output.data() + start, nl - start);
      std::string path, message;
      int line_no = 0;
      re2::StringPiece col;
      if (RE2::FullMatch(line, kLine, &path, &line_no, &col, &message)) {
        if (root.size() > 1 && root[0] == '/' && path.rfind(root, 0) == 0) {
          path = path.substr(root.size());
        }
        while (path.rfind("./", 0) == 0) path = path.substr(2);
        int column = col.empty() ? 0 : std::atoi(std::string(col).c_str());
        out->push_back(Finding{path, line_no, column, message});
      }
      start = nl + 1;
    }
  }

  std::vector<std::string> argv_;
  std::string shell_;
  GlobList files_;
  bool has_files_ = false;
  bool pass_files_ = true;
  bool per_file_ = false;
  bool batch_ = false;
  bool lines_format_ = true;
  std::vector<std::pair<std::string, std::string>> env_;
};

}  // namespace

std::unique_ptr<Check> ParseCommand(Fields& f) {
  auto check = std::make_unique<CommandCheck>();
  bool ok = true;
  YAML::Node run = f.Get("run");
  if (!run.IsDefined()) {
    f.diag()->Error(f.KeyNode("kind"), "command needs 'run' (an argv list or a shell string)");
    ok = false;
  } else if (run.IsScalar()) {
    check->shell_ = run.Scalar();
    if (check->shell_.empty()) {
      f.Error("run", "'run' is empty");
      ok = false;
    }
  } else if (!f.StringList("run", &check->argv_) || check->argv_.empty()) {
    f.Error("run", "'run' must be a non-empty list of strings or a shell string");
    ok = false;
  }
  if (f.Has("files")) {
    check->has_files_ = f.Globs("files", &check->files_);
    ok = ok && check->has_files_;
  }
  f.Bool("pass_files", &check->pass_files_);
  f.Bool("per_file", &check->per_file_);
  if (check->per_file_ && !f.Has("files")) {
    f.Error("per_file", "'per_file: true' needs 'files'");
    ok = false;
  }
  f.Bool("batch", &check->batch_);
  if (check->batch_ && !check->per_file_) {
    f.Error("batch", "'batch: true' needs 'per_file: true' (without per_file the files are "
                     "always passed together)");
    ok = false;
  }
  std::string format = "lines";
  if (f.Has("format")) ok = f.Choice("format", {"lines", "plain"}, &format) && ok;
  check->lines_format_ = format == "lines";
  YAML::Node env = f.Get("env");
  if (env.IsDefined()) {
    if (!env.IsMap()) {
      f.Error("env", "'env' must be a mapping of NAME: value");
      ok = false;
    } else {
      for (auto it = env.begin(); it != env.end(); ++it) {
        if (!it->second.IsScalar()) {
          f.diag()->Error(it->second, "env value of '" + it->first.Scalar() + "' must be a string");
          ok = false;
          continue;
        }
        check->env_.emplace_back(it->first.Scalar(), it->second.Scalar());
      }
    }
  }
  return ok ? std::move(check) : nullptr;
}

}  // namespace sotinc

// libFuzzer target: the decoders of bytes that sotinc reads back from
// places it does not control: cache records (engine/result_codec.h) and
// the job / outcome frames of the worker pipe (engine/job.h).
//
// The first input byte picks the decoder, the rest is its input. Any bytes
// must decode to a value or an error, never a crash or a huge allocation
// (ASan's allocation limit and libFuzzer's -rss_limit_mb catch those).
// A decoded value must survive encode -> decode unchanged, and for the
// cache records (whose varints are minimal and whose bytes carry no free
// choices) encode(decode(x)) must give x back byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/affected.h"
#include "engine/inputs.h"
#include "engine/job.h"
#include "engine/result_codec.h"
#include "engine/run_memo.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "codec_fuzzer: %s\n", what);
  std::abort();
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool SameResult(const sotinc::RuleResult& a, const sotinc::RuleResult& b) {
  return a.id == b.id && a.status == b.status && a.severity == b.severity &&
         SameBits(a.duration_ms, b.duration_ms) && a.reason == b.reason &&
         a.findings == b.findings && !a.cached && !b.cached;
}

bool SameJob(const sotinc::Job& a, const sotinc::Job& b) {
  if (a.id != b.id || a.rule != b.rule || a.per_file != b.per_file ||
      a.timeout_ms != b.timeout_ms || a.files.size() != b.files.size()) {
    return false;
  }
  for (size_t i = 0; i < a.files.size(); ++i) {
    if (a.files[i].index != b.files[i].index || a.files[i].captures != b.files[i].captures) {
      return false;
    }
  }
  return true;
}

bool SameOutcome(const sotinc::JobOutcome& a, const sotinc::JobOutcome& b) {
  return a.id == b.id && a.status.ok() == b.status.ok() &&
         a.status.message() == b.status.message() && a.findings == b.findings &&
         a.file_findings == b.file_findings && a.hashed_reads == b.hashed_reads &&
         a.changed == b.changed && a.files_read == b.files_read && a.bytes_read == b.bytes_read;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0: {
      sotinc::Result<sotinc::RuleResult> r = sotinc::DecodeRuleResult(bytes);
      if (!r.ok()) {
        if (r.error().empty()) Fail("rule result: an error without a message");
        break;
      }
      std::string again = sotinc::EncodeRuleResult(*r);
      if (again != bytes) Fail("rule result: encode(decode(x)) != x");
      sotinc::Result<sotinc::RuleResult> back = sotinc::DecodeRuleResult(again);
      if (!back.ok() || !SameResult(*r, *back)) Fail("rule result: no round trip");
      if (sotinc::ResultDigest(*r) != sotinc::ResultDigest(*back)) Fail("rule result: digest");
      break;
    }
    case 1: {
      sotinc::Result<std::vector<sotinc::Finding>> f = sotinc::DecodeFindings(bytes);
      if (!f.ok()) {
        if (f.error().empty()) Fail("findings: an error without a message");
        break;
      }
      std::string again = sotinc::EncodeFindings(*f);
      if (again != bytes) Fail("findings: encode(decode(x)) != x");
      sotinc::Result<std::vector<sotinc::Finding>> back = sotinc::DecodeFindings(again);
      if (!back.ok() || *back != *f) Fail("findings: no round trip");
      break;
    }
    case 2: {
      sotinc::Job job;
      if (!sotinc::DecodeJob(bytes, &job)) break;
      // The per_file byte may be any non-zero value for true, so only
      // the second encoding is a fixed point.
      std::string again = sotinc::EncodeJob(job);
      sotinc::Job back;
      if (!sotinc::DecodeJob(again, &back) || !SameJob(job, back)) Fail("job: no round trip");
      if (sotinc::EncodeJob(back) != again) Fail("job: encoding is not a fixed point");
      break;
    }
    case 3: {
      sotinc::JobOutcome outcome;
      if (!sotinc::DecodeOutcome(bytes, &outcome)) break;
      // An OK status drops its message, and the ok byte may be any
      // non-zero value: compare from the first re-encoding on.
      std::string again = sotinc::EncodeOutcome(outcome);
      sotinc::JobOutcome back;
      if (!sotinc::DecodeOutcome(again, &back)) Fail("outcome: re-encoding does not decode");
      if (sotinc::EncodeOutcome(back) != again) Fail("outcome: encoding is not a fixed point");
      sotinc::JobOutcome third;
      sotinc::DecodeOutcome(sotinc::EncodeOutcome(back), &third);
      if (!SameOutcome(back, third)) Fail("outcome: no round trip");
      break;
    }
    case 4: {
      // Per-file records: the decoder and the lookup index must agree, and
      // the encoding (which picks the longest shared prefix and packs ids)
      // is a fixed point from the first re-encoding on.
      sotinc::Result<std::vector<sotinc::FileVerdict>> r = sotinc::DecodeFileRecord(bytes);
      sotinc::FileRecordIndex index;
      const bool parsed = index.Parse(std::string(bytes));
      if (parsed != r.ok()) Fail("file record: index and decoder disagree");
      if (!r.ok()) break;
      if (index.entries().size() != r->size()) Fail("file record: index size");
      for (size_t i = 0; i < r->size(); ++i) {
        const auto& e = index.entries()[i];
        if (index.path(e) != (*r)[i].path || index.content_id(e) != (*r)[i].content_id ||
            index.findings(e) != (*r)[i].findings || index.Find((*r)[i].path) != &e) {
          Fail("file record: index entry differs");
        }
      }
      std::string again = sotinc::EncodeFileRecord(*r);
      sotinc::Result<std::vector<sotinc::FileVerdict>> back = sotinc::DecodeFileRecord(again);
      if (!back.ok() || sotinc::EncodeFileRecord(*back) != again)
        Fail("file record: no fixed point");
      break;
    }
    case 5: {
      sotinc::RunManifest m;
      if (!sotinc::RunManifest::Decode(bytes, &m)) break;
      std::string again = m.Encode();
      sotinc::RunManifest back;
      if (!sotinc::RunManifest::Decode(again, &back) || back.Encode() != again ||
          back.inputs.files != m.inputs.files || back.deps != m.deps ||
          back.files_in_records != m.files_in_records || back.record_groups != m.record_groups) {
        Fail("manifest: no round trip");
      }
      break;
    }
    case 6: {
      static sotinc::Rule a, b;
      static const std::vector<const sotinc::Rule*> universe = {&a, &b};
      sotinc::JobEnv env;
      sotinc::Snapshot snapshot;
      if (!sotinc::DecodeJobStart(bytes, universe, &env, &snapshot)) break;
      if (env.snapshot != &snapshot) Fail("job start: snapshot not set");
      std::string again = sotinc::EncodeJobStart(env, universe);
      sotinc::JobEnv env2;
      sotinc::Snapshot snapshot2;
      if (!sotinc::DecodeJobStart(again, universe, &env2, &snapshot2) ||
          sotinc::EncodeJobStart(env2, universe) != again || env2.rules != env.rules) {
        Fail("job start: no fixed point");
      }
      break;
    }
    case 7: {
      // The run memo: whatever decodes re-encodes to a fixed point.
      sotinc::Result<sotinc::RunMemo> m = sotinc::DecodeRunMemo(bytes);
      if (!m.ok()) break;
      std::string again = sotinc::EncodeRunMemo(*m);
      sotinc::Result<sotinc::RunMemo> back = sotinc::DecodeRunMemo(again);
      if (!back.ok() || sotinc::EncodeRunMemo(*back) != again) Fail("run memo: no fixed point");
      break;
    }
    case 8: {
      // The base of --staged/--since (engine/affected.h): a fixed point too.
      sotinc::Result<sotinc::BaseRecord> r = sotinc::DecodeBaseRecord(bytes);
      if (!r.ok()) break;
      std::string again = sotinc::EncodeBaseRecord(*r);
      sotinc::Result<sotinc::BaseRecord> back = sotinc::DecodeBaseRecord(again);
      if (!back.ok() || sotinc::EncodeBaseRecord(*back) != again) Fail("base: no fixed point");
      break;
    }
  }
  return 0;
}

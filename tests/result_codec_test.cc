#include "engine/result_codec.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <random>

namespace sotinc {
namespace {

RuleResult SampleResult() {
  RuleResult r;
  r.id = "AR001";
  r.status = RuleStatus::kFail;
  r.severity = Severity::kWarning;
  r.cached = false;
  r.duration_ms = 12.75;
  r.reason = "";
  r.findings = {
      {"a/b.py", 3, 5, "tab found"},
      {"a/c.py", 0, 0, std::string("binary\0message", 14)},
      {"", INT_MAX, INT_MIN, "repository-wide finding \xe2\x9c\x93"},
  };
  return r;
}

void ExpectSame(const RuleResult& a, const RuleResult& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.duration_ms, b.duration_ms);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.findings, b.findings);
}

TEST(ResultCodecTest, RuleResultRoundTrips) {
  const RuleResult r = SampleResult();
  auto decoded = DecodeRuleResult(EncodeRuleResult(r));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  ExpectSame(r, *decoded);
  EXPECT_FALSE(decoded->cached);
}

TEST(ResultCodecTest, EveryStatusAndSeverityRoundTrips) {
  for (auto status :
       {RuleStatus::kPass, RuleStatus::kFail, RuleStatus::kError, RuleStatus::kSkipped}) {
    for (auto severity : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
      RuleResult r;
      r.id = "X";
      r.status = status;
      r.severity = severity;
      r.reason = "depends on Y";
      auto decoded = DecodeRuleResult(EncodeRuleResult(r));
      ASSERT_TRUE(decoded.ok()) << decoded.error();
      ExpectSame(r, *decoded);
    }
  }
}

TEST(ResultCodecTest, CachedFlagIsNotEncoded) {
  RuleResult r = SampleResult();
  r.cached = true;
  EXPECT_EQ(EncodeRuleResult(r), EncodeRuleResult(SampleResult()));
}

TEST(ResultCodecTest, FindingsRoundTrip) {
  const std::vector<Finding> findings = SampleResult().findings;
  auto decoded = DecodeFindings(EncodeFindings(findings));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(findings, *decoded);

  auto empty = DecodeFindings(EncodeFindings({}));
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->empty());
}

TEST(ResultCodecTest, KindsAreNotInterchangeable) {
  EXPECT_FALSE(DecodeFindings(EncodeRuleResult(SampleResult())).ok());
  EXPECT_FALSE(DecodeRuleResult(EncodeFindings(SampleResult().findings)).ok());
}

TEST(ResultCodecTest, TruncationAtEveryByteFailsCleanly) {
  const std::string rule = EncodeRuleResult(SampleResult());
  for (size_t n = 0; n < rule.size(); ++n) {
    auto decoded = DecodeRuleResult(std::string_view(rule.data(), n));
    EXPECT_FALSE(decoded.ok()) << "prefix of " << n << " bytes decoded";
  }
  const std::string findings = EncodeFindings(SampleResult().findings);
  for (size_t n = 0; n < findings.size(); ++n) {
    EXPECT_FALSE(DecodeFindings(std::string_view(findings.data(), n)).ok()) << n;
  }
}

TEST(ResultCodecTest, TrailingBytesAreRejected) {
  EXPECT_FALSE(DecodeRuleResult(EncodeRuleResult(SampleResult()) + "x").ok());
  EXPECT_FALSE(DecodeFindings(EncodeFindings({}) + std::string(1, '\0')).ok());
}

TEST(ResultCodecTest, UnknownVersionStatusAndSeverityAreRejected) {
  std::string bytes = EncodeRuleResult(SampleResult());
  std::string v = bytes;
  v[0] = 2;
  EXPECT_FALSE(DecodeRuleResult(v).ok());
  std::string s = bytes;
  s[2] = 4;
  EXPECT_FALSE(DecodeRuleResult(s).ok());
  std::string sev = bytes;
  sev[3] = 3;
  EXPECT_FALSE(DecodeRuleResult(sev).ok());
}

TEST(ResultCodecTest, HugeLengthsAndCountsFailWithoutAllocating) {
  // Header, then a finding count of 2^64-1 with nothing behind it.
  std::string count = {1, 'F'};
  count += std::string(9, '\xff') + std::string(1, '\x01');
  auto decoded = DecodeFindings(count);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().find("count"), std::string::npos) << decoded.error();

  // One finding whose path claims 2^62 bytes.
  std::string length = {1, 'F', 1};
  length += std::string(8, '\xff') + std::string(1, '\x3f');
  EXPECT_FALSE(DecodeFindings(length).ok());

  // A varint longer than ten bytes, and one whose tenth byte overflows.
  std::string overlong = {1, 'F'};
  overlong += std::string(11, '\x80');
  EXPECT_FALSE(DecodeFindings(overlong).ok());
  std::string overflow = {1, 'F'};
  overflow += std::string(9, '\xff') + std::string(1, '\x02');
  EXPECT_FALSE(DecodeFindings(overflow).ok());
}

TEST(ResultCodecTest, LineOutsideIntRangeIsRejected) {
  // count 1, empty path, line = zigzag(2^31) which does not fit an int.
  std::string bytes = {1, 'F', 1, 0};
  bytes += std::string("\x80\x80\x80\x80\x10", 5);  // 2^32 = zigzag(2^31)
  bytes += std::string("\x00\x00", 2);
  EXPECT_FALSE(DecodeFindings(bytes).ok());
}

TEST(ResultCodecTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(20240501);
  const std::string valid = EncodeRuleResult(SampleResult());
  int decoded_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 64);
      for (char& c : bytes) c = static_cast<char>(rng());
      if (i % 4 == 0 && bytes.size() >= 2) {
        bytes[0] = 1;  // get past the header more often
        bytes[1] = (i % 8 == 0) ? 'R' : 'F';
      }
    } else {
      // Mutate a valid encoding: flip, insert or delete a few bytes.
      bytes = valid;
      for (int m = 1 + static_cast<int>(rng() % 3); m > 0 && !bytes.empty(); --m) {
        const size_t at = rng() % bytes.size();
        switch (rng() % 3) {
          case 0:
            bytes[at] = static_cast<char>(rng());
            break;
          case 1:
            bytes.insert(at, 1, static_cast<char>(rng()));
            break;
          default:
            bytes.erase(at, 1);
        }
      }
    }
    auto r = DecodeRuleResult(bytes);
    auto f = DecodeFindings(bytes);
    if (r.ok()) {
      ++decoded_ok;
      // Whatever decodes must re-encode to exactly the same bytes.
      EXPECT_EQ(EncodeRuleResult(*r), bytes);
    }
    if (f.ok()) {
      EXPECT_EQ(EncodeFindings(*f), bytes);
    }
  }
  // Mutations that touch only a message byte still decode.
  EXPECT_GT(decoded_ok, 0);
}

TEST(ResultCodecTest, DigestIgnoresDurationCachedSeverityAndId) {
  const RuleResult base = SampleResult();
  const std::string digest = ResultDigest(base);
  EXPECT_EQ(digest.size(), 16u);
  RuleResult other = base;
  other.duration_ms = 999;
  other.cached = true;
  other.severity = Severity::kInfo;
  other.id = "AR002";
  EXPECT_EQ(ResultDigest(other), digest);
}

TEST(ResultCodecTest, DigestCoversStatusReasonAndFindings) {
  const RuleResult base = SampleResult();
  const std::string digest = ResultDigest(base);
  RuleResult status = base;
  status.status = RuleStatus::kPass;
  EXPECT_NE(ResultDigest(status), digest);
  RuleResult reason = base;
  reason.reason = "x";
  EXPECT_NE(ResultDigest(reason), digest);
  RuleResult line = base;
  line.findings[0].line += 1;
  EXPECT_NE(ResultDigest(line), digest);
  RuleResult fewer = base;
  fewer.findings.pop_back();
  EXPECT_NE(ResultDigest(fewer), digest);
  // Field boundaries are unambiguous: moving a byte from path to message
  // changes the digest.
  RuleResult shifted = base;
  shifted.findings[0].path = "a/b.p";
  shifted.findings[0].message = "ytab found";
  EXPECT_NE(ResultDigest(shifted), digest);
}

}  // namespace
}  // namespace sotinc

namespace sotinc {
namespace {

std::vector<FileVerdict> SampleVerdicts() {
  return {
      {"", "size:0", {}},  // an empty path and an unpacked id
      {"a/b.py", std::string(40, 'f'), {{"a/b.py", 3, 5, "tab found"}}},
      {"a/b.pyc", "x:0123456789abcdef0123456789abcdef", {}},
      {"a/c d/\xff\n.py", "0123456789abcdef0123456789abcdef01234567", {}},
      {"b", "X:0123456789ABCDEF0123456789ABCDEF", {{"", 0, 0, "upper-case hex is kept as is"}}},
  };
}

bool SameVerdicts(const std::vector<FileVerdict>& a, const std::vector<FileVerdict>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].path != b[i].path || a[i].content_id != b[i].content_id ||
        a[i].findings != b[i].findings) {
      return false;
    }
  }
  return true;
}

TEST(FileRecordCodecTest, RoundTripsEveryPathAndIdForm) {
  const std::vector<FileVerdict> v = SampleVerdicts();
  auto decoded = DecodeFileRecord(EncodeFileRecord(v));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_TRUE(SameVerdicts(v, *decoded));
  auto empty = DecodeFileRecord(EncodeFileRecord({}));
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->empty());
}

TEST(FileRecordCodecTest, SharedPrefixesAndPackedIdsKeepRecordsSmall) {
  std::vector<FileVerdict> v;
  for (int i = 0; i < 1000; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "07_payments/shards/03_ingest/tools/python/mod_%04d.py", i);
    v.push_back({name, std::string(40, 'a' + (i % 6)), {}});
  }
  const std::string bytes = EncodeFileRecord(v);
  // ~50 bytes of path and 40 of id per file, stored in under 35.
  EXPECT_LT(bytes.size(), 35u * v.size());
  auto decoded = DecodeFileRecord(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_TRUE(SameVerdicts(v, *decoded));
}

TEST(FileRecordCodecTest, DamageIsAnErrorNeverAWrongRecord) {
  const std::string good = EncodeFileRecord(SampleVerdicts());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeFileRecord(good.substr(0, n)).ok()) << "truncated to " << n;
  }
  EXPECT_FALSE(DecodeFileRecord(good + "x").ok());
  EXPECT_FALSE(DecodeFileRecord(EncodeFindings({})).ok()) << "another kind";
  // Out of order, or a shared prefix longer than the previous path.
  std::vector<FileVerdict> unordered = {{"b", "1", {}}, {"a", "1", {}}};
  EXPECT_FALSE(DecodeFileRecord(EncodeFileRecord(unordered)).ok());
  std::string bad = EncodeFileRecord({{"ab", "1", {}}});
  // version, kind, count=1, shared=0 -> shared=5 (beyond the empty previous path)
  bad[3] = 5;
  EXPECT_FALSE(DecodeFileRecord(bad).ok());
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = good;
    mutated[rng() % mutated.size()] = static_cast<char>(rng());
    auto r = DecodeFileRecord(mutated);  // must not crash; a damaged id byte may still decode
    if (r.ok()) {
      auto again = DecodeFileRecord(EncodeFileRecord(*r));
      ASSERT_TRUE(again.ok()) << again.error();
      EXPECT_TRUE(SameVerdicts(*r, *again)) << "what decodes must be a well-formed record";
    }
  }
}

}  // namespace
}  // namespace sotinc

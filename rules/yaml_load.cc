#include "rules/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace sotinc {

const char kStrayFlowEntry[] = "a ',' outside of any '[...]' or '{...}'";

namespace {

// Counts documents; throws at the first one past `limit`, at its mark
// (where the parser is stuck).
class DocumentCounter : public YAML::EventHandler {
 public:
  explicit DocumentCounter(size_t limit) : limit_(limit) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > limit_) throw YAML::ParserException(mark, kStrayFlowEntry);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  size_t limit_;
  size_t documents_ = 0;
};

}  // namespace

std::vector<YAML::Node> LoadAllDocuments(const std::string& text) {
  // Only a ',' can be the stuck token (yaml-cpp's scanner rejects a stray
  // ']' or '}' itself), so text without one needs no pre-pass.
  if (text.find(',') != std::string::npos) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter(text.size() + 1);
    while (parser.HandleNextDocument(counter)) {
    }
  }
  return YAML::LoadAll(text);
}

}  // namespace sotinc

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

// True when `text` is one flow collection ('{...}' or '[...]', as every JSON
// file is) followed by nothing but white space: all its ',' are then flow
// entries, none can be stray, and the pre-pass (a second parse) is not
// needed. Conservative: a '#' or a single quote outside a double-quoted
// string, or anything after the collection, answers false.
bool OneFlowCollection(const std::string& text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || (text[i] != '{' && text[i] != '[')) return false;
  std::string open;  // the brackets not closed yet
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return false;
    } else if (c == '#' || c == '\'') {
      return false;
    } else if (c == '{' || c == '[') {
      open.push_back(c);
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != (c == '}' ? '{' : '[')) return false;
      open.pop_back();
      if (open.empty()) return text.find_first_not_of(" \t\r\n", i + 1) == std::string::npos;
    }
  }
  return false;
}

}  // namespace

std::vector<YAML::Node> LoadAllDocuments(const std::string& text) {
  // Only a ',' can be the stuck token (yaml-cpp's scanner rejects a stray
  // ']' or '}' itself), so text without one needs no pre-pass; nor a JSON
  // document, whose every ',' is inside its brackets.
  if (text.find(',') != std::string::npos && !OneFlowCollection(text)) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter(text.size() + 1);
    while (parser.HandleNextDocument(counter)) {
    }
  }
  return YAML::LoadAll(text);
}

}  // namespace sotinc

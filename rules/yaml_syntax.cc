#include "rules/yaml_syntax.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "rules/yaml_load.h"

namespace sotinc {
namespace {

// yaml-cpp's parser messages (YAML::ErrorMsg), said the way a config
// author needs them: what is wrong and what to do. Matched by prefix.
struct SyntaxMessage {
  const char* yaml_cpp;
  const char* ours;
};
const SyntaxMessage kSyntaxMessages[] = {
    {YAML::ErrorMsg::TAB_IN_INDENTATION,
     "a tab is used for indentation; YAML indents with spaces only"},
    {YAML::ErrorMsg::BLOCK_ENTRY,
     "a list item ('- ') is not allowed here; check the indentation of this line"},
    {YAML::ErrorMsg::MAP_KEY, "a key is not allowed here; check the indentation of this line"},
    {YAML::ErrorMsg::MAP_VALUE,
     "unexpected ':' here; check the indentation of this line, or quote a value that "
     "contains ': '"},
    {YAML::ErrorMsg::END_OF_MAP_FLOW, "a '{' mapping is not closed with '}' before this point"},
    {YAML::ErrorMsg::END_OF_SEQ_FLOW, "a '[' list is not closed with ']' before this point"},
    {YAML::ErrorMsg::END_OF_MAP,
     "this line does not continue the mapping above it; check its indentation"},
    {YAML::ErrorMsg::END_OF_SEQ,
     "this line does not continue the list above it; check its indentation"},
    {YAML::ErrorMsg::FLOW_END, "unexpected ']' or '}'; quote a value that starts with one"},
    {YAML::ErrorMsg::UNKNOWN_ANCHOR,
     "'*' starts a YAML alias, and no anchor of that name is defined; quote a value that "
     "starts with '*', such as a glob ('*.py')"},
    {YAML::ErrorMsg::ALIAS_NOT_FOUND,
     "'*' starts a YAML alias; quote a value that starts with '*', such as a glob ('*.py')"},
    {YAML::ErrorMsg::CHAR_IN_ALIAS,
     "'*' starts a YAML alias; quote a value that starts with '*', such as a glob ('*.py')"},
    {YAML::ErrorMsg::ANCHOR_NOT_FOUND,
     "'&' starts a YAML anchor; quote a value that starts with '&'"},
    {YAML::ErrorMsg::CHAR_IN_ANCHOR,
     "'&' starts a YAML anchor; quote a value that starts with '&'"},
    {YAML::ErrorMsg::UNKNOWN_TOKEN,
     "'@' and '`' are reserved in YAML; quote a value that starts with one"},
    {YAML::ErrorMsg::INVALID_HEX,
     "invalid '\\x', '\\u' or '\\U' escape in a double-quoted string; write regular "
     "expressions in single quotes"},
    {YAML::ErrorMsg::INVALID_UNICODE,
     "invalid '\\u' or '\\U' escape in a double-quoted string; write regular expressions in "
     "single quotes"},
    {YAML::ErrorMsg::EOF_IN_SCALAR, "a quoted string is not closed"},
    {YAML::ErrorMsg::DOC_IN_SCALAR, "'---' or '...' inside a quoted string; close the quote"},
    {YAML::ErrorMsg::SINGLE_QUOTED_CHAR,
     "invalid character in a single-quoted string (write a quote inside one as '')"},
    {YAML::ErrorMsg::CHAR_IN_SCALAR, "invalid character in a plain value; quote the value"},
    {YAML::ErrorMsg::CHAR_IN_BLOCK,
     "unexpected character after '|' or '>'; the text of a block scalar starts on the next "
     "line"},
    {YAML::ErrorMsg::ZERO_INDENT_IN_BLOCK, "a block scalar cannot have zero indentation"},
    {YAML::ErrorMsg::MULTIPLE_TAGS, "a value has two '!' tags; quote a value that starts with '!'"},
    {YAML::ErrorMsg::MULTIPLE_ANCHORS, "a value has two '&' anchors; remove one"},
    {YAML::ErrorMsg::MULTIPLE_ALIASES, "a value has two '*' aliases; remove one"},
    {YAML::ErrorMsg::ALIAS_CONTENT, "an alias ('*name') cannot have content or a tag"},
    {YAML::ErrorMsg::CHAR_IN_TAG_HANDLE,
     "'!' starts a YAML tag; quote a value that starts with '!', such as an exclusion glob"},
    {YAML::ErrorMsg::TAG_WITH_NO_SUFFIX,
     "'!' starts a YAML tag; quote a value that starts with '!', such as an exclusion glob"},
    {YAML::ErrorMsg::END_OF_VERBATIM_TAG,
     "'!<' starts a YAML tag; quote a value that starts with '!'"},
    {YAML::ErrorMsg::YAML_DIRECTIVE_ARGS, "invalid '%YAML' directive; remove it"},
    {YAML::ErrorMsg::YAML_VERSION, "invalid '%YAML' directive; remove it"},
    {YAML::ErrorMsg::YAML_MAJOR_VERSION, "unsupported '%YAML' version; remove the directive"},
    {YAML::ErrorMsg::REPEATED_YAML_DIRECTIVE, "repeated '%YAML' directive; remove it"},
    {YAML::ErrorMsg::TAG_DIRECTIVE_ARGS, "invalid '%TAG' directive; remove it"},
    {YAML::ErrorMsg::REPEATED_TAG_DIRECTIVE, "repeated '%TAG' directive; remove it"},
};

// yaml-cpp reports an unclosed '[' or '{' where it gave up, often lines
// later. Finds the innermost flow collection of type `open` still open at
// byte `end` of `text` (a light scan: quotes and comments are skipped,
// and a bracket counts only where a value may start). Returns false when
// the scan finds none, and then the caller keeps yaml-cpp's position.
bool FindUnclosedFlow(const std::string& text, size_t end, char open, int* line, int* column) {
  struct Open {
    char ch;
    int line, column;
  };
  std::vector<Open> stack;
  int l = 0, c = 0;
  char last = '\n';  // last significant character ('\n' at a line start)
  auto value_starts = [&](size_t i) {
    char prev = i == 0 ? '\n' : text[i - 1];
    bool spaced = prev == ' ' || prev == '\t' || prev == '\n';
    return (spaced && (last == '\n' || last == ':' || last == '-' || last == '?' || last == ',' ||
                       last == '[' || last == '{')) ||
           (!stack.empty() && (prev == '[' || prev == '{' || prev == ','));
  };
  for (size_t i = 0; i < text.size() && i < end; ++i) {
    char ch = text[i];
    if (ch == '\n') {
      ++l;
      c = 0;
      if (stack.empty()) last = '\n';
      continue;
    }
    if ((ch == '"' || ch == '\'') && value_starts(i)) {
      // Skip the quoted scalar ("\x" escapes, '' is a quote in '...').
      for (++i, ++c; i < text.size() && i < end; ++i, ++c) {
        if (text[i] == '\n') {
          ++l;
          c = -1;
        } else if (ch == '"' && text[i] == '\\') {
          ++i, ++c;
        } else if (text[i] == ch) {
          if (ch == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
            ++i, ++c;
          } else {
            break;
          }
        }
      }
      last = ch;
      ++c;
      continue;
    }
    if (ch == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && i + 1 < end && text[i + 1] != '\n') ++i;
      continue;
    }
    if ((ch == '[' || ch == '{') && value_starts(i)) {
      stack.push_back({ch, l, c});
    } else if ((ch == ']' || ch == '}') && !stack.empty()) {
      stack.pop_back();
    }
    if (ch != ' ' && ch != '\t') last = ch;
    ++c;
  }
  if (stack.empty() || stack.back().ch != open) return false;
  *line = stack.back().line;
  *column = stack.back().column;
  return true;
}

// Reports nodes with a local tag ("!x"): in a config that is always a
// value meant to start with '!' (an exclusion glob) written without quotes.
// yaml-cpp reads `- !vendor/**` as an empty value tagged "!vendor/**".
class TagChecker {
 public:
  explicit TagChecker(Diagnostics* diag) : diag_(diag) {}

  bool Check(const YAML::Node& n) {
    bool ok = true;
    const std::string& tag = n.Tag();
    if (tag.size() > 1 && tag[0] == '!') {
      diag_->Error(n, "'" + tag + "' is read as a YAML tag; quote a value that starts with '!' " +
                          "(for an exclusion glob write '" + tag + "')");
      ok = false;
    }
    if (!n.IsMap() && !n.IsSequence()) return ok;
    // An alias shares its anchor's node: visit each collection once, or a
    // few nested aliases cost exponential time. Two collections never
    // start at the same position with the same type.
    if (!seen_.emplace(n.Mark().pos, static_cast<int>(n.Type())).second) return ok;
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        ok = Check(it->first) && ok;
        ok = Check(it->second) && ok;
      }
    } else {
      for (const YAML::Node& item : n) ok = Check(item) && ok;
    }
    return ok;
  }

 private:
  Diagnostics* diag_;
  std::set<std::pair<int, int>> seen_;
};

}  // namespace

std::string DescribeSyntaxError(const std::string& text, const YAML::Mark& mark,
                                const std::string& msg, int* line, int* column) {
  // A tab in the indentation of this line or the one before makes yaml-cpp
  // report many different things; name the tab itself.
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  for (int l = std::max(0, *line - 1); l <= *line && l < static_cast<int>(lines.size()); ++l) {
    const std::string& s = lines[l];
    size_t indent = s.find_first_not_of(" \t");
    size_t tab = s.find('\t');
    if (tab != std::string::npos && (indent == std::string::npos || tab < indent)) {
      *line = l;
      *column = static_cast<int>(tab);
      return "a tab is used for indentation; YAML indents with spaces only";
    }
  }
  size_t end = mark.pos >= 0 ? static_cast<size_t>(mark.pos) : text.size();
  if (msg == YAML::ErrorMsg::END_OF_SEQ_FLOW && FindUnclosedFlow(text, end, '[', line, column)) {
    return "this '[' list is not closed with ']'";
  }
  if (msg == YAML::ErrorMsg::END_OF_MAP_FLOW && FindUnclosedFlow(text, end, '{', line, column)) {
    return "this '{' mapping is not closed with '}'";
  }
  if (msg == kStrayFlowEntry) {
    return "a ',' outside of any '[...]' or '{...}'; quote a value that holds a comma, or "
           "write the list in brackets";
  }
  const std::string escape = YAML::ErrorMsg::INVALID_ESCAPE;
  if (msg.compare(0, escape.size(), escape) == 0) {
    return "unknown escape '\\" + msg.substr(escape.size()) +
           "' in a double-quoted string; write regular expressions and paths with '\\' in "
           "single quotes ('\\d+'), or double the backslash";
  }
  for (const SyntaxMessage& m : kSyntaxMessages) {
    std::string prefix = m.yaml_cpp;
    if (msg.compare(0, prefix.size(), prefix) == 0) return m.ours;
  }
  return "this is not valid YAML here; check the quoting and indentation";
}

bool CheckLocalTags(const YAML::Node& root, Diagnostics* diag) {
  return TagChecker(diag).Check(root);
}

}  // namespace sotinc

#include "rules/node_canonical.h"

#include <map>

namespace sotinc {

bool CanonicalNodeText(const YAML::Node& n, std::string* out) {
  if (out->size() > kMaxCanonicalBytes) return false;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      std::map<std::string, YAML::Node> sorted;
      for (auto it = n.begin(); it != n.end(); ++it) {
        // emplace, never Node::operator=, which would rewrite the tree.
        sorted.emplace(it->first.IsScalar() ? it->first.Scalar() : "?", it->second);
      }
      *out += '{';
      for (const auto& [k, v] : sorted) {
        *out += std::to_string(k.size()) + ':' + k + '=';
        if (!CanonicalNodeText(v, out)) return false;
        *out += ';';
      }
      *out += '}';
      break;
    }
    case YAML::NodeType::Sequence:
      *out += '[';
      for (const YAML::Node& item : n) {
        if (!CanonicalNodeText(item, out)) return false;
        *out += ',';
      }
      *out += ']';
      break;
    case YAML::NodeType::Scalar:
      *out += (n.Tag() == "!" ? "q" : "p") + std::to_string(n.Scalar().size()) + ':' + n.Scalar();
      break;
    default:
      *out += '~';
  }
  return out->size() <= kMaxCanonicalBytes;
}

}  // namespace sotinc

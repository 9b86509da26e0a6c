// Every document of a YAML stream, as YAML::LoadAll gives them, without
// yaml-cpp 0.7's endless loop on a stray ',' (the version Debian 12
// ships; fixed upstream in yaml-cpp 0.8.x). A ',' that starts a token
// outside any '[...]' or '{...}' ("[a]\n," or "{}, x") is a token no
// document consumes: LoadAll then appends an empty document for it
// forever, growing until memory runs out. A pre-pass counts the documents
// through yaml-cpp's event parser (no nodes built) and stops once there
// are more than the text has bytes: every real document consumes at least
// one byte. It costs a second scan of a text that holds a ',', less than
// building its nodes.
//
// Both users, the config loader (rules/config.cc) and the yaml / unique
// kinds (rules/yaml_file.cc), already turn a YAML::Exception into a
// located error. Pure function; thread-safe (for distinct texts).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace sotinc {

// The message of the YAML::ParserException thrown for such a stream.
extern const char kStrayFlowEntry[];

// Like YAML::LoadAll(text): throws YAML::Exception on invalid YAML (and a
// YAML::ParserException with kStrayFlowEntry, at the ',', for the stream
// yaml-cpp would loop on).
std::vector<YAML::Node> LoadAllDocuments(const std::string& text);

}  // namespace sotinc

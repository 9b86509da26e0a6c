#include "cli/man_page.h"

#include <vector>

namespace sotinc {
namespace {

// Text as roff reads it: backslashes and hyphens escaped, and a line that
// would start with a control character ('.' or '\'') protected.
std::string Roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::vector<const CLI::App*> Visible(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> VisibleOptions(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return !o->get_group().empty(); });
}

// A positional argument as usage lines show it: its type name (ID,
// COMMAND), else its name.
std::string PositionalName(const CLI::Option& o) {
  std::string type = o.get_type_name();
  return type.empty() ? o.get_name(true) : type;
}

// "\fB\-j\fR, \fB\-\-jobs\fR \fIINT\fR" for one option.
std::string OptionTag(const CLI::Option& o) {
  std::string tag;
  if (o.get_positional() && !o.nonpositional()) return "\\fI" + Roff(PositionalName(o)) + "\\fR";
  for (const std::string& s : o.get_snames()) {
    tag += (tag.empty() ? "" : ", ") + std::string("\\fB\\-") + Roff(s) + "\\fR";
  }
  for (const std::string& l : o.get_lnames()) {
    tag += (tag.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + Roff(l) + "\\fR";
  }
  if (o.get_items_expected_min() > 0 && !o.get_type_name().empty()) {
    tag += " \\fI" + Roff(o.get_type_name()) + "\\fR";
  }
  return tag;
}

void Command(const CLI::App& cmd, const std::string& words, std::string* out) {
  std::string usage = "sotinc " + words;
  if (!Visible(cmd).empty()) usage += " SUBCOMMAND";
  usage += " [OPTIONS]";
  for (const CLI::Option* o : VisibleOptions(cmd)) {
    if (!o->get_positional() || o->nonpositional()) continue;
    std::string name = PositionalName(*o);
    if (o->get_items_expected_max() > 1) name += "...";
    usage += " " + (o->get_required() ? name : "[" + name + "]");
  }
  *out += ".SS \"" + Roff(usage) + "\"\n" + Roff(cmd.get_description()) + "\n";
  for (const CLI::Option* o : VisibleOptions(cmd)) {
    // --help is everywhere, and -C/--config are described once, above.
    const std::vector<std::string>& l = o->get_lnames();
    if (l.size() == 1 && (l[0] == "help" || l[0] == "config")) continue;
    if (l.empty() && o->get_snames().size() == 1 && o->get_snames()[0] == "C") continue;
    *out += ".TP\n" + OptionTag(*o) + "\n" + Roff(o->get_description()) + "\n";
  }
  for (const CLI::App* sub : Visible(cmd)) Command(*sub, words + " " + sub->get_name(), out);
}

// One line of CommandList: WORDS, a tab, the option names.
std::string CommandLine(const CLI::App& app, const std::string& words) {
  std::string names;
  for (const CLI::Option* o : VisibleOptions(app)) {
    std::string value = o->get_items_expected_min() > 0 ? "=" : "";
    for (const std::string& s : o->get_snames()) names += " -" + s + value;
    for (const std::string& l : o->get_lnames()) names += " --" + l + value;
  }
  return words + "\t" + (names.empty() ? "" : names.substr(1)) + "\n";
}

void ListCommands(const CLI::App& app, const std::string& prefix, std::string* out) {
  for (const CLI::App* sub : Visible(app)) {
    std::string words = prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name();
    *out += CommandLine(*sub, words);
    ListCommands(*sub, words, out);
  }
}

constexpr const char* kDescription =
    ".SH DESCRIPTION\n"
    "sotinc checks a git repository against the rules declared in \\fBsotinc.yaml\\fR at its\n"
    "root: folder structure, required files, YAML and JSON values tied to folder names,\n"
    "forbidden or required content, and external commands. Rules have declared inputs\n"
    "(globs over the repository's files) and dependencies, and their results are cached\n"
    "by content, so a second run only reruns what a change can affect.\n"
    ".PP\n"
    "The candidate files are the tracked and untracked\\-but\\-not\\-ignored files of the\n"
    "working tree, the index (\\fB\\-\\-staged\\fR) or a commit (\\fB\\-\\-rev\\fR).\n"
    "\\fBsotinc init\\fR writes a starter config; \\fBsotinc help\\fR \\fICOMMAND\\fR prints\n"
    "the help of one command, the same text as \\fBsotinc\\fR \\fICOMMAND\\fR "
    "\\fB\\-\\-help\\fR.\n"
    ".PP\n"
    "The options \\fB\\-C\\fR \\fIDIR\\fR (run as if started in \\fIDIR\\fR, like git) and\n"
    "\\fB\\-\\-config\\fR \\fIPATH\\fR (read the rules from \\fIPATH\\fR) are accepted before or\n"
    "after any command.\n";

constexpr const char* kTrailer =
    ".SH EXIT STATUS\n"
    ".TP\n0\nno rule at or above \\fB\\-\\-fail\\-on\\fR severity failed or errored\n"
    ".TP\n1\nat least one such rule failed or errored\n"
    ".TP\n2\nbad usage or bad config (the message says where and what to do)\n"
    ".TP\n3\ninternal error: a bug in sotinc\n"
    ".TP\n130\ninterrupted by SIGINT or SIGTERM (finished results are cached)\n"
    ".SH ENVIRONMENT\n"
    ".TP\n\\fBSOTINC_CACHE_DIR\\fR\nthe cache directory when \\fB\\-\\-cache\\-dir\\fR is not "
    "given\n"
    ".TP\n\\fBSOTINC\\fR\nthe sotinc the pre\\-commit hook runs when the one that installed it "
    "is gone\n"
    ".TP\n\\fBSOTINC_NO_PROGRESS\\fR\nnever draw the progress line\n"
    ".TP\n\\fBSOTINC_HUGEPAGES\\fR\n0: do not advise the heap to use transparent huge pages\n"
    ".TP\n\\fBNO_COLOR\\fR\nno colour in the text report\n"
    ".SH FILES\n"
    ".TP\n\\fBsotinc.yaml\\fR\nthe rules, at the repository root\n"
    ".TP\n\\fB.git/sotinc/cache.db\\fR\nthe result cache (in the common git directory, shared "
    "by worktrees)\n"
    ".SH SEE ALSO\n"
    "\\fBgit\\fR(1), \\fBpre\\-commit\\fR(1). The rule reference, getting started and "
    "troubleshooting guides are in sotinc's \\fBdocs/\\fR folder (\\fBrules.md\\fR, "
    "\\fBgetting\\-started.md\\fR, \\fBtroubleshooting.md\\fR).\n";

}  // namespace

std::string ManPage(const CLI::App& app) {
  std::string out = ".\\\" Generated by 'sotinc help --man' from the command line definitions.\n";
  out += ".TH SOTINC 1 \"\" \"sotinc " SOTINC_VERSION "\" \"User Commands\"\n";
  // No hyphenation and no justification: option names and paths stay whole
  // and are not spread apart.
  out += ".nh\n.ad l\n";
  out += ".SH NAME\nsotinc \\- validate a repository against its own rules, incrementally\n";
  out += ".SH SYNOPSIS\n.B sotinc\n";
  out +=
      "[\\fB\\-C\\fR \\fIDIR\\fR] [\\fB\\-\\-config\\fR \\fIPATH\\fR] \\fICOMMAND\\fR "
      "[\\fIOPTIONS\\fR]\n.br\n.B sotinc \\-\\-version\n";
  out += kDescription;
  out += ".SH COMMANDS\n";
  for (const CLI::App* sub : Visible(app)) Command(*sub, sub->get_name(), &out);
  out += kTrailer;
  return out;
}

std::string CommandList(const CLI::App& app) {
  std::string out = CommandLine(app, "");
  ListCommands(app, "", &out);
  return out;
}

}  // namespace sotinc

#include "cli/help.h"

#include <string_view>
#include <vector>

#include "base/diagnostics.h"

namespace iptsim::cli {
namespace {

std::string OptionSynopsis(const OptionSpec& o) {
  std::string s = "[" + std::string(o.name);
  if (o.alias) s += "|" + std::string(o.alias);
  if (o.value_name) s += " " + std::string(o.value_name);
  return s + "]";
}

// "-c, --counters" / "--host FILE": an option as its help row names it.
std::string OptionNames(const OptionSpec& o) {
  std::string names = o.name;
  if (o.alias) names += std::string(", ") + o.alias;
  if (o.value_name) names += std::string(" ") + o.value_name;
  return names;
}

void PrintOptionRow(const OptionSpec& o, FILE* to) {
  std::string names = OptionNames(o);
  // The help starts in column 31, on the next line when the names reach it.
  std::string gap = names.size() < 28 ? std::string(29 - names.size(), ' ') : "\n" + std::string(31, ' ');
  fprintf(to, "  %s%s%s\n", names.c_str(), gap.c_str(), Wrap(o.help, 31).c_str());
}

}  // namespace

std::string Wrap(const std::string& text, size_t indent, size_t width) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += (out.empty() ? "" : "\n" + std::string(indent, ' ')) + line;
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += (out.empty() ? "" : "\n" + std::string(indent, ' ')) + line;
  return out;
}

std::string CommandSynopsis(const CommandSpec& c) {
  std::string s = std::string("iptsim ") + c.name;
  for (const OptionSpec& o : c.options) s += " " + OptionSynopsis(o);
  return s + " " + c.operands;
}

void PrintUsage(FILE* to) {
  fprintf(to, "usage: iptsim COMMAND [OPTIONS] RULES [PACKET...]\n"
              "commands:");
  for (const CommandSpec& c : Commands()) fprintf(to, " %s", c.name);
  fprintf(to, "\n%s\n", Wrap("Try 'iptsim help' for the commands and their options, 'iptsim "
                             "COMMAND --help' for one command, 'iptsim --version' for the "
                             "version.", 0).c_str());
}

void PrintCommandHelp(const CommandSpec& c, FILE* to) {
  fprintf(to, "usage: iptsim %s [OPTIONS] %s\n\n%s\n\noptions:\n", c.name, c.operands,
          Wrap(c.help, 0).c_str());
  for (const OptionSpec& o : c.options) PrintOptionRow(o, to);
  PrintOptionRow(HelpOption(), to);
  std::string rules = c.takes_packets ? " Options may also stand after RULES, among the "
                                        "packet words."
                                      : "";
  fprintf(to, "\n%s\n\nexit status:\n",
          Wrap("An option that takes a value also takes it as --OPTION=VALUE." + rules, 0).c_str());
  for (const ExitStatus& e : c.exit_statuses)
    fprintf(to, "  %d  %s\n", e.code, Wrap(e.meaning, 5).c_str());
}

int HelpCommand(const CommandLine& cl) {
  if (cl.man_page || cl.bash_completion) {
    if (!cl.rules.empty()) {
      UsageError("help", std::string(cl.man_page ? "--man" : "--bash-completion") +
                             " takes no COMMAND");
      return kExitError;
    }
    cl.man_page ? PrintManPage(stdout) : PrintBashCompletion(stdout);
    return kExitOk;
  }
  if (!cl.rules.empty()) {
    const CommandSpec* c = FindCommand(cl.rules);
    if (!c) {
      std::vector<std::string_view> names;
      for (const CommandSpec& k : Commands()) names.push_back(k.name);
      std::string guess = ClosestName(cl.rules, names);
      UsageError("help", "unknown command '" + cl.rules + "'" +
                             (guess.empty() ? "" : ", did you mean '" + guess + "'?"));
      return kExitError;
    }
    PrintCommandHelp(*c, stdout);
    return kExitOk;
  }
  printf("usage: iptsim COMMAND [OPTIONS] RULES [PACKET...]\n\ncommands:\n");
  for (const CommandSpec& c : Commands())
    printf("  %-8s %s\n      %s\n", c.name, c.summary, Wrap(CommandSynopsis(c), 8).c_str());
  printf("\n%s\n", Wrap("RULES is iptables-save or ip6tables-save output: a file, or - for "
                        "stdin. A PACKET is iptables filter options (-i eth0 -p tcp --dport "
                        "22), packets separated by --. An option that takes a value also takes "
                        "it as --OPTION=VALUE. 'iptsim COMMAND --help' (or 'iptsim help "
                        "COMMAND') says what each option does; 'iptsim --version' prints the "
                        "version.", 0).c_str());
  printf("\nexit status: 0 ok, 1 a difference was found (trace --expect, verify), 2 bad\n"
         "input or usage\n");
  return kExitOk;
}

}  // namespace iptsim::cli

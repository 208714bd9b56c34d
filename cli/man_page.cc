// The manual page and the bash completion, made from the command and option
// tables; the build runs `iptsim help --man` and `iptsim help
// --bash-completion` and installs what they print (CMakeLists.txt).
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "cli/help.h"
#include "output/formats.h"

namespace iptsim::cli {
namespace {

// Text for roff: backslashes and hyphens escaped, and a line may not start
// with a control character.
std::string Roff(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') out += "\\e";
    else if (ch == '-') out += "\\-";
    else out += ch;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

void ManOption(const OptionSpec& o, FILE* to) {
  std::string names = "\\fB" + Roff(o.name) + "\\fR";
  if (o.alias) names += ", \\fB" + Roff(o.alias) + "\\fR";
  if (o.value_name) names += " \\fI" + Roff(o.value_name) + "\\fR";
  fprintf(to, ".TP\n%s\n%s\n", names.c_str(), Roff(o.help).c_str());
}

void ManCommand(const CommandSpec& c, FILE* to) {
  fprintf(to, ".SS \"iptsim %s [OPTIONS] %s\"\n%s\n", c.name, Roff(c.operands).c_str(),
          Roff(c.help).c_str());
  fprintf(to, ".PP\nOptions:\n.RS\n");
  for (const OptionSpec& o : c.options) ManOption(o, to);
  ManOption(HelpOption(), to);
  fprintf(to, ".RE\n.PP\nExit status:\n.RS\n");
  for (const ExitStatus& e : c.exit_statuses)
    fprintf(to, ".TP\n.B %d\n%s\n", e.code, Roff(e.meaning).c_str());
  fprintf(to, ".RE\n");
}

// The words completing an option's value, as a compgen -W list; "" when
// any word (or a file name) does.
std::string ValueChoices(const OptionSpec& o) {
  std::string choices;
  if (std::string_view(o.name) == "--format") {
    for (const OutputFormat& f : OutputFormats()) choices += std::string(choices.empty() ? "" : " ") + f.name;
  } else if (std::string_view v = o.value_name;
             v.find('|') != v.npos && std::none_of(v.begin(), v.end(), isupper)) {
    // "legacy|nft": the words themselves; "LINE|FILE|-" names kinds of value.
    for (char ch : v) choices += ch == '|' ? ' ' : ch;
  }
  return choices;
}

}  // namespace

void PrintManPage(FILE* to) {
  fprintf(to, ".\\\" Made by 'iptsim help --man' from the command tables of cli/options.cc.\n"
              ".TH IPTSIM 1 \"\" \"iptsim %s\" \"User Commands\"\n"
              ".SH NAME\niptsim \\- an exact iptables ruleset simulator\n.SH SYNOPSIS\n.nf\n",
          IPTSIM_VERSION);
  for (const CommandSpec& c : Commands())
    fprintf(to, "\\fBiptsim %s\\fR [\\fIOPTIONS\\fR] %s\n", c.name, Roff(c.operands).c_str());
  fprintf(to, "\\fBiptsim \\-\\-version\\fR\n.fi\n.SH DESCRIPTION\n%s\n",
          Roff("iptsim loads iptables-save / ip6tables-save output (RULES: a file, or - for "
               "stdin) into a model of its tables, chains and policies, validates it as "
               "iptables-restore and the kernel do, prints it back in canonical form, and "
               "sends synthetic packets through it, printing the TRACE and LOG lines the Linux "
               "kernel would log. An option that takes a value also takes it as "
               "--OPTION=VALUE; trace and verify also read their options after RULES, among "
               "the packet words. Errors in files are printed as file:line:col: error: "
               "message, with the source line and a caret; usage errors as iptsim COMMAND: "
               "error: message.")
              .c_str());
  fprintf(to, ".SH COMMANDS\n");
  for (const CommandSpec& c : Commands()) ManCommand(c, to);
  fprintf(to, ".SH OPTIONS\n.TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\nprint the version and "
              "exit\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nlist the commands and exit\n"
              ".SH EXIT STATUS\n.TP\n.B 0\nok\n.TP\n.B 1\na difference was found (trace "
              "\\-\\-expect, verify)\n.TP\n.B 2\nbad input or usage\n"
              ".SH FILES\nThe installed documentation (share/doc/iptsim): README.md, and in "
              "docs/ packet\\-options.md (the packet options), host.md (\\-\\-host files), "
              "verifier.md (verify), kernel\\-trace.md (what the kernel prints), "
              "extensions.md (the matches and targets).\n");
}

void PrintBashCompletion(FILE* to) {
  fprintf(to, "# bash completion for iptsim %s, made by 'iptsim help --bash-completion' from the\n"
              "# command tables of cli/options.cc.\n"
              "_iptsim() {\n"
              "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
              "  COMPREPLY=()\n"
              "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
              "    COMPREPLY=($(compgen -W '",
          IPTSIM_VERSION);
  for (const CommandSpec& c : Commands()) fprintf(to, "%s ", c.name);
  fprintf(to, "--version -V --help -h' -- \"$cur\"))\n    return\n  fi\n"
              "  local opts\n  case ${COMP_WORDS[1]} in\n");
  for (const CommandSpec& c : Commands()) {
    fprintf(to, "    %s)\n      opts='", c.name);
    for (const OptionSpec& o : c.options)
      fprintf(to, "%s%s%s ", o.name, o.alias ? " " : "", o.alias ? o.alias : "");
    fprintf(to, "--help -h'\n      case $prev in\n");
    for (const OptionSpec& o : c.options) {
      if (!o.value_name) continue;
      std::string choices = ValueChoices(o);
      fprintf(to, "        %s%s%s) ", o.name, o.alias ? "|" : "", o.alias ? o.alias : "");
      if (!choices.empty())
        fprintf(to, "COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", choices.c_str());
      else if (std::string_view(o.value_name).find("FILE") != std::string_view::npos)
        fprintf(to, "COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
      else
        fprintf(to, "return ;;\n");
    }
    fprintf(to, "      esac ;;\n");
  }
  fprintf(to, "    *) return ;;\n  esac\n"
              "  if [ \"${COMP_WORDS[1]}\" = help ]; then\n"
              "    COMPREPLY=($(compgen -W \"$opts ");
  for (const CommandSpec& c : Commands()) fprintf(to, "%s ", c.name);
  fprintf(to, "\" -- \"$cur\"))\n"
              "  elif [[ $cur == -* ]]; then\n"
              "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
              "  else\n"
              "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
              "  fi\n"
              "}\n"
              "complete -o filenames -F _iptsim iptsim\n");
}

}  // namespace iptsim::cli

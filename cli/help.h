// What iptsim says about itself, all made from the command and option tables
// of cli/options.cc, so that none of it can fall behind the parser:
// `iptsim help`, `iptsim COMMAND --help`, the usage bare `iptsim` prints, the
// manual page (`iptsim help --man`) and the bash completion
// (`iptsim help --bash-completion`) the build installs.
#pragma once

#include <cstdio>
#include <string>

#include "cli/options.h"

namespace iptsim::cli {

// The short usage bare `iptsim` prints (on stderr, exit 2).
void PrintUsage(FILE* to);
// `iptsim COMMAND --help`: usage, what it does, options, exit statuses.
void PrintCommandHelp(const CommandSpec& command, FILE* to);
// `iptsim help [COMMAND] [--man | --bash-completion]`.
int HelpCommand(const CommandLine& cl);

// "[-4] [-6] [-c|--counters] RULES": a command's options and operands.
std::string CommandSynopsis(const CommandSpec& command);
// `text` broken at blanks into lines that end by column `width` when each
// starts in column `indent` (the lines after the first get that indentation;
// the caller places the first).
std::string Wrap(const std::string& text, size_t indent, size_t width = 80);

void PrintManPage(FILE* to);
void PrintBashCompletion(FILE* to);

}  // namespace iptsim::cli

/* Commands of the pprt tool that live in their own files. Each is `int fn(int argc, char** argv)` where argv[0] is
 * the command name; it parses its own options, prints its own errors and returns the exit code (0 ok, 1 runtime
 * error, 2 usage error). To add one: write tools/pprt/cmd_<name>.c, declare it here, add one line to
 * PPRT_EXTRA_COMMANDS and the file to tools/CMakeLists.txt. */
#ifndef PPRT_TOOLS_COMMANDS_H
#define PPRT_TOOLS_COMMANDS_H

struct pprt_command {
  const char* name;
  int (*fn)(int argc, char** argv);
  const char* help; /* usage text printed by `pprt help` */
};

int pprt_cmd_check(int argc, char** argv);

/* {"name", function, "usage text\n"}, one line per command */
#define PPRT_EXTRA_COMMANDS                                                                                          \
  {"check", pprt_cmd_check,                                                                                          \
   "pprt check [--runner-lib PATH] [--subgraph NAME] [--input F]... [--compare DIR] [--dump DIR] [--bench N]\n"       \
   "           [--selfcheck] MODEL.xmodel\n"                                                                        \
   "  runs a DPU subgraph on pprt's int8 CPU runner: compares every op with a quantizer dump folder\n"              \
   "  (deploy_check_data_int/<subgraph>/), writes such dumps, benchmarks per op, or (--selfcheck, on a board)\n"     \
   "  compares the DPU's outputs with the CPU runner's.\n"},

#endif

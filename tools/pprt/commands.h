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
int pprt_cmd_eval(int argc, char** argv);

#define PPRT_EVAL_HELP                                                                                               \
  "pprt eval --gt G.json --pred P.json [--json] [--present-classes]\n"                                             \
  "pprt eval --dataset DIR [--version v1.0-mini] (--model M [--runner R] [--sweeps N] [--write-pred P.json] |\n"  \
  "          --pred P.json | --write-gt G.json) [--scene NAME] [--sample TOKEN] [--json] [--present-classes]\n"    \
  "  nuScenes detection metrics as the devkit computes them (detection_cvpr_2019: centre distance 0.5/1/2/4 m,\n"  \
  "  class ranges, boxes without lidar points ignored; not the bike-rack filter): mAP, mATE..mAAE, NDS and the\n"  \
  "  per-class table, or --json. G / P are nuScenes detection-results JSON; G may add num_lidar_pts, ego_dist or\n"\
  "  a top-level \"ego_poses\" {token: {translation, rotation}}. --dataset reads a nuScenes folder (v1.0-* tables):\n"\
  "  its ground truth against the model run over its samples (progress on a terminal) or against P.\n"           \
  "  --present-classes averages over the classes with ground truth only (the devkit uses all 10).\n"

/* {"name", function, "usage text\n"}, one line per command */
#define PPRT_EXTRA_COMMANDS                                                                                          \
  {"check", pprt_cmd_check,                                                                                          \
   "pprt check [--runner-lib PATH] [--subgraph NAME] [--input F]... [--compare DIR] [--dump DIR] [--bench N]\n"       \
   "           [--selfcheck] MODEL.xmodel\n"                                                                        \
   "  runs a DPU subgraph on pprt's int8 CPU runner: compares every op with a quantizer dump folder\n"              \
   "  (deploy_check_data_int/<subgraph>/), writes such dumps, benchmarks per op, or (--selfcheck, on a board)\n"     \
   "  compares the DPU's outputs with the CPU runner's.\n"},                                                      \
  {"eval", pprt_cmd_eval, PPRT_EVAL_HELP},

#endif

/* Commands of the pprt tool that live in their own files. Each is `int fn(int argc, char** argv)` where argv[0] is
 * the command name; it parses its own options, prints its own errors and returns the exit code (0 ok, 1 runtime
 * error, 2 usage error). To add one: write tools/pprt/cmd_<name>.c, declare it here, add one line to
 * PPRT_EXTRA_COMMANDS and the file to tools/CMakeLists.txt. */
#ifndef PPRT_TOOLS_COMMANDS_H
#define PPRT_TOOLS_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

/* Print "pprt <cmd>: " + fmt (with arg) and a hint to run 'pprt help' on stderr; returns 2 (the usage exit code).
 * cmd NULL prints "pprt: ". */
int pprt_cli_usage(const char* cmd, const char* fmt, const char* arg);

/* Parse a decimal integer in [lo, hi] (no sign, nothing after it) into *out; 0 on success, -1 otherwise. */
int pprt_cli_parse_u32(const char* s, uint32_t lo, uint32_t hi, uint32_t* out);

/* Options that take a value, argv[i] the option (cmd as for pprt_cli_usage):
 * pprt_cli_missing_value: 0 when argv[i + 1] exists, else 2 (the usage exit code) after "option <o> needs a value";
 * pprt_cli_value_u32: the value (argv[++*i]) as a whole number in [lo, hi] into *out: 0, or 2 after that message or
 * "<o> must be <lo>..<hi>, got '<value>'" ("<o> must be a positive integer, ..." for lo 1, hi UINT32_MAX). */
int pprt_cli_missing_value(const char* cmd, int argc, char** argv, int i);
int pprt_cli_value_u32(const char* cmd, int argc, char** argv, int* i, uint32_t lo, uint32_t hi, uint32_t* out);

/* This program's own file (/proc/self/exe) into buf (cap bytes): 0, or -1 with errno set and buf "". */
int pprt_cli_self_path(char* buf, size_t cap);

struct pprt_command {
  const char* name;
  int (*fn)(int argc, char** argv);
  const char* help; /* usage text printed by `pprt help` */
};

int pprt_cmd_check(int argc, char** argv);
int pprt_cmd_eval(int argc, char** argv);
int pprt_cmd_view(int argc, char** argv);
int pprt_cmd_bench(int argc, char** argv);
int pprt_cmd_doctor(int argc, char** argv);
int pprt_cmd_inspect(int argc, char** argv);

#define PPRT_BENCH_HELP                                                                                              \
  "pprt bench --model DIR [SWEEP | --info F] [--sweeps10] [--frames N] [--mode latency|throughput|both]\n"        \
  "           [--runner dpu|cpu|dummy] [--dpu-ms A,B] [--dpu-cores N] [--in-flight N] [--warmup N] [--json]\n"     \
  "           [--no-alloc-count]\n"                                                                             \
  "  runs N frames (default 50, after 3 warm-up frames) with pprt_runtime_run back to back (latency) and through\n"\
  "  a stream of one DPU0 + DPU1 runner per core (throughput); prints per-stage min / median / p90 / p99 / max,\n" \
  "  end-to-end latency, fps, peak RSS and heap allocations per frame (all libraries included), as a table or\n"  \
  "  --json (one object per mode and line). --sweeps10 builds a 10-sweep frame from SWEEP. --dpu-cores: runners\n"\
  "  per subgraph (ZCU104 2, KV260 1); with --runner dummy --dpu-ms A,B the DPU is simulated: subgraph 0 takes A\n"\
  "  ms, subgraph 1 B ms, at most --dpu-cores jobs at once. Allocations are counted by libpprt-alloccount.so,\n"  \
  "  which pprt bench preloads by running itself again (LD_PRELOAD it yourself under an emulator such as\n"       \
  "  qemu-user); --no-alloc-count runs without it. Without the shim the count is reported as not counted.\n"

#define PPRT_EVAL_HELP                                                                                               \
  "pprt eval --gt G.json --pred P.json [--json] [--present-classes]\n"                                             \
  "pprt eval --dataset DIR [--version v1.0-mini] (--model M [--runner R] [--sweeps N] [--max-points N] [--write-pred P.json] |\n"  \
  "          --pred P.json | --write-gt G.json) [--scene NAME] [--sample TOKEN] [--json] [--present-classes]\n"    \
  "  nuScenes detection metrics as the devkit computes them (detection_cvpr_2019: centre distance 0.5/1/2/4 m,\n"  \
  "  class ranges, boxes without lidar points ignored; not the bike-rack filter): mAP, mATE..mAAE, NDS and the\n"  \
  "  per-class table, or --json. G / P are nuScenes detection-results JSON; G may add num_lidar_pts, ego_dist or\n"\
  "  a top-level \"ego_poses\" {token: {translation, rotation}}. --dataset reads a nuScenes folder (v1.0-* tables):\n"\
  "  its ground truth against the model run over its samples (progress on a terminal) or against P.\n"           \
  "  --present-classes averages over the classes with ground truth only (the devkit uses all 10).\n"

#define PPRT_VIEW_HELP                                                                                               \
  "pprt view SWEEP... [--info F]... [--model M [--runner R] | --boxes B]... [--gt G]... -o OUT.png [--range R]\n"  \
  "          [--size PX]\n"                                                                                       \
  "  bird's-eye PNG: points coloured by height, detections filled by class with a heading tick, ground truth in\n" \
  "  outline (G: a tests/data .gt.json or a box file), 10 m grid, scale bar, legend; several frames make a strip\n"\
  "  (the i-th --boxes / --gt belongs to the i-th frame). B: pprt run --json output or VAI-L text. R: half width\n" \
  "  in m (54); PX: pixels per frame (900).\n"

#define PPRT_DOCTOR_HELP                                                                                             \
  "pprt doctor [--model DIR [--model-names N0,N1]] [--dpu-cores N] [--json] [--root DIR] [--no-jobs]\n"            \
  "            [--runner-lib PATH] [--timeout-ms MS]\n"                                                            \
  "  checks the board for VART 2.5's DPU runner: zocl and its version, the DRM render node XRT opens, the PL and\n" \
  "  (KV260) the loaded app, the xclbin VART resolves (XLNX_VART_FIRMWARE, /etc/vart.conf, /usr/lib/dpu.xclbin),\n"\
  "  DPU cores / fingerprint / clock (xclbin, xdputil query) against every DPU subgraph's dpu_fingerprint, CMA,\n"  \
  "  CPU governor, VART/XIR versions, then one job per subgraph in a child process (--no-jobs skips it; \n"        \
  "  --runner-lib runs them on a runner plugin). One PASS/WARN/FAIL/SKIP line per check, each FAIL with its fix;\n"\
  "  exit 1 if any check failed. --root DIR reads every file below DIR (a copy of a board's files).\n"

/* {"name", function, "usage text\n"}, one line per command */
#define PPRT_EXTRA_COMMANDS                                                                                          \
  {"check", pprt_cmd_check,                                                                                          \
   "pprt check [--runner-lib PATH] [--subgraph NAME] [--input F]... [--compare DIR] [--dump DIR] [--bench N]\n"       \
   "           [--selfcheck] MODEL.xmodel\n"                                                                        \
   "  runs a DPU subgraph on pprt's int8 CPU runner: compares every op with a quantizer dump folder\n"              \
   "  (deploy_check_data_int/<subgraph>/), writes such dumps, benchmarks per op, or (--selfcheck, on a board)\n"     \
   "  compares the DPU's outputs with the CPU runner's.\n"},                                                      \
  {"eval", pprt_cmd_eval, PPRT_EVAL_HELP},                                                                         \
  {"view", pprt_cmd_view, PPRT_VIEW_HELP},                                                                         \
  {"bench", pprt_cmd_bench, PPRT_BENCH_HELP},                                                                      \
  {"doctor", pprt_cmd_doctor, PPRT_DOCTOR_HELP},                                                                  \
  {"inspect", pprt_cmd_inspect,                                                                                      \
   "pprt inspect MODEL.xmodel | MODEL_DIR | ZOO_DIR_0 ZOO_DIR_1\n"                                                  \
   "  what pprt sees in a model: each xmodel's form (compiled / quantized / pprt-generated), subgraphs (device,\n"  \
   "  DPU name, fingerprint), input / output tensors with shapes and fix points, op counts by type and G-op; with\n"\
   "  prototxt files, the parameters pprt uses and where each came from (docs/XMODEL-FORMS.md).\n"},

#endif

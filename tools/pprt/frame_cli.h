/* What pprt run, voxelize, scatter and post share: their options (one parser, one usage text), the frame they read
 * (a point file, a .info or a nuScenes sample), the box printers and the file helpers. Each command is its own file
 * (cmd_run.c, cmd_voxelize.c, cmd_scatter.c, cmd_post.c). */
#ifndef PPRT_TOOLS_FRAME_CLI_H
#define PPRT_TOOLS_FRAME_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "display.h"
#include "pprt/nusc.h"
#include "pprt/pprt.h"

#define EXIT_USAGE 2

struct frame_args {
  const char* cmd;
  const char* model;
  const char* names; /* "name0,name1" */
  const char* sweep;
  const char* info;
  const char* runner;
  const char* runner_lib;
  const char* out;
  const char* features;
  const char* coords;
  const char* cls;
  const char* reg;
  const char* dir;
  int json;
  const char* format;   /* table | json | vai | nuscenes | contest */
  const char* out_file; /* --out FILE */
  const char* dataset;  /* nuScenes folder */
  const char* version;
  const char* sample;   /* sample token */
  int vai_compat;
  int repeat;
  float score_thresh;
  uint32_t max_points;
  uint32_t max_sweeps;
  char name0[256], name1[256];
  /* pprt run: the frames in order, each a SWEEP file or an --info file */
  const char* seq[64];
  unsigned char seq_info[64];
  int nseq;
  int stream;             /* --stream: the sequence through pprt_stream */
  uint32_t dpu_cores, in_flight;
  double rate;            /* --rate HZ: frames start no faster (0: as fast as they go) */
  int display;            /* --display */
  struct pprt_display_options disp;
  double display_hold;    /* seconds the last frame stays on screen */
};

/* The usage text of the four commands. */
void frame_usage(FILE* f);
/* Parse argv (argv[1] the command) into *a; 0, or the usage exit code after a message. */
int frame_parse_args(int argc, char** argv, struct frame_args* a);
int frame_usage_error(const char* fmt, const char* arg);
/* "pprt: <status>: <message>" on stderr; returns 1. */
int frame_fail(enum pprt_status st, const char* msg);
void frame_fill_options(const struct frame_args* a, struct pprt_options* o);

struct frame_input {
  pprt_cloud_t* clouds[64];
  uint32_t num_clouds;
  struct pprt_sweep sweeps[64];
  uint32_t num_sweeps;
  pprt_nusc_t* ds; /* --dataset */
  struct pprt_nusc_sample sample;
};

void frame_input_free(struct frame_input* in);
/* Frame k of the sequence (SWEEP / --info, or the --dataset sample) into in; create: make in's clouds first, else
 * reuse those of the frame loaded before. 0 or an exit code after a message. */
int frame_load_at(const struct frame_args* a, struct frame_input* in, int k, int create);
/* The first (or only) frame, clouds made. */
int frame_load(const struct frame_args* a, struct frame_input* in);

void frame_print_boxes_table(const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n);
void frame_print_boxes_json(FILE* f, const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n);
int frame_is_kitti(const pprt_runtime_t* rt);
const char* frame_kernels_of(const pprt_runtime_t* rt);

int frame_make_dir(const char* path);
int frame_write_out(const char* dir, const char* name, const void* data, size_t len);
/* Read a whole regular file of at most max bytes (malloc'd; a FIFO does not block); NULL after a message. */
void* frame_read_all(const char* path, size_t max, size_t* len);
/* A runtime for the stages alone (PPRT_RUNNER_NONE); 0 or 1 after a message. */
int frame_open_stage_runtime(const struct frame_args* a, pprt_runtime_t** rt);

/* Read coords.bin (int32 y, x pairs, at most max_pillars) and check each cell is inside bound (rows, columns) of
 * `what` ("canvas", "grid"); the malloc'd pairs and their count, or NULL after a message naming the file. */
int32_t* frame_read_coords(const char* path, uint32_t max_pillars, const int32_t bound[2], const char* what,
                           uint32_t* n);

/* Parse the options and run fn: what each of the four commands' entry points does. */
int frame_command(int argc, char** argv, int (*fn)(const struct frame_args* a));

int pprt_cmd_run(int argc, char** argv);
int pprt_cmd_voxelize(int argc, char** argv);
int pprt_cmd_scatter(int argc, char** argv);
int pprt_cmd_post(int argc, char** argv);

#endif

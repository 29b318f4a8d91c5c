/* pprt eval: nuScenes detection metrics (mAP, TP errors, NDS, per class) from two detection-results files, or from a
 * nuScenes dataset folder (its ground truth against a results file, or against the model run over every sample). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "pprt/nusc.h"

static int eval_usage(const char* msg, const char* arg) { return pprt_cli_usage("eval", msg, arg); }

static int eval_fail(enum pprt_status st, const char* msg) {
  fprintf(stderr, "pprt eval: %s: %s\n", pprt_status_str(st), msg);
  return 1;
}

/* A metric (double): 17 significant digits read back as the same double. */
static void put_num(FILE* f, double v) {
  if (isfinite(v)) fprintf(f, "%.17g", v);
  else fputs("null", f);
}

static void print_text(const struct pprt_eval_result* r, double secs) {
  printf("mAP: %.4f\n", r->mAP);
  for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) printf("%s: %.4f\n", pprt_eval_tp_short(k), r->mean_tp_err[k]);
  printf("NDS: %.4f\n", r->NDS);
  printf("Eval time: %.1fs\n\nPer-class results:\n", secs);
  printf("Object Class\tAP\tATE\tASE\tAOE\tAVE\tAAE\n");
  for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
    if (!r->evaluated[c]) continue;
    printf("%s\t%.3f", pprt_nusc_class_name(c), r->class_ap[c]);
    for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) printf("\t%.3f", r->tp_err[c][k]);
    printf("\n");
  }
}

static void print_json(const struct pprt_eval_result* r) {
  static const char* const dist[PPRT_EVAL_NUM_DIST] = {"0.5", "1.0", "2.0", "4.0"};
  printf("{\"mAP\": ");
  put_num(stdout, r->mAP);
  printf(", \"NDS\": ");
  put_num(stdout, r->NDS);
  printf(", \"tp_errors\": {");
  for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) {
    printf("%s\"%s\": ", k ? ", " : "", pprt_eval_tp_name(k));
    put_num(stdout, r->mean_tp_err[k]);
  }
  printf("},\n\"per_class\": {");
  int first = 1;
  for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
    if (!r->evaluated[c]) continue;
    printf("%s\n  \"%s\": {\"AP\": ", first ? "" : ",", pprt_nusc_class_name(c));
    first = 0;
    put_num(stdout, r->class_ap[c]);
    printf(", \"AP_dist\": {");
    for (int d = 0; d < PPRT_EVAL_NUM_DIST; ++d) {
      printf("%s\"%s\": ", d ? ", " : "", dist[d]);
      put_num(stdout, r->ap[c][d]);
    }
    printf("}");
    for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) {
      printf(", \"%s\": ", pprt_eval_tp_name(k));
      put_num(stdout, r->tp_err[c][k]);
    }
    printf(", \"num_gt\": %u, \"num_pred\": %u}", r->num_gt[c], r->num_pred[c]);
  }
  printf("\n}}\n");
}

static void progress(uint32_t done, uint32_t total, double t0) {
  if (!isatty(2) || total == 0) return;
  int width = 40, fill = (int)((uint64_t)done * (uint64_t)width / total);
  double el = (double)clock() / CLOCKS_PER_SEC - t0;
  fprintf(stderr, "\r[%.*s%*s] %u/%u samples %.1fs", fill, "########################################", width - fill,
          "", done, total, el);
  if (done == total) fputc('\n', stderr);
  fflush(stderr);
}

/* Run the model over the selected samples of ds, adding the global boxes to pred. */
static int run_model(pprt_nusc_t* ds, const uint32_t* sel, uint32_t nsel, const struct pprt_options* o,
                     uint32_t max_sweeps, pprt_detset_t* pred) {
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(o, &rt);
  if (st) return eval_fail(st, pprt_last_error());
  int cls_of[256];
  uint32_t nc = pprt_runtime_num_classes(rt);
  for (uint32_t i = 0; i < nc && i < 256; ++i) cls_of[i] = pprt_nusc_class_index(pprt_runtime_class_name(rt, i));
  uint32_t cap = pprt_runtime_max_boxes(rt);
  struct pprt_box* boxes = calloc(cap ? cap : 1, sizeof *boxes);
  struct pprt_det_box* det = calloc(cap ? cap : 1, sizeof *det);
  pprt_cloud_t* clouds[64] = {0};
  struct pprt_sweep sweeps[64];
  int rc = 0;
  if (boxes == NULL || det == NULL) rc = eval_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  for (uint32_t i = 0; i < max_sweeps && rc == 0; ++i)
    if ((st = pprt_cloud_create(400000, &clouds[i]))) rc = eval_fail(st, pprt_last_error());
  double t0 = (double)clock() / CLOCKS_PER_SEC;
  for (uint32_t k = 0; k < nsel && rc == 0; ++k) {
    struct pprt_nusc_sample info;
    uint32_t ns = 0, n = 0, nd = 0;
    if ((st = pprt_nusc_sample_info(ds, sel[k], &info)) ||
        (st = pprt_nusc_load_sweeps(ds, sel[k], clouds, max_sweeps, sweeps, &ns))) {
      rc = eval_fail(st, pprt_last_error());
      break;
    }
    if ((st = pprt_runtime_run(rt, sweeps, ns, boxes, cap, &n))) {
      rc = eval_fail(st, pprt_runtime_last_error(rt));
      break;
    }
    for (uint32_t b = 0; b < n; ++b) {
      int c = boxes[b].label >= 0 && (uint32_t)boxes[b].label < nc && boxes[b].label < 256 ? cls_of[boxes[b].label]
                                                                                              : -1;
      if (c < 0) continue; /* a class of the model that is not a nuScenes detection class */
      pprt_box_to_global(&boxes[b], c, &info.lidar2ego, &info.ego2global, &det[nd++]);
    }
    if ((st = pprt_detset_add(pred, info.token, det, nd)) || (st = pprt_detset_set_ego_pose(pred, info.token,
                                                                                              &info.ego2global)))
      rc = eval_fail(st, pprt_last_error());
    progress(k + 1, nsel, t0);
  }
  for (uint32_t i = 0; i < max_sweeps; ++i) pprt_cloud_destroy(clouds[i]);
  free(boxes);
  free(det);
  pprt_runtime_destroy(rt);
  return rc;
}

int pprt_cmd_eval(int argc, char** argv) {
  const char *gt_path = NULL, *pred_path = NULL, *dataset = NULL, *version = NULL, *model = NULL, *runner = NULL;
  const char *runner_lib = NULL, *scene = NULL, *sample = NULL, *write_gt = NULL, *write_pred = NULL;
  int json = 0, present = 0, vai_compat = 0;
  uint32_t max_sweeps = 10, max_points = 0;
  for (int i = 1; i < argc; ++i) {
    const char* o = argv[i];
    const char** dst = NULL;
    if (strcmp(o, "--gt") == 0) dst = &gt_path;
    else if (strcmp(o, "--pred") == 0) dst = &pred_path;
    else if (strcmp(o, "--dataset") == 0) dst = &dataset;
    else if (strcmp(o, "--version") == 0) dst = &version;
    else if (strcmp(o, "--model") == 0) dst = &model;
    else if (strcmp(o, "--runner") == 0) dst = &runner;
    else if (strcmp(o, "--runner-lib") == 0) dst = &runner_lib;
    else if (strcmp(o, "--scene") == 0) dst = &scene;
    else if (strcmp(o, "--sample") == 0) dst = &sample;
    else if (strcmp(o, "--write-gt") == 0) dst = &write_gt;
    else if (strcmp(o, "--write-pred") == 0) dst = &write_pred;
    else if (strcmp(o, "--json") == 0) json = 1;
    else if (strcmp(o, "--present-classes") == 0) present = 1;
    else if (strcmp(o, "--vai-compat") == 0) vai_compat = 1;
    else if (strcmp(o, "--sweeps") == 0) {
      char* end = NULL;
      if (i + 1 >= argc) return eval_usage("option %s needs a value", o);
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 1 || v > 64) return eval_usage("--sweeps must be 1..64, got '%s'", argv[i]);
      max_sweeps = (uint32_t)v;
    } else if (strcmp(o, "--max-points") == 0) {
      if (i + 1 >= argc) return eval_usage("option %s needs a value", o);
      if (pprt_cli_parse_u32(argv[++i], 1, 20000000, &max_points))
        return eval_usage("--max-points must be 1..20000000, got '%s'", argv[i]);
    } else return eval_usage("unknown option or argument '%s'", o);
    if (dst) {
      if (i + 1 >= argc) return eval_usage("option %s needs a value", o);
      *dst = argv[++i];
    }
  }
  if (dataset == NULL && (gt_path == NULL || pred_path == NULL))
    return eval_usage("%s", "needs --gt G.json --pred P.json, or --dataset DIR with --model M or --pred P.json");
  if (dataset != NULL && gt_path != NULL) return eval_usage("%s", "--dataset and --gt exclude each other");
  if (model != NULL && pred_path != NULL) return eval_usage("%s", "--model and --pred exclude each other");
  if (dataset != NULL && model == NULL && pred_path == NULL && write_gt == NULL)
    return eval_usage("%s", "--dataset needs --model M, --pred P.json or --write-gt G.json");
  if (model != NULL && dataset == NULL) return eval_usage("%s", "--model needs --dataset DIR");

  struct pprt_options opts;
  pprt_options_init(&opts);
  if (runner && pprt_runner_from_string(runner, &opts.runner))
    return eval_usage("--runner must be dpu, cpu or dummy, got '%s'", runner);
  opts.model_dir = model;
  opts.runner_lib = runner_lib;
  opts.vai_compat = vai_compat;
  opts.max_sweeps = max_sweeps;
  /* Points of a whole frame: a nuScenes sweep has ~35k, so 40k per sweep (at least the runtime's default 400k). */
  opts.max_points = max_points ? max_points : (max_sweeps * 40000u > 400000u ? max_sweeps * 40000u : 400000u);

  pprt_detset_t *gt = NULL, *pred = NULL;
  pprt_nusc_t* ds = NULL;
  uint32_t* sel = NULL;
  int rc = 0;
  enum pprt_status st;
  double t0 = (double)clock() / CLOCKS_PER_SEC;
  if (dataset) {
    if ((st = pprt_nusc_open(dataset, version, &ds)) || (st = pprt_detset_create(&gt))) {
      rc = eval_fail(st, pprt_last_error());
      goto done;
    }
    uint32_t n = pprt_nusc_num_samples(ds), nsel = 0;
    sel = calloc(n ? n : 1, sizeof *sel);
    if (sel == NULL) {
      rc = eval_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
      goto done;
    }
    for (uint32_t i = 0; i < n; ++i) {
      struct pprt_nusc_sample info;
      if ((st = pprt_nusc_sample_info(ds, i, &info))) {
        rc = eval_fail(st, pprt_last_error());
        goto done;
      }
      if (scene && strcmp(info.scene_name, scene) != 0) continue;
      if (sample && strcmp(info.token, sample) != 0) continue;
      sel[nsel++] = i;
      if ((st = pprt_nusc_add_gt(ds, i, gt))) {
        rc = eval_fail(st, pprt_last_error());
        goto done;
      }
    }
    if (nsel == 0) {
      fprintf(stderr, "pprt eval: no sample of %s matches%s%s%s%s\n", dataset, scene ? " scene " : "",
              scene ? scene : "", sample ? " sample " : "", sample ? sample : "");
      rc = 1;
      goto done;
    }
    if (write_gt && (st = pprt_detset_write(gt, write_gt, NULL, 1))) {
      rc = eval_fail(st, pprt_last_error());
      goto done;
    }
    if (model) {
      if ((st = pprt_detset_create(&pred))) {
        rc = eval_fail(st, pprt_last_error());
        goto done;
      }
      if ((rc = run_model(ds, sel, nsel, &opts, max_sweeps, pred)) != 0) goto done;
      if (write_pred && (st = pprt_detset_write(pred, write_pred, NULL, 0))) {
        rc = eval_fail(st, pprt_last_error());
        goto done;
      }
    } else if (pred_path == NULL) {
      goto done; /* --write-gt only */
    }
  } else if ((st = pprt_detset_load(gt_path, &gt))) {
    rc = eval_fail(st, pprt_last_error());
    goto done;
  }
  if (pred == NULL && (st = pprt_detset_load(pred_path, &pred))) {
    rc = eval_fail(st, pprt_last_error());
    goto done;
  }
  struct pprt_eval_result res;
  if ((st = pprt_eval_detection(gt, pred, present, &res))) {
    rc = eval_fail(st, pprt_last_error());
    goto done;
  }
  if (json) print_json(&res);
  else print_text(&res, (double)clock() / CLOCKS_PER_SEC - t0);
done:
  free(sel);
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pred);
  pprt_nusc_close(ds);
  return rc;
}

/* pprt doctor: is this board ready for pprt's DPU runner? Prints one PASS / WARN / FAIL / SKIP line per check (each
 * FAIL and WARN with its fix) or --json; exits 1 if any check failed. The checks are the library's
 * (pprt/doctor.h, docs/DOCTOR.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "pprt/doctor.h"

static void json_str(const char* s) {
  putchar('"');
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c == '\n') fputs("\\n", stdout);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void print_json(const struct pprt_doctor_report* r, const char* root) {
  printf("{\"root\": ");
  json_str(root);
  printf(", \"verdict\": \"%s\", \"board\": ", pprt_doctor_verdict_str(r->worst));
  json_str(r->board);
  printf(", \"xclbin\": ");
  json_str(r->xclbin);
  printf(", \"dpu_cores\": %u, \"dpu_fingerprint\": \"0x%016" PRIx64 "\", \"dpu_arch\": ", r->dpu_cores,
         r->dpu_fingerprint);
  json_str(r->dpu_arch);
  printf(", \"checks\": [");
  for (uint32_t i = 0; i < r->count; ++i) {
    const struct pprt_doctor_check* c = &r->checks[i];
    printf("%s{\"name\": ", i ? ", " : "");
    json_str(c->name);
    printf(", \"verdict\": \"%s\", \"message\": ", pprt_doctor_verdict_str(c->verdict));
    json_str(c->message);
    printf(", \"fix\": ");
    json_str(c->fix);
    printf("}");
  }
  printf("]}\n");
}

static void print_text(const struct pprt_doctor_report* r) {
  unsigned fails = 0, warns = 0;
  for (uint32_t i = 0; i < r->count; ++i) {
    const struct pprt_doctor_check* c = &r->checks[i];
    printf("%-4s  %-12s %s\n", pprt_doctor_verdict_str(c->verdict), c->name, c->message);
    if (c->fix[0] && (c->verdict == PPRT_DOCTOR_FAIL || c->verdict == PPRT_DOCTOR_WARN))
      printf("      %-12s fix: %s\n", "", c->fix);
    fails += c->verdict == PPRT_DOCTOR_FAIL;
    warns += c->verdict == PPRT_DOCTOR_WARN;
  }
  printf("%s: %u failed, %u warning%s\n", fails ? "NOT READY" : "ready", fails, warns, warns == 1 ? "" : "s");
}

int pprt_cmd_doctor(int argc, char** argv) {
  struct pprt_doctor_options o;
  pprt_doctor_options_init(&o);
  o.run_jobs = 1;
  int json = 0;
  char names[2][256];
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    int has_val = i + 1 < argc;
    if (strcmp(a, "--json") == 0) json = 1;
    else if (strcmp(a, "--no-jobs") == 0) o.run_jobs = 0;
    else if ((strcmp(a, "--model") == 0 || strcmp(a, "--root") == 0 || strcmp(a, "--dpu-cores") == 0 ||
              strcmp(a, "--runner-lib") == 0 || strcmp(a, "--model-names") == 0 || strcmp(a, "--timeout-ms") == 0) &&
             !has_val)
      return pprt_cli_usage("doctor", "option %s needs a value", a);
    else if (strcmp(a, "--model") == 0) o.model_dir = argv[++i];
    else if (strcmp(a, "--root") == 0) o.root = argv[++i];
    else if (strcmp(a, "--runner-lib") == 0) o.job_runner_lib = argv[++i];
    else if (strcmp(a, "--dpu-cores") == 0) {
      if (pprt_cli_parse_u32(argv[++i], 1, 16, &o.dpu_cores) != 0)
        return pprt_cli_usage("doctor", "--dpu-cores must be 1..16, got '%s'", argv[i]);
    } else if (strcmp(a, "--timeout-ms") == 0) {
      if (pprt_cli_parse_u32(argv[++i], 100, 3600000, &o.timeout_ms) != 0)
        return pprt_cli_usage("doctor", "--timeout-ms must be 100..3600000, got '%s'", argv[i]);
    } else if (strcmp(a, "--model-names") == 0) {
      const char* v = argv[++i];
      const char* comma = strchr(v, ',');
      if (comma == NULL || comma == v || comma[1] == '\0' || (size_t)(comma - v) >= sizeof names[0] ||
          strlen(comma + 1) >= sizeof names[1])
        return pprt_cli_usage("doctor", "--model-names needs NAME0,NAME1, got '%s'", v);
      snprintf(names[0], sizeof names[0], "%.*s", (int)(comma - v), v);
      snprintf(names[1], sizeof names[1], "%s", comma + 1);
      o.model_name0 = names[0];
      o.model_name1 = names[1];
    } else {
      return pprt_cli_usage("doctor", a[0] == '-' ? "unknown option %s" : "unexpected argument '%s'", a);
    }
  }
  struct pprt_doctor_report* r = malloc(sizeof *r);
  if (r == NULL) {
    fprintf(stderr, "pprt: out of memory\n");
    return 1;
  }
  if (pprt_doctor_run(&o, r) != PPRT_STATUS_OK) {
    fprintf(stderr, "pprt: %s\n", pprt_last_error());
    free(r);
    return 1;
  }
  if (json) print_json(r, o.root != NULL ? o.root : "/");
  else print_text(r);
  int rc = r->worst == PPRT_DOCTOR_FAIL ? 1 : 0;
  free(r);
  return rc;
}

/* pprt: the command-line front end of the runtime.
 *   pprt run      --model DIR [SWEEP] [--info F] [--runner dpu|cpu|dummy] [--json] ...
 *   pprt voxelize --model DIR SWEEP [--info F] -o OUT
 *   pprt scatter  --model DIR --features F --coords F -o OUT
 *   pprt post     --model DIR --cls F --reg F --dir F [--json]
 * Exit codes: 0 success, 1 a runtime error (message on stderr), 2 a usage error. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "frame_cli.h"

/* Every command is a file of its own (commands.h, frame_cli.h); run / voxelize / scatter / post share one usage text
 * (frame_usage), printed once by `pprt help`. */
static const struct pprt_command k_frame_commands[] = {
    {"run", pprt_cmd_run, NULL}, {"voxelize", pprt_cmd_voxelize, NULL}, {"scatter", pprt_cmd_scatter, NULL},
    {"post", pprt_cmd_post, NULL}, {NULL, NULL, NULL}};
static const struct pprt_command k_commands[] = {
    PPRT_EXTRA_COMMANDS
    {NULL, NULL, NULL}};

static const struct pprt_command* find(const struct pprt_command* list, const char* name) {
  for (const struct pprt_command* k = list; k->name != NULL; ++k)
    if (strcmp(name, k->name) == 0) return k;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    frame_usage(stderr);
    return EXIT_USAGE;
  }
  const char* c = argv[1];
  const struct pprt_command* k;
  if (strcmp(c, "help") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
    if (argc > 2) { /* pprt help <command>: that command's text alone */
      if ((k = find(k_commands, argv[2])) != NULL) {
        fputs(k->help, stdout);
        return 0;
      }
      if (find(k_frame_commands, argv[2]) == NULL)
        return frame_usage_error("no command '%s' (run 'pprt help' for the list)", argv[2]);
      frame_usage(stdout); /* the four frame commands share one text */
      return 0;
    }
    frame_usage(stdout);
    for (k = k_commands; k->name != NULL; ++k) printf("\n%s", k->help);
    return 0;
  }
  if (strcmp(c, "--version") == 0) {
    printf("pprt %d.%d.%d\n", PPRT_VERSION_MAJOR, PPRT_VERSION_MINOR, PPRT_VERSION_PATCH);
    return 0;
  }
  if ((k = find(k_commands, c)) != NULL) {
    /* pprt <command> --help: the command's text, the same for every command (pprt check prints pprt-check's own) */
    if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) && k->fn != pprt_cmd_check) {
      fputs(k->help, stdout);
      return 0;
    }
    return k->fn(argc - 1, argv + 1);
  }
  if ((k = find(k_frame_commands, c)) != NULL) return k->fn(argc - 1, argv + 1);
  return frame_usage_error("unknown command '%s'", c);
}

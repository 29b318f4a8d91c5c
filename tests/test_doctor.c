/* pprt doctor on fake board trees: a ZCU104 that is ready, a KV260 without an app, wrong xclbin paths, a fingerprint
 * mismatch, an unreadable render node, B3136 firmware with a B4096 model; VART 2.5's /etc/vart.conf and xclbin rules
 * (each case pins a behaviour where another reading gives another verdict); the DPU preflight; the job child with
 * runner plugins that abort or exit. The xclbins are written with XRT's own struct definitions (xrt/xclbin.h), an
 * oracle independent of pprt's reader. Needs the small_model fixture (pprt-genmodel writes dpu_fingerprint B4096). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xrt/xclbin.h>

#include "backend/dpu_preflight.h"
#include "backend/xclbin.h"
#include "pprt/doctor.h"
#include "testutil.h"

#define FP_B4096 0x0101000016010407ULL
#define FP_B3136 0x0101000016010406ULL
#define APP "kv260-benchmark-b4096"
#define APP_DIR "/lib/firmware/xilinx/" APP

/* ---------------------------------------------------------------- building trees */

static char g_tree[1024];

static const char* tp(const char* rel) {
  static char buf[4][1400];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s%s", g_tree, rel);
  return buf[k];
}

static void mkdirs(const char* path) {
  char p[1400];
  snprintf(p, sizeof p, "%s", path);
  for (char* s = p + 1; *s; ++s)
    if (*s == '/') {
      *s = '\0';
      mkdir(p, 0755);
      *s = '/';
    }
  mkdir(p, 0755);
}

static void put(const char* rel, const char* text) {
  char dir[1400];
  snprintf(dir, sizeof dir, "%s", tp(rel));
  *strrchr(dir, '/') = '\0';
  mkdirs(dir);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(tp(rel), text, strlen(text)), 0);
}

static void put_bytes(const char* rel, const void* data, size_t n) {
  char dir[1400];
  snprintf(dir, sizeof dir, "%s", tp(rel));
  *strrchr(dir, '/') = '\0';
  mkdirs(dir);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(tp(rel), data, n), 0);
}

static void link_to(const char* rel, const char* target) {
  char dir[1400];
  snprintf(dir, sizeof dir, "%s", tp(rel));
  *strrchr(dir, '/') = '\0';
  mkdirs(dir);
  unlink(tp(rel));
  CU_ASSERT_EQUAL_FATAL(symlink(target, tp(rel)), 0);
}

static void rm_tree(const char* path) {
  char* argv[] = {(char*)"rm", (char*)"-rf", (char*)path, NULL};
  char out[256];
  pprt_test_run(argv, out, sizeof out);
}

/* An xclbin as v++ writes one for a DPUCZDX8G design, built from XRT's structs: header, MEM_TOPOLOGY, IP_LAYOUT with
 * n_dpu "DPUCZDX8G:DPUCZDX8G_<i>" kernels (+ a softmax CU), CLOCK_FREQ_TOPOLOGY 300 / 600 MHz. */
struct xb_spec {
  unsigned char uuid_byte;
  int n_dpu;
  const char* kernel;  /* default "DPUCZDX8G" */
  int no_ip_layout;
};

static size_t make_xclbin(const struct xb_spec* sp, unsigned char* buf, size_t cap) {
  memset(buf, 0, cap);
  const unsigned nsec = sp->no_ip_layout ? 2 : 3;
  size_t hdr = sizeof(struct axlf) + (nsec - 1) * sizeof(struct axlf_section_header);
  struct axlf* top = (struct axlf*)buf;
  memcpy(top->m_magic, "xclbin2", 8);
  top->m_signature_length = -1;
  memset(top->reserved, 0xff, sizeof top->reserved);
  top->m_header.m_versionMajor = 2;
  top->m_header.m_versionMinor = 13;
  snprintf((char*)top->m_header.m_platformVBNV, sizeof top->m_header.m_platformVBNV, "xilinx_zcu104_base_202210_1");
  for (int i = 0; i < 16; ++i) ((unsigned char*)&top->m_header.uuid)[i] = (unsigned char)(sp->uuid_byte + i);
  top->m_header.m_numSections = nsec;
  size_t off = (hdr + 7) & ~(size_t)7;
  unsigned s = 0;
  /* MEM_TOPOLOGY: one DDR bank */
  struct mem_topology* mt = (struct mem_topology*)(buf + off);
  mt->m_count = 1;
  mt->m_mem_data[0].m_used = 1;
  snprintf((char*)mt->m_mem_data[0].m_tag, 16, "HP0");
  top->m_sections[s].m_sectionKind = MEM_TOPOLOGY;
  top->m_sections[s].m_sectionOffset = off;
  top->m_sections[s++].m_sectionSize = sizeof(struct mem_topology);
  off += (sizeof(struct mem_topology) + 7) & ~(size_t)7;
  if (!sp->no_ip_layout) {
    struct ip_layout* ip = (struct ip_layout*)(buf + off);
    ip->m_count = sp->n_dpu + 1;
    for (int i = 0; i < sp->n_dpu; ++i) {
      /* listed in reverse address order: the reader sorts by base address as VART does */
      ip->m_ip_data[i].m_type = IP_KERNEL;
      ip->m_ip_data[i].m_base_address = 0x80000000ULL + 0x1000ULL * (uint64_t)(sp->n_dpu - i);
      snprintf((char*)ip->m_ip_data[i].m_name, 64, "%s:%s_%d", sp->kernel ? sp->kernel : "DPUCZDX8G",
               sp->kernel ? sp->kernel : "DPUCZDX8G", sp->n_dpu - i);
    }
    ip->m_ip_data[sp->n_dpu].m_type = IP_KERNEL;
    ip->m_ip_data[sp->n_dpu].m_base_address = 0x80020000ULL;
    snprintf((char*)ip->m_ip_data[sp->n_dpu].m_name, 64, "sfm_xrt_top:sfm_xrt_top_1");
    size_t sz = sizeof(struct ip_layout) + (size_t)sp->n_dpu * sizeof(struct ip_data);
    top->m_sections[s].m_sectionKind = IP_LAYOUT;
    top->m_sections[s].m_sectionOffset = off;
    top->m_sections[s++].m_sectionSize = sz;
    off += (sz + 7) & ~(size_t)7;
  }
  struct clock_freq_topology* ck = (struct clock_freq_topology*)(buf + off);
  ck->m_count = 2;
  ck->m_clock_freq[0].m_freq_Mhz = 300;
  ck->m_clock_freq[0].m_type = CT_DATA;
  struct clock_freq* c1 = (struct clock_freq*)((unsigned char*)ck->m_clock_freq + sizeof(struct clock_freq));
  c1->m_freq_Mhz = 600;
  c1->m_type = CT_KERNEL;
  size_t sz = sizeof(struct clock_freq_topology) + sizeof(struct clock_freq);
  top->m_sections[s].m_sectionKind = CLOCK_FREQ_TOPOLOGY;
  top->m_sections[s].m_sectionOffset = off;
  top->m_sections[s++].m_sectionSize = sz;
  off += sz;
  top->m_header.m_length = off;
  CU_ASSERT_FATAL(off <= cap);
  return off;
}

static void put_xclbin(const char* rel, const struct xb_spec* sp) {
  static unsigned char buf[8192];
  size_t n = make_xclbin(sp, buf, sizeof buf);
  put_bytes(rel, buf, n);
}

/* xdputil query as the Vitis AI 2.5 tool prints it (json.dumps(indent=4, separators=(",", ":"))) */
static void put_xdputil(unsigned long long fp, int cores) {
  char s[4096];
  int n = snprintf(s, sizeof s,
                   "#!/bin/sh\ncat <<'EOF'\n{\n    \"DPU IP Spec\":{\n        \"DPU Core Count\":%d,\n"
                   "        \"IP version\":\"v4.0.0\"\n    },\n    \"VAI Version\":{\n"
                   "        \"libvart-runner.so\":\"Xilinx vart-runner Version: 2.5.0\"\n    },\n    \"kernels\":[\n",
                   cores);
  for (int i = 0; i < cores; ++i)
    n += snprintf(s + n, sizeof s - (size_t)n,
                  "        {\n            \"DPU Arch\":\"DPUCZDX8G_ISA1_B%s\",\n            \"DPU Frequency (MHz)\":300,\n"
                  "            \"cu_name\":\"DPUCZDX8G:DPUCZDX8G_%d\",\n            \"fingerprint\":\"0x%llx\",\n"
                  "            \"name\":\"DPU Core %d\"\n        }%s\n",
                  fp == FP_B4096 ? "4096" : "3136", i + 1, fp, i, i + 1 < cores ? "," : "");
  snprintf(s + n, sizeof s - (size_t)n, "    ]\n}\nEOF\n");
  put("/usr/bin/xdputil", s);
  chmod(tp("/usr/bin/xdputil"), 0755);
}

enum board { ZCU104, KV260 };

static void make_board(const char* name, enum board b) {
  snprintf(g_tree, sizeof g_tree, "%s/doctor/%s", PPRT_TEST_WORK_DIR, name);
  rm_tree(g_tree);
  mkdirs(g_tree);
  const char* model = b == ZCU104 ? "ZynqMP ZCU104 RevC" : "ZynqMP SMK-K26 Rev1/B/A";
  put_bytes("/sys/firmware/devicetree/base/model", model, strlen(model) + 1);
  put("/sys/module/zocl/version", "2.13.0\n");
  put("/dev/dri/renderD128", "");
  chmod(tp("/dev/dri/renderD128"), 0666);
  put("/dev/dri/card0", "");
  link_to("/dev/dri/by-path/platform-axi:zyxclmm_drm-card", "../card0");
  link_to("/dev/dri/by-path/platform-axi:zyxclmm_drm-render", "../renderD128");
  link_to("/sys/class/drm/renderD128/device/driver", "../../../../bus/platform/drivers/zocl-drm");
  put("/sys/class/fpga_manager/fpga0/state", "operating\n");
  put("/proc/meminfo", "MemTotal:        2023456 kB\nMemFree:         1500000 kB\nCmaTotal:         524288 kB\n"
                       "CmaFree:          500000 kB\n");
  for (int c = 0; c < 4; ++c) {
    char p[128];
    snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
    put(p, "performance\n");
    snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", c);
    put(p, "1333320\n");
    snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpufreq/cpuinfo_max_freq", c);
    put(p, "1333320\n");
  }
  /* the display controller's connectors (zynqmp-dpsub): a monitor on the ZCU104's DisplayPort, none on the KV260 */
  if (b == ZCU104) {
    put("/sys/class/drm/card1-DP-1/status", "connected\n");
    put("/sys/class/drm/card1-DP-1/modes", "1920x1080\n1680x1050\n1280x720\n");
  } else {
    put("/sys/class/drm/card1-HDMI-A-1/status", "disconnected\n");
    put("/sys/class/drm/card1-DP-1/status", "disconnected\n");
  }
  if (b == ZCU104) {
    struct xb_spec x = {0x10, 2, NULL, 0};
    put("/etc/vart.conf", "firmware: /run/media/mmcblk0p1/dpu.xclbin\n");
    put_xclbin("/run/media/mmcblk0p1/dpu.xclbin", &x);
    put_xdputil(FP_B4096, 2);
  } else {
    struct xb_spec x = {0x40, 1, NULL, 0};
    put_xclbin(APP_DIR "/" APP ".xclbin", &x);
    put(APP_DIR "/" APP ".bit.bin", "bits");
    put(APP_DIR "/" APP ".dtbo", "dtbo");
    put(APP_DIR "/shell.json", "{\n  \"shell_type\" : \"XRT_FLAT\",\n  \"num_slots\": \"1\"\n}\n");
    put("/lib/firmware/xilinx/k26-starter-kits/shell.json", "{\"shell_type\": \"XRT_FLAT\", \"num_slots\": \"1\"}\n");
    put("/configfs/device-tree/overlays/" APP "_image_1/path", APP ".dtbo");
    put("/etc/vart.conf", "firmware: " APP_DIR "/" APP ".xclbin\n");
    put("/etc/dfx-mgrd/default_firmware", APP "\n");
    put_xdputil(FP_B4096, 1);
  }
}

/* ---------------------------------------------------------------- running and asserting */

static struct pprt_doctor_report g_r;
static const char* const k_noenv[] = {NULL};

/* The doctor's options for the fake tree g_tree, a model folder and an environment (NULL: none). */
static void tree_options(struct pprt_doctor_options* o, const char* model, const char* const* env) {
  pprt_doctor_options_init(o);
  o->root = g_tree;
  o->model_dir = model;
  o->env = env != NULL ? env : k_noenv;
}

static void doctor(const char* model, const char* const* env) {
  struct pprt_doctor_options o;
  tree_options(&o, model, env);
  CU_ASSERT_EQUAL_FATAL(pprt_doctor_run(&o, &g_r), PPRT_STATUS_OK);
}

static const struct pprt_doctor_check* find(const char* name) {
  for (uint32_t i = 0; i < g_r.count; ++i)
    if (strcmp(g_r.checks[i].name, name) == 0) return &g_r.checks[i];
  return NULL;
}

static void dump(void) {
  for (uint32_t i = 0; i < g_r.count; ++i)
    fprintf(stderr, "  %s %s: %s | %s\n", pprt_doctor_verdict_str(g_r.checks[i].verdict), g_r.checks[i].name,
            g_r.checks[i].message, g_r.checks[i].fix);
}

/* The check `name` has verdict v and its message / fix contain each given string (NULL-terminated list). */
static void expect(const char* name, enum pprt_doctor_verdict v, ...) {
  const struct pprt_doctor_check* c = find(name);
  CU_ASSERT_PTR_NOT_NULL(c);
  if (c == NULL) {
    fprintf(stderr, "no check %s\n", name);
    dump();
    return;
  }
  int ok = c->verdict == v;
  va_list ap;
  va_start(ap, v);
  const char* s;
  while ((s = va_arg(ap, const char*)) != NULL)
    if (strstr(c->message, s) == NULL && strstr(c->fix, s) == NULL) {
      fprintf(stderr, "check %s lacks \"%s\"\n", name, s);
      ok = 0;
    }
  va_end(ap);
  CU_ASSERT(ok);
  if (!ok) dump();
}

static const char* small_model(void) { return pprt_test_work("small"); }

/* ---------------------------------------------------------------- the six boards of the issue */

static void test_zcu104_ok(void) {
  make_board("zcu104_ok", ZCU104);
  doctor(small_model(), NULL);
  expect("board", PPRT_DOCTOR_PASS, "ZCU104", NULL);
  expect("zocl", PPRT_DOCTOR_PASS, "zocl 2.13.0", NULL);
  /* a regular file cannot answer DRM_IOCTL_VERSION: sysfs vouches for zocl-drm, with a warning */
  expect("render-node", PPRT_DOCTOR_WARN, "/dev/dri/renderD128", "zocl-drm", NULL);
  expect("pl", PPRT_DOCTOR_PASS, "operating", NULL);
  expect("app", PPRT_DOCTOR_SKIP, NULL);
  expect("xclbin", PPRT_DOCTOR_PASS, "/run/media/mmcblk0p1/dpu.xclbin (from /etc/vart.conf)", "2 DPU cores",
         "DPUCZDX8G:DPUCZDX8G_1", "uuid 10111213-1415-1617-1819-1a1b1c1d1e1f", "kernel clock 600 MHz", NULL);
  expect("dpu", PPRT_DOCTOR_PASS, "2 DPU cores, DPUCZDX8G_ISA1_B4096 (fingerprint 0x0101000016010407, from xdputil",
         "300 MHz", NULL);
  expect("model", PPRT_DOCTOR_PASS, "DPUCZDX8G_ISA1_B4096", NULL);
  expect("fingerprint", PPRT_DOCTOR_PASS, "compiled for DPUCZDX8G_ISA1_B4096", NULL);
  expect("cma", PPRT_DOCTOR_PASS, "MiB free of 512 MiB", NULL);
  expect("cpu", PPRT_DOCTOR_PASS, "4 CPUs, governor performance, 1333 of 1333 MHz", NULL);
  expect("display", PPRT_DOCTOR_PASS, "DP-1 connected (card1), 1920x1080 preferred of 3 modes", NULL);
  CU_ASSERT_EQUAL(g_r.worst, PPRT_DOCTOR_WARN);
  CU_ASSERT_EQUAL(g_r.dpu_cores, 2u);
  CU_ASSERT_EQUAL(g_r.dpu_fingerprint, FP_B4096);
  CU_ASSERT_STRING_EQUAL(g_r.dpu_arch, "DPUCZDX8G_ISA1_B4096");
  CU_ASSERT_STRING_EQUAL(g_r.xclbin, "/run/media/mmcblk0p1/dpu.xclbin");
  CU_ASSERT_EQUAL(g_r.model_fingerprint[0], FP_B4096);
  CU_ASSERT_EQUAL(g_r.model_fingerprint[1], FP_B4096);
  /* jobs: not run below a fake root (VART would read this host) */
  struct pprt_doctor_options o;
  tree_options(&o, small_model(), NULL);
  o.run_jobs = 1;
  CU_ASSERT_EQUAL(pprt_doctor_run(&o, &g_r), PPRT_STATUS_OK);
  expect("jobs", PPRT_DOCTOR_SKIP, "root is not /", NULL);
  /* --dpu-cores above the xclbin's count fails; the CMA estimate scales with it */
  o.run_jobs = 0;
  o.dpu_cores = 3;
  CU_ASSERT_EQUAL(pprt_doctor_run(&o, &g_r), PPRT_STATUS_OK);
  expect("dpu", PPRT_DOCTOR_FAIL, "dpu_cores 3, but the xclbin has 2 DPU cores", "use at most 2 DPU cores", NULL);
  expect("cma", PPRT_DOCTOR_PASS, "3 runners per subgraph need about", NULL);
}

static void test_kv260_without_app(void) {
  make_board("kv260_noapp", KV260);
  rm_tree(tp("/configfs/device-tree/overlays/" APP "_image_1"));
  unlink(tp("/etc/dfx-mgrd/default_firmware"));
  doctor(NULL, NULL);
  expect("board", PPRT_DOCTOR_PASS, "KV260", NULL);
  expect("app", PPRT_DOCTOR_FAIL, "no accelerator app is loaded", "DPU apps in /lib/firmware/xilinx: " APP,
         "default_firmware: (none)", "sudo xmutil loadapp " APP,
         "echo " APP " | sudo tee /etc/dfx-mgrd/default_firmware", NULL);
  CU_ASSERT_EQUAL(g_r.worst, PPRT_DOCTOR_FAIL);
  /* with the app loaded (its overlay in configfs) the KV260 tree is ready */
  make_board("kv260_ok", KV260);
  doctor(small_model(), NULL);
  expect("app", PPRT_DOCTOR_PASS, "active app " APP, "default_firmware: " APP, NULL);
  expect("xclbin", PPRT_DOCTOR_PASS, APP_DIR "/" APP ".xclbin (from /etc/vart.conf)", "1 DPU core", NULL);
  expect("fingerprint", PPRT_DOCTOR_PASS, NULL);
  CU_ASSERT_EQUAL(g_r.worst, PPRT_DOCTOR_WARN);
}

static void test_wrong_xclbin_path(void) {
  /* ZCU104: /etc/vart.conf names the boot partition, which is not mounted: VART's exit(0) */
  make_board("zcu104_nomount", ZCU104);
  unlink(tp("/run/media/mmcblk0p1/dpu.xclbin"));
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "VART 2.5 opens /run/media/mmcblk0p1/dpu.xclbin (from /etc/vart.conf)",
         "does not exist", "exit(0)", "sudo mount /dev/mmcblk0p1 /run/media/mmcblk0p1", NULL);
  expect("dpu", PPRT_DOCTOR_SKIP, NULL);
  /* KV260: vart.conf still names the default location while the app holds another design (issue 1068's image) */
  make_board("kv260_wrong_xclbin", KV260);
  struct xb_spec other = {0x77, 1, NULL, 0};
  put_xclbin("/usr/lib/dpu.xclbin", &other);
  put("/etc/vart.conf", "# written by hand\n");
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "VART opens /usr/lib/dpu.xclbin (from VART's default: /etc/vart.conf has no "
                                     "firmware: line)",
         "the loaded app " APP " has " APP_DIR "/" APP ".xclbin", "echo 'firmware: " APP_DIR "/" APP ".xclbin'",
         NULL);
  /* XLNX_VART_FIRMWARE wins over /etc/vart.conf */
  const char* const env[] = {"XLNX_VART_FIRMWARE=" APP_DIR "/" APP ".xclbin", NULL};
  doctor(NULL, env);
  expect("xclbin", PPRT_DOCTOR_PASS, "(from XLNX_VART_FIRMWARE)", NULL);
}

static void test_fingerprint_mismatch(void) {
  /* the DPU's fingerprint as VART reads it: "<cu full name>.fingerprint" (decimal) overrides the register */
  make_board("zcu104_fp", ZCU104);
  unlink(tp("/usr/bin/xdputil"));
  char v[96];
  snprintf(v, sizeof v, "DPUCZDX8G:DPUCZDX8G_1.fingerprint=%llu", (unsigned long long)FP_B3136);
  const char* const env[] = {v, NULL};
  doctor(small_model(), env);
  expect("dpu", PPRT_DOCTOR_PASS, "DPUCZDX8G_ISA1_B3136", "from environment DPUCZDX8G:DPUCZDX8G_1.fingerprint", NULL);
  expect("fingerprint", PPRT_DOCTOR_FAIL,
         "was compiled for DPUCZDX8G_ISA1_B4096 (0x0101000016010407), the DPU is DPUCZDX8G_ISA1_B3136 "
         "(0x0101000016010406)", "fingerprint check failure", "use the model compiled for DPUCZDX8G_ISA1_B3136", NULL);
  CU_ASSERT_EQUAL(g_r.worst, PPRT_DOCTOR_FAIL);
  /* VART parses the variable with std::stoul (base 10): "0x..." reads as 0, which turns its check off */
  const char* const hex[] = {"DPUCZDX8G:DPUCZDX8G_1.fingerprint=0x101000016010406", NULL};
  doctor(small_model(), hex);
  expect("dpu", PPRT_DOCTOR_WARN, "fingerprint 0", "skips its fingerprint check", NULL);
  const char* const junk[] = {"DPUCZDX8G:DPUCZDX8G_1.fingerprint=B3136", NULL};
  doctor(small_model(), junk);
  expect("dpu", PPRT_DOCTOR_FAIL, "not a decimal number", "std::stoul throws", NULL);
  /* no xdputil, no variable: unknown, said so, not compared */
  doctor(small_model(), NULL);
  expect("dpu", PPRT_DOCTOR_WARN, "fingerprint is unknown", "xdputil", NULL);
  expect("fingerprint", PPRT_DOCTOR_SKIP, "not compared", NULL);
  /* a model without dpu_fingerprint (the demo model): VART would not check it either */
  put_xdputil(FP_B4096, 2);
  doctor(pprt_test_data("demo-model"), NULL);
  expect("fingerprint", PPRT_DOCTOR_WARN, "has no dpu_fingerprint", NULL);
}

static int as_nobody(void) {
  /* drop root so permission bits count; 0 = the node was reported unopenable */
  struct passwd* pw = getpwnam("nobody");
  uid_t uid = pw != NULL ? pw->pw_uid : 65534;
  gid_t gid = pw != NULL ? pw->pw_gid : 65534;
  if (geteuid() == 0 && (setgid(gid) != 0 || setuid(uid) != 0)) return 2;
  doctor(NULL, NULL);
  const struct pprt_doctor_check* c = find("render-node");
  return c != NULL && c->verdict == PPRT_DOCTOR_FAIL && strstr(c->message, "cannot be opened") != NULL &&
                 strstr(c->message, "Permission denied") != NULL && strstr(c->fix, "usermod") != NULL
             ? 0
             : 1;
}

static void test_unreadable_render_node(void) {
  make_board("zcu104_noaccess", ZCU104);
  chmod(tp("/dev/dri/renderD128"), 0600);
  /* nobody must reach the node through the tree */
  char p[1400];
  snprintf(p, sizeof p, "%s", g_tree);
  for (char* s = p + strlen(PPRT_TEST_WORK_DIR); s != NULL; s = strchr(s + 1, '/')) {
    char c = *s;
    *s = '\0';
    chmod(p, 0755);
    *s = c;
  }
  chmod(g_tree, 0755);
  char* dirs[] = {(char*)"chmod", (char*)"-R", (char*)"a+rX", g_tree, NULL};
  char out[256];
  pprt_test_run(dirs, out, sizeof out);
  chmod(tp("/dev/dri/renderD128"), 0600);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) _exit(as_nobody());
  int st = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
  CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* a missing node is another failure */
  unlink(tp("/dev/dri/renderD128"));
  doctor(NULL, NULL);
  expect("render-node", PPRT_DOCTOR_FAIL, "/dev/dri/renderD128 does not exist", NULL);
  /* XRT picks the node through /dev/dri/by-path: renderD129 there, renderD128 gone */
  put("/dev/dri/renderD129", "");
  link_to("/dev/dri/by-path/platform-axi:zyxclmm_drm-render", "../renderD129");
  link_to("/sys/class/drm/renderD129/device/driver", "../../../../bus/platform/drivers/zocl-drm");
  doctor(NULL, NULL);
  expect("render-node", PPRT_DOCTOR_WARN, "/dev/dri/renderD129", NULL);
  /* no zocl module */
  rm_tree(tp("/sys/module/zocl"));
  doctor(NULL, NULL);
  expect("zocl", PPRT_DOCTOR_FAIL, "zocl (XRT's Zynq driver) is not loaded", "the_factory_methods", NULL);
}

static void test_b3136_firmware_b4096_model(void) {
  /* the 2022.1 "benchmark-b4096" KV260 firmware reports a B3136 (kria-apps-firmware issue 5) */
  make_board("kv260_b3136", KV260);
  put_xdputil(FP_B3136, 1);
  doctor(small_model(), NULL);
  expect("app", PPRT_DOCTOR_PASS, APP, NULL);
  expect("dpu", PPRT_DOCTOR_PASS, "1 DPU core, DPUCZDX8G_ISA1_B3136 (fingerprint 0x0101000016010406, from xdputil",
         NULL);
  expect("fingerprint", PPRT_DOCTOR_FAIL, "DPUCZDX8G_ISA1_B4096", "the DPU is DPUCZDX8G_ISA1_B3136",
         "Vitis AI issue 276", NULL);
  CU_ASSERT_EQUAL(g_r.worst, PPRT_DOCTOR_FAIL);
  /* xdputil that aborts (as VART does on a bad board) is reported, not suffered */
  put("/usr/bin/xdputil", "#!/bin/sh\necho 'F1202 dpu_controller.cpp:44] Check failed: !the_factory_methods.empty()' >&2\n"
                          "kill -ABRT $$\n");
  chmod(tp("/usr/bin/xdputil"), 0755);
  doctor(small_model(), NULL);
  expect("dpu", PPRT_DOCTOR_WARN, "killed by a signal", "the_factory_methods", NULL);
}

/* ---------------------------------------------------------------- VART's /etc/vart.conf reading, pinned */

static void conf_case(const char* text, enum pprt_doctor_verdict v, const char* want) {
  put("/etc/vart.conf", text);
  doctor(NULL, NULL);
  expect("xclbin", v, want, NULL);
}

static void test_vart_conf_rules(void) {
  make_board("vartconf", ZCU104);
  struct xb_spec x = {0x20, 1, NULL, 0};
  put_xclbin("/opt/x.xclbin", &x);
  put_xclbin("/usr/lib/dpu.xclbin", &x);
  conf_case("  firmware :   /opt/x.xclbin   # the DPU\n", PPRT_DOCTOR_PASS, "/opt/x.xclbin (from /etc/vart.conf)");
  conf_case("firmware: /opt/x.xclbin#no space\n", PPRT_DOCTOR_PASS, "/opt/x.xclbin (from /etc/vart.conf)");
  /* std::regex '.' does not match '\r': a CRLF line is ignored and VART takes the default */
  conf_case("firmware: /opt/x.xclbin\r\n", PPRT_DOCTOR_PASS, "/usr/lib/dpu.xclbin (from VART's default");
  /* a tab before the key makes the key "\tfirmware": not firmware */
  conf_case("\tfirmware: /opt/x.xclbin\n", PPRT_DOCTOR_PASS, "/usr/lib/dpu.xclbin (from VART's default");
  conf_case("firmware: /opt/x.xclbin\nfirmware: /opt/y.xclbin\n", PPRT_DOCTOR_FAIL, "is redefined!");
  conf_case("firmware_path: /opt/x.xclbin\n", PPRT_DOCTOR_FAIL, "cannot find config");
  conf_case("firmware:\n", PPRT_DOCTOR_FAIL, "has no value");
  conf_case("firmware: /opt/x.xclbin\t\n", PPRT_DOCTOR_FAIL, "more than one word");
  conf_case("firmware: /opt/my dpu.xclbin\n", PPRT_DOCTOR_FAIL, "more than one word");
  conf_case("firmware: opt/x.xclbin\n", PPRT_DOCTOR_FAIL, "relative path");
  conf_case("", PPRT_DOCTOR_PASS, "/usr/lib/dpu.xclbin (from VART's default: no /etc/vart.conf)");
  /* XLNX_VART_FIRMWARE set but empty: VART ignores it */
  put("/etc/vart.conf", "firmware: /opt/x.xclbin\n");
  const char* const empty[] = {"XLNX_VART_FIRMWARE=", NULL};
  doctor(NULL, empty);
  expect("xclbin", PPRT_DOCTOR_PASS, "(from /etc/vart.conf)", NULL);
}

/* ---------------------------------------------------------------- xclbin contents */

static void test_xclbin_contents(void) {
  make_board("xclbins", ZCU104);
  const char* rel = "/run/media/mmcblk0p1/dpu.xclbin";
  put(rel, "");
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "is empty", "must not empty file", NULL);
  put(rel, "PK\003\004 this is a zip file, not an xclbin ......................................................");
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "not \"xclbin2\"", NULL);
  static unsigned char buf[8192];
  struct xb_spec x = {0x30, 2, NULL, 0};
  size_t n = make_xclbin(&x, buf, sizeof buf);
  put_bytes(rel, buf, n - 100); /* cut off */
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "truncated", NULL);
  struct xb_spec nolayout = {0x30, 2, NULL, 1};
  put_xclbin(rel, &nolayout);
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "no IP_LAYOUT section", NULL);
  struct xb_spec nodpu = {0x30, 0, NULL, 0};
  put_xclbin(rel, &nodpu);
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "1 compute units and none is a DPU", "no dpu cu detected", NULL);
  struct xb_spec lower = {0x30, 1, "dpu_xrt_top", 0};
  put_xclbin(rel, &lower);
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_PASS, "dpu_xrt_top:dpu_xrt_top_1", NULL);
  struct xb_spec cloud = {0x30, 1, "DPUCAHX8H", 0};
  put_xclbin(rel, &cloud);
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "not a DPUCZDX8G", NULL);
  /* a section pointing past the end */
  n = make_xclbin(&x, buf, sizeof buf);
  ((struct axlf*)buf)->m_sections[1].m_sectionOffset = 1u << 30;
  put_bytes(rel, buf, n);
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_FAIL, "lies outside the file", NULL);
  /* zocl holds another xclbin now (its sysfs xclbinid, "<slot> <uuid>") */
  put_xclbin(rel, &x);
  put("/sys/class/drm/renderD128/device/xclbinid", "0 30313233-3435-3637-3839-3a3b3c3d3e3f\n");
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_PASS, "zocl has it loaded", NULL);
  put("/sys/class/drm/renderD128/device/xclbinid", "0 00000000-0000-0000-0000-000000000001\n");
  doctor(NULL, NULL);
  expect("xclbin", PPRT_DOCTOR_WARN, "zocl holds xclbin 00000000-0000-0000-0000-000000000001", NULL);
  /* the reader alone: DPU CUs in base-address order, clocks */
  struct pprt_xclbin_info info;
  struct pprt_err err;
  CU_ASSERT_EQUAL(pprt_xclbin_read(tp(rel), &info, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(info.num_kernels, 3u);
  CU_ASSERT_EQUAL(info.num_dpu, 2u);
  CU_ASSERT_STRING_EQUAL(info.dpu_cu[0], "DPUCZDX8G:DPUCZDX8G_1");
  CU_ASSERT_STRING_EQUAL(info.dpu_cu[1], "DPUCZDX8G:DPUCZDX8G_2");
  CU_ASSERT_EQUAL(info.kernel_clock_mhz, 600u);
  CU_ASSERT_EQUAL(info.data_clock_mhz, 300u);
  CU_ASSERT_STRING_EQUAL(info.platform, "xilinx_zcu104_base_202210_1");
}

static void test_cma_and_cpu(void) {
  make_board("cma", ZCU104);
  put("/proc/meminfo", "MemTotal: 2023456 kB\nCmaTotal: 16384 kB\nCmaFree: 8 kB\n");
  put("/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor", "ondemand\n");
  doctor(small_model(), NULL);
  expect("cma", PPRT_DOCTOR_FAIL, "1 runner per subgraph need about", "0.0 MiB free of 16 MiB", "cma=1024M", NULL);
  expect("cpu", PPRT_DOCTOR_WARN, "cpu2 ondemand", "scaling_governor", NULL);
  put("/proc/meminfo", "MemTotal: 2023456 kB\n");
  doctor(NULL, NULL);
  expect("cma", PPRT_DOCTOR_FAIL, "no CMA", NULL);
}

/* ---------------------------------------------------------------- fingerprint names, preflight, the job child */

static void test_fingerprint_names(void) {
  char b[64];
  pprt_dpu_fingerprint_name(FP_B4096, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "DPUCZDX8G_ISA1_B4096");
  pprt_dpu_fingerprint_name(FP_B3136, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "DPUCZDX8G_ISA1_B3136");
  /* the other Zynq UltraScale+ sizes of the 2.5 target list: feature codes 0x16010200 .. 0x16010405 */
  const struct {
    uint64_t fp;
    const char* name;
  } t[] = {{0x0101000016010200ULL, "DPUCZDX8G_ISA1_B512"},  {0x0101000016010201ULL, "DPUCZDX8G_ISA1_B800"},
           {0x0101000016010402ULL, "DPUCZDX8G_ISA1_B1024"}, {0x0101000016010203ULL, "DPUCZDX8G_ISA1_B1152"},
           {0x0101000016010404ULL, "DPUCZDX8G_ISA1_B1600"}, {0x0101000016010405ULL, "DPUCZDX8G_ISA1_B2304"},
           {0, "unknown"}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i) {
    pprt_dpu_fingerprint_name(t[i].fp, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, t[i].name);
  }
}

static void test_preflight(void) {
  struct pprt_err err;
  make_board("preflight", KV260);
  const char* const none[] = {NULL};
  CU_ASSERT_EQUAL(pprt_dpu_preflight_at(g_tree, none, NULL, &err), PPRT_STATUS_OK);
  rm_tree(tp("/configfs/device-tree/overlays/" APP "_image_1"));
  CU_ASSERT_EQUAL(pprt_dpu_preflight_at(g_tree, none, NULL, &err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no DPU found: app: no accelerator app is loaded"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Fix: sudo xmutil listapps"));
  /* this host has no zocl: the runtime's DPU runner says why instead of letting VART abort */
  if (getenv("PPRT_TEST_HAVE_DPU") == NULL) {
    CU_ASSERT_EQUAL(pprt_dpu_preflight(NULL, &err), PPRT_STATUS_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no DPU found: zocl"));
  }
}

static void jobs_with(const char* lib) {
  struct pprt_doctor_options o;
  tree_options(&o, small_model(), NULL);
  o.run_jobs = 1;
  o.job_runner_lib = lib;
  o.timeout_ms = 120000;
  CU_ASSERT_EQUAL(pprt_doctor_run(&o, &g_r), PPRT_STATUS_OK);
}

static void test_jobs_in_a_child(void) {
  make_board("jobs", ZCU104);
  jobs_with("libvart-dummy-runner.so");
  expect("jobs", PPRT_DOCTOR_PASS, "one job per subgraph ran (libvart-dummy-runner.so)", NULL);
  jobs_with(PPRT_TEST_ABORT_RUNNER);
  expect("jobs", PPRT_DOCTOR_FAIL, "killed by signal 6", "VART aborted", "fake DPU runner: aborting", NULL);
  jobs_with(PPRT_TEST_EXIT_RUNNER);
  expect("jobs", PPRT_DOCTOR_FAIL, "exited with status", "before finishing", "fake DPU runner: exit(0)", NULL);
  jobs_with("libdoesnotexist.so");
  expect("jobs", PPRT_DOCTOR_FAIL, "subgraph 0 runner library libdoesnotexist.so cannot be loaded", NULL);
}

/* ---------------------------------------------------------------- the command */

static void test_cli(void) {
  make_board("cli_kv260", KV260);
  char out[65536];
  char* ok[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"doctor", (char*)"--root", g_tree, (char*)"--model",
                (char*)small_model(), (char*)"--no-jobs", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(ok, out, sizeof out), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "PASS  app          active app " APP));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "ready: 0 failed"));
  rm_tree(tp("/configfs/device-tree/overlays/" APP "_image_1"));
  char* bad[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"doctor", (char*)"--root", g_tree, (char*)"--json", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad, out, sizeof out), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"verdict\": \"FAIL\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"name\": \"app\", \"verdict\": \"FAIL\", \"message\": \"no accelerator app"));
  char* usage[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"doctor", (char*)"--dpu-cores", (char*)"0", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(usage, out, sizeof out), 2);
  char* noroot[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"doctor", (char*)"--root", (char*)"/nonexistent/board", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(noroot, out, sizeof out), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "root is not a folder"));
  /* pprt bench reports the DPU as pprt doctor sees it (this host's own files: no --root for bench) */
  char* bench[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"bench", (char*)"--model", (char*)small_model(),
                   (char*)pprt_test_data("sim/sim_8.pcd.bin"), (char*)"--runner", (char*)"dummy", (char*)"--frames",
                   (char*)"1", (char*)"--warmup", (char*)"0", (char*)"--mode", (char*)"latency", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bench, out, sizeof out), 0);
  struct stat zst;
  if (stat("/sys/module/zocl", &zst) != 0) {
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "DPU device: none on this host (pprt doctor: zocl: zocl (XRT's Zynq driver) is not "
                                       "loaded"));
  } else {
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "DPU device (pprt doctor, without its job check"));
  }
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nCPU: "));
  CU_ASSERT_PTR_NULL(strstr(out, "no zocl device")); /* the probe's old words */
  char* bench_json[] = {(char*)PPRT_TEST_PPRT_EXE, (char*)"bench", (char*)"--model", (char*)small_model(),
                        (char*)pprt_test_data("sim/sim_8.pcd.bin"), (char*)"--runner", (char*)"dummy", (char*)"--frames",
                        (char*)"1", (char*)"--warmup", (char*)"0", (char*)"--mode", (char*)"latency", (char*)"--json", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bench_json, out, sizeof out), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"dpu\": {\"doctor\": {\"worst\": \""));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"zocl\": \""));
}

/* The display line (pprt run --display): connected with its preferred mode, held by a desktop, none connected, no
 * connectors at all, a monitor without modes. Each is the verdict and words a user acts on. */
static void test_display(void) {
  make_board("display", ZCU104);
  put("/proc/1/comm", "systemd\n");
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_PASS, "DP-1 connected (card1), 1920x1080 preferred of 3 modes",
         "the live display output (KMS) can use it", NULL);
  put("/proc/812/comm", "Xorg\n");
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_WARN, "DP-1 connected", "Xorg (pid 812) holds it", "stop the desktop first", NULL);
  put("/proc/812/comm", "bash\n");
  put("/sys/class/drm/card1-DP-1/modes", "");
  put("/sys/class/drm/card1-HDMI-A-1/status", "disconnected\n");
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_PASS, "DP-1 connected (card1), no modes read", "HDMI-A-1 disconnected", NULL);
  put("/sys/class/drm/card1-DP-1/status", "disconnected\n");
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_WARN, "no display connected (DP-1 disconnected, HDMI-A-1 disconnected)",
         "plug a monitor into the DisplayPort", NULL);
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", tp("/sys/class/drm/card1-DP-1"), tp("/sys/class/drm/card1-HDMI-A-1"));
  CU_ASSERT_EQUAL(system(cmd), 0);
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_WARN, "no display connector in /sys/class/drm", "zynqmp-dpsub", NULL);
  /* the KV260 board tree: nothing plugged in */
  make_board("display_kv260", KV260);
  doctor(NULL, NULL);
  expect("display", PPRT_DOCTOR_WARN, "no display connected (DP-1 disconnected, HDMI-A-1 disconnected)", NULL);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"ZCU104 ready", test_zcu104_ok},
      {"KV260 without an app", test_kv260_without_app},
      {"wrong xclbin path", test_wrong_xclbin_path},
      {"fingerprint mismatch", test_fingerprint_mismatch},
      {"unreadable render node", test_unreadable_render_node},
      {"B3136 firmware with a B4096 model", test_b3136_firmware_b4096_model},
      {"/etc/vart.conf as VART reads it", test_vart_conf_rules},
      {"xclbin contents", test_xclbin_contents},
      {"CMA and CPU", test_cma_and_cpu},
      {"display", test_display},
      {"fingerprint names", test_fingerprint_names},
      {"preflight", test_preflight},
      {"jobs in a child", test_jobs_in_a_child},
      {"pprt doctor command", test_cli},
      {NULL, NULL}};
  return pprt_test_main("doctor", cases);
}

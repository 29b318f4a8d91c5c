// pprt-genmodel: write a synthetic PointPillars model pair in the compiled Vitis AI Library layout.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <xir/graph/graph.hpp>

#include "pprt/xmodel.hpp"
#include "genmodel.hpp"

namespace {

const char kUsage[] =
    "usage: pprt-genmodel --size small|full --out DIR [--family nuscenes|kitti] [--seed N] [--name0 NAME]\n"
    "                     [--name1 NAME] [--dpu-count N] [--weights FILE] [--cls-bias X]\n"
    "                     [--form pprt|compiled|quantized]\n"
    "\n"
    "Writes DIR/<name0>/<name0>.xmodel + .prototxt (pillar feature net) and DIR/<name1>/<name1>.xmodel +\n"
    ".prototxt (backbone, neck and head): int8 PointPillars nuScenes graphs with seeded random weights, laid out\n"
    "like vai_c_xir output (a USER child with the input, one DPU child with every compute and const-fix op).\n"
    "The prototxt is Vitis AI 2.5's schema; a grid other than VAI-L's fixed one also gets <name>.pprt.\n"
    "\n"
    "  --size small|full  full: the Model Zoo's pt_pointpillars_nuscenes_40000_64_108G architecture (40000\n"
    "                     pillars x 64 points, 400x400 canvas, SECOND [64, 256, 256], 200x200 heads, 108 G-op);\n"
    "                     small: 12000 x 32, 256x256 canvas, 128x128 heads (a few MB, for tests)\n"
    "  --out DIR          output directory (created if missing)\n"
    "  --family F         nuscenes (default) or kitti: the KITTI PointPillars of the Vitis AI Library's\n"
    "                     `pointpillars` (second.pytorch; docs/KITTI.md), a Model Zoo pair: <name0>.prototxt is\n"
    "                     PointPillarsKittiParam (model_type POINTPILLARS) and folder 0 also gets\n"
    "                     <name0>_officialcfg.prototxt (voxel generator, anchors, NMS), which VAI-L reads. full:\n"
    "                     pt_pointpillars_kitti_12000_100_10.8G (12000 x 100, 432 x 496 canvas, 216 x 248\n"
    "                     heads); small: 6000 x 32, 256 x 256 canvas of 0.16 m, 128 x 128 heads. Default names\n"
    "                     pointpillars_kitti_12000_{0,1}_pt (full), pointpillars_kitti_small_{0,1}_pt (small)\n"
    "  --seed N           weight seed (default 1); the same seed gives the same weights\n"
    "  --name0, --name1   folder / model names (default pointpillars_nuscenes_40000_64_{0,1}_pt for full,\n"
    "                     pointpillars_nuscenes_small_{0,1}_pt for small)\n"
    "  --dpu-count N      test hook: 1 (default) is a valid model; 0 puts the compute ops in a CPU child (no DPU\n"
    "                     child); 2 splits them into two DPU children\n"
    "  --weights FILE     trained int8 weights, biases and fix points (tools/train's export) instead of seeded\n"
    "                     random ones; the file may set the widths (pfn channels, stages) of the size's graph\n"
    "  --cls-bias X       mean of the cls head's bias as a logit (default -4.5); higher gives more anchors above a\n"
    "                     score threshold (random weights score low: -4.5 keeps every score of the full model < 0.3)\n"
    "  --form F           pprt (default): every const-fix op holds its data; compiled: vai_c_xir's layout (upload\n"
    "                     and download ops at the DPU subgraph's edges, const-fix ops with empty data, the weights in\n"
    "                     the subgraph attribute reg_id_to_parameter_value REG_0 at each tensor's ddr_addr, the\n"
    "                     subgraph attributes dpu_fingerprint, reg_id_to_size, ...); no DPU instructions (mc_code):\n"
    "                     CPU runners only; quantized: the quantizer's *_int.xmodel layout (float const + fix,\n"
    "                     conv2d (+ relu) + fix, reduction_max + fix, concat + fix; no subgraphs)\n"
    "  --from-graph G     (--family kitti) the pair of a one-file KITTI graph in the quantizer's form (e.g. Xilinx's\n"
    "                     VoxelNet_int.xmodel): its ops and weights cut at the PPScatterV2 scatter, with the\n"
    "                     configuration of Xilinx's example (--size full's); --size may be left out\n"
    "  --canvas-fp-shift N  test hook: DPU1's input fix point = DPU0's output fix point + N (-7..7; default 0)\n"
    "  --quiet            print only the summary lines\n"
    "  --help             this text\n";

int usage_error(const char* fmt, const char* arg) {
  std::fprintf(stderr, "pprt-genmodel: ");
  std::fprintf(stderr, fmt, arg);
  std::fprintf(stderr, "\nTry 'pprt-genmodel --help'.\n");
  return 2;
}

bool parse_u64(const char* s, unsigned long long* out) {
  if (!*s || *s == '-' || *s == '+') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

bool valid_name(const std::string& n) {
  if (n.empty() || n == "." || n == ".." || n.size() > 200) return false;
  for (char c : n)
    if (c == '/' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

// mkdir -p; returns an empty string or an error message.
std::string make_dirs(const std::string& path) {
  std::string cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur = path.substr(0, j);
    i = j + 1;
    if (cur.empty()) continue;
    struct stat st;
    if (stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return cur + " exists and is not a directory";
      continue;
    }
    if (mkdir(cur.c_str(), 0777) != 0 && errno != EEXIST) return "cannot create " + cur + ": " + std::strerror(errno);
  }
  return "";
}

// Open the file for writing once so XIR never meets an unwritable path (it aborts instead of failing).
std::string check_writable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  std::fclose(f);
  return "";
}

std::string write_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) return "cannot write " + path + ": " + std::strerror(errno);
  return "";
}

long file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string size, out, name[2], weights, family = "nuscenes", from_graph;
  double cls_bias = -4.5;
  long canvas_shift = 0;
  std::string form = "pprt";
  unsigned long long seed = 1, dpu_count = 1;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--quiet") {
      quiet = true;
      continue;
    }
    const bool takes_value = a == "--size" || a == "--out" || a == "--seed" || a == "--name0" || a == "--name1" ||
                             a == "--dpu-count" || a == "--weights" || a == "--cls-bias" ||
                             a == "--form" || a == "--family" || a == "--canvas-fp-shift" ||
                             a == "--from-graph";
    if (!takes_value) return usage_error("unknown argument '%s'", argv[i]);
    if (i + 1 >= argc) return usage_error("%s needs a value", argv[i]);
    const char* v = argv[++i];
    if (a == "--size") {
      size = v;
      if (size != "small" && size != "full") return usage_error("--size must be small or full, not '%s'", v);
    } else if (a == "--out") {
      out = v;
      if (out.empty()) return usage_error("--out needs a directory%s", "");
    } else if (a == "--seed") {
      if (!parse_u64(v, &seed)) return usage_error("--seed needs a non-negative integer, not '%s'", v);
    } else if (a == "--canvas-fp-shift") {
      char* end = nullptr;
      errno = 0;
      canvas_shift = std::strtol(v, &end, 10);
      if (errno || end == v || *end || canvas_shift < -7 || canvas_shift > 7)
        return usage_error("--canvas-fp-shift needs an integer in [-7, 7], not '%s'", v);
    } else if (a == "--from-graph") {
      from_graph = v;
    } else if (a == "--family") {
      family = v;
      if (family != "nuscenes" && family != "kitti") return usage_error("--family must be nuscenes or kitti, not '%s'", v);
    } else if (a == "--weights") {
      weights = v;
    } else if (a == "--form") {
      form = v;
      if (form != "pprt" && form != "compiled" && form != "quantized")
        return usage_error("--form must be pprt, compiled or quantized, not '%s'", v);
    } else if (a == "--cls-bias") {
      char* end = nullptr;
      errno = 0;
      cls_bias = std::strtod(v, &end);
      if (errno || end == v || *end || !(cls_bias >= -20.0 && cls_bias <= 20.0))
        return usage_error("--cls-bias needs a number in [-20, 20], not '%s'", v);
    } else if (a == "--dpu-count") {
      if (!parse_u64(v, &dpu_count) || dpu_count > 2) return usage_error("--dpu-count must be 0, 1 or 2, not '%s'", v);
    } else {
      if (!valid_name(v)) return usage_error("invalid model name '%s' (non-empty, no '/', at most 200 chars)", v);
      name[a == "--name0" ? 0 : 1] = v;
    }
  }
  if (!from_graph.empty()) {
    if (family != "kitti") return usage_error("--from-graph needs --family kitti%s", "");
    if (size.empty()) size = "full";
    if (size != "full") return usage_error("--from-graph writes Xilinx's configuration (--size full), not '%s'",
                                           size.c_str());
    if (form != "pprt") return usage_error("--from-graph keeps the graph's form; --form does not apply%s", "");
  }
  if (size.empty()) return usage_error("--size is required%s", "");
  if (out.empty()) return usage_error("--out is required%s", "");
  const bool kitti = family == "kitti";
  for (int k = 0; k < 2; ++k)
    if (name[k].empty())
      name[k] = std::string(kitti ? "pointpillars_kitti_" : "pointpillars_nuscenes_") +
                (size == "full" ? (kitti ? "12000_" : "40000_64_") : "small_") + std::to_string(k) + "_pt";
  if (kitti && !weights.empty()) return usage_error("--weights is for the nuScenes family%s", "");
  if (name[0] == name[1]) return usage_error("--name0 and --name1 must differ (both '%s')", name[0].c_str());

  // Create and probe every output path before XIR touches the disk.
  std::string paths[2][2];
  for (int k = 0; k < 2; ++k) {
    const std::string dir = out + "/" + name[k];
    std::string err = make_dirs(dir);
    if (err.empty()) err = check_writable(dir + "/" + name[k] + ".xmodel");
    if (err.empty()) err = check_writable(dir + "/" + name[k] + ".prototxt");
    if (!err.empty()) {
      std::fprintf(stderr, "pprt-genmodel: %s\n", err.c_str());
      return 1;
    }
    paths[k][0] = dir + "/" + name[k] + ".xmodel";
    paths[k][1] = dir + "/" + name[k] + ".prototxt";
  }

  try {
    pprt_gen::model_spec spec = pprt_gen::spec_for(size, family);
    spec.cls_bias = cls_bias;
    spec.canvas_fp_shift = static_cast<int>(canvas_shift);
    spec.form = form;
    pprt_gen::trained_weights tw;
    if (!weights.empty()) pprt_gen::load_weights(weights, &spec, &tw);
    std::unique_ptr<xir::Graph> halves[2];
    if (!from_graph.empty()) {
      struct stat fst;
      if (stat(from_graph.c_str(), &fst) != 0 || !S_ISREG(fst.st_mode))  // XIR aborts on a missing file
        throw std::runtime_error("cannot read " + from_graph);
      // XIR aborts on a file it cannot parse: pprt's validator, then XIR in a child first (pprt/xmodel.hpp), so a
      // bad file is a message naming the offset.
      std::string why;
      std::unique_ptr<xir::Graph> src = pprt::xmodel::read(from_graph, &why);
      if (!src) throw std::runtime_error(why);
      pprt_gen::split_kitti_graph(src.get(), &halves[0], &halves[1]);
    }
    for (int k = 0; k < 2; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      pprt_gen::subgraph_report rep;
      std::unique_ptr<xir::Graph> g;
      if (halves[k]) {
        g = std::move(halves[k]);
        for (const xir::Op* op : g->get_ops()) {
          const std::string t = op->get_type();
          if (t == "const") ++rep.const_ops;
          else if (t != "fix" && t != "data") ++rep.compute_ops;
        }
      } else {
        g = pprt_gen::build_graph(spec, k, seed, static_cast<int>(dpu_count), &rep, weights.empty() ? nullptr : &tw);
      }
      g->serialize(paths[k][0]);
      std::string err = write_text(paths[k][1], kitti ? pprt_gen::kitti_prototxt_text(spec, name[k])
                                                      : pprt_gen::prototxt_text(spec, name[k]));
      // pprt's settings file next to the prototxt: only for a nuScenes grid VAI-L does not have (a stale one is
      // removed). KITTI: the second.pytorch configuration beside subgraph 0's xmodel.
      const std::string settings = out + "/" + name[k] + "/" + name[k] + ".pprt";
      const bool want_settings = !kitti && !pprt_gen::uses_vail_grid(spec);
      if (err.empty() && want_settings) err = write_text(settings, pprt_gen::settings_text(spec));
      if (err.empty() && !want_settings && unlink(settings.c_str()) != 0 && errno != ENOENT)
        err = "cannot remove " + settings + ": " + std::strerror(errno);
      if (err.empty() && kitti && k == 0)
        err = write_text(out + "/" + name[0] + "/" + name[0] + "_officialcfg.prototxt",
                         pprt_gen::kitti_officialcfg_text(spec));
      if (!err.empty()) {
        std::fprintf(stderr, "pprt-genmodel: %s\n", err.c_str());
        return 1;
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!from_graph.empty()) {
        std::printf("%s: %zu compute ops, %zu const ops of %s, xmodel %.2f MB, %.0f ms\n", name[k].c_str(),
                    rep.compute_ops, rep.const_ops, from_graph.c_str(), file_size(paths[k][0]) / 1e6, ms);
        continue;
      }
      if (!quiet)
        for (const auto& l : rep.lines) std::printf("  %s\n", l.c_str());
      std::printf("%s: %zu compute ops, %zu const-fix ops, %.1f KB int8 weights, %.3f G ops/frame (2 x MACs), "
                  "xmodel %.2f MB, %.0f ms\n",
                  name[k].c_str(), rep.compute_ops, rep.const_ops, rep.weight_bytes / 1e3, 2.0 * rep.macs / 1e9,
                  file_size(paths[k][0]) / 1e6, ms);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pprt-genmodel: %s\n", e.what());
    return 1;
  }
  return 0;
}

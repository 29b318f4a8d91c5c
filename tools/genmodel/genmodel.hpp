// pprt-genmodel: writes a synthetic PointPillars model pair (two xmodels + prototxts) in the layout of the
// compiled Vitis AI Library models (USER child with the input, DPU child with every compute and const op).
#ifndef PPRT_GENMODEL_HPP
#define PPRT_GENMODEL_HPP

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xir {
class Graph;
}

namespace pprt_gen {

// One backbone stage (mmdet3d SECOND): a stride-s 3x3 conv, then `extra_convs` stride-1 3x3 convs, all RELU;
// then one transposed conv of the neck (mmdet3d SECONDFPN) bringing it to the head resolution.
struct stage_spec {
  int extra_convs;
  int channels;
  int stride;
  int up_stride;    // deconv kernel = stride = up_stride (1: a 1x1 stride-1 deconv)
  int up_channels;
};

struct model_spec {
  std::string family = "nuscenes";  // "nuscenes" (mmdet3d, PointPillarsNusParam) / "kitti" (second.pytorch, docs/KITTI.md)
  std::string size_name;  // "small" / "full"
  int input_fp = 7;       // DPU0 input fix point (nuScenes: normalised features in [-1, 1); KITTI: 6, Xilinx's)
  int canvas_fp_shift = 0;  // test hook: DPU1's input fix point minus DPU0's output fix point (0: a plain copy)
  // subgraph 0
  int pillars, slots, features, pfn_channels;
  // subgraph 1
  int canvas_h, canvas_w;
  std::vector<stage_spec> stages;
  int anchors, classes, box_code;  // 14, 10, 9
  double cls_bias = -4.5;
  std::string form = "pprt";  // "pprt" (const-fix data in the ops), "compiled" (vai_c_xir's), "quantized" (vai_q's)          // mean of the cls head's bias, a logit (-4.5: ~1 % of anchors above 0.5 or so)
  // prototxt / settings file: the voxel grid (range and size), which is also the prototxt's point_cloud_range
  double point_cloud_range[6];
  double voxel_size[3];
  double anchor_xy[4];  // x_min, y_min, x_max, y_max of anchor centres
};

// "small" or "full" of family "nuscenes" or "kitti"; throws std::invalid_argument otherwise. KITTI full is Xilinx's
// pt_pointpillars_kitti_12000_100_10.8G (12000 x 100 x 4, 432 x 496 canvas, RPN [32, 32, 64] upsampled to 3 x 64, 216 x 248 heads; 10.7 G-op).
model_spec spec_for(const std::string& size, const std::string& family = "nuscenes");

// Trained int8 weights (pprt-genmodel --weights FILE, written by tools/train): per conv / deconv op its int8
// weights [oc, kh, kw, ic], int8 bias [oc] and the fix points of weights, bias and output; they replace the seeded
// random ones. The file may also give the widths (pfn channels and stages), which then override the size's.
struct trained_layer {
  int fp_w = 0, fp_b = 0, fp_out = 0;
  std::vector<int> shape;  // oc, kh, kw, ic
  std::vector<char> w, b;
};
struct trained_weights {
  int input_fp = 7;
  std::map<std::string, trained_layer> layers;
};
// Reads FILE into `tw` and applies its widths to `spec`; throws std::runtime_error with a message on a bad file.
void load_weights(const std::string& path, model_spec* spec, trained_weights* tw);

struct subgraph_report {
  uint64_t macs = 0;        // multiply-accumulates per frame
  size_t compute_ops = 0;   // conv/deconv/pool/concat ops
  size_t const_ops = 0;
  size_t weight_bytes = 0;  // int8 constant bytes
  std::vector<std::string> lines;  // one per compute op: name, type, shape, fix points
};

// Build subgraph k (0: pillar feature net, 1: backbone + neck + head) with weights from `seed`, partitioned into
// a USER child (the data-fix input) and `dpu_count` DPU children (0: one CPU child instead; 2: two DPU children).
std::unique_ptr<xir::Graph> build_graph(const model_spec& spec, int k, uint64_t seed, int dpu_count,
                                        subgraph_report* report, const trained_weights* tw = nullptr);

// The quantizer's form (vai_q_pytorch's *_int.xmodel layout: float const + fix, conv2d (+ relu) + fix, ...; one
// root graph) of a graph built in the pprt form; exact: the fix ops give back the same int8 values.
std::unique_ptr<xir::Graph> quantized_graph(const xir::Graph* pprt_form);

// Prototxt text of a model folder (both folders carry the same param block), in Vitis AI 2.5's schema.
std::string prototxt_text(const model_spec& spec, const std::string& name);

// KITTI: the Model Zoo prototxt of a pair folder (model_type POINTPILLARS, PointPillarsKittiParam.base) and the
// second.pytorch pipeline configuration VAI-L's `pointpillars` reads from <name0>_officialcfg.prototxt beside
// subgraph 0's xmodel (voxel generator, RPN stride, anchors per class, NMS); docs/KITTI.md.
std::string kitti_prototxt_text(const model_spec& spec, const std::string& name);
std::string kitti_officialcfg_text(const model_spec& spec);

// KITTI: the Model Zoo pair of a one-file KITTI graph in the quantizer's form (ops up to the fix before the
// PPScatterV2 custom op; a float canvas input + the scatter's output fix, then the RPN): the same weights as `g`.
// Throws std::runtime_error naming what is missing on a graph it cannot split.
void split_kitti_graph(xir::Graph* g, std::unique_ptr<xir::Graph>* g0, std::unique_ptr<xir::Graph>* g1);

// Whether the spec's voxel grid is VAI-L's fixed one (0.25 x 0.25 x 8 over -50 -50 -5 50 50 3); if not, the model
// folders get a pprt settings file <name>.pprt with settings_text().
bool uses_vail_grid(const model_spec& spec);
std::string settings_text(const model_spec& spec);

}  // namespace pprt_gen

#endif

// The Vitis AI Library prototxt of a PointPillars nuScenes model folder, in Vitis AI 2.5's schema
// (DpuModelParam + PointPillarsNusParam; docs/PROTOTXT.md), and pprt's settings file for a non-VAI-L voxel grid.
#include <cstdio>
#include <string>

#include "genmodel.hpp"

namespace pprt_gen {
namespace {

// mmdet3d nuScenes anchor generator (docs/DESIGN.md, model contract 6): z (box bottom), w, l, h per size.
const double kAnchors[7][4] = {
    {-1.80032795, 1.95017717, 4.60718145, 1.72270761},  {-1.74440365, 2.4560939, 6.73778078, 2.73004906},
    {-1.68526504, 2.87427237, 12.01320693, 3.81509561}, {-1.67339111, 0.60058911, 1.68452161, 1.27192197},
    {-1.61785072, 0.66344886, 0.7256437, 1.75748069},   {-1.80984986, 0.39694519, 0.40359262, 1.06232151},
    {-1.763965, 2.49008838, 0.48578221, 0.98297065},
};
const double kMean[5] = {0.0, 0.0, -1.0, 127.5, 0.275};
const double kScale[5] = {0.02, 0.02, 0.25, 0.0078, 3.6364};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  std::string s(buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";  // keep floats looking like floats
  return s;
}

}  // namespace

std::string prototxt_text(const model_spec& m, const std::string& name) {
  const int head_stride = m.stages.front().stride / m.stages.front().up_stride;
  const int fh = m.canvas_h / head_stride, fw = m.canvas_w / head_stride;
  std::string o;
  o += "model {\n";
  o += "  name: \"" + name + "\"\n";
  o += "  kernel {\n";
  o += "    name: \"" + name + "\"\n";
  for (double v : kMean) o += "    mean: " + num(v) + "\n";
  for (double v : kScale) o += "    scale: " + num(v) + "\n";
  o += "  }\n";
  o += "  model_type : POINTPILLARS_NUS\n";
  o += "  pointpillars_nus_param {\n";
  for (double v : m.point_cloud_range) o += "    point_cloud_range: " + num(v) + "\n";
  o += "    in_channels: " + std::to_string(m.pfn_channels) + "\n";
  o += "    max_points_num: " + std::to_string(m.slots) + "\n";
  o += "    max_voxels_num: " + std::to_string(m.pillars) + "\n";
  o += "    featmap_size: " + std::to_string(fh) + "\n";
  o += "    featmap_size: " + std::to_string(fw) + "\n";
  o += "    anchor_info {\n";
  for (const auto& a : kAnchors) {
    o += "      ranges {\n";
    const double r[6] = {m.anchor_xy[0], m.anchor_xy[1], a[0], m.anchor_xy[2], m.anchor_xy[3], a[0]};
    for (double v : r) o += "        single_range: " + num(v) + "\n";
    o += "      }\n";
  }
  for (const auto& a : kAnchors) {
    o += "      sizes {\n";
    for (int i = 1; i < 4; ++i) o += "        single_size: " + num(a[i]) + "\n";
    o += "      }\n";
  }
  o += "      rotations: 0.0\n";
  o += "      rotations: 1.57\n";
  o += "      custom_value: 0.0\n";
  o += "      custom_value: 0.0\n";
  o += "      align_corner: false\n";
  o += "      scale: 1.0\n";
  o += "    }\n";
  o += "    num_classes: " + std::to_string(m.classes) + "\n";
  o += "    nms_pre: 1000.0\n";
  o += "    nms_thresh: 0.2\n";
  o += "    max_num: 500.0\n";
  o += "    score_thresh: 0.05\n";
  o += "    score_layer_name: \"conv_cls\"\n";
  o += "    bbox_layer_name: \"conv_reg\"\n";
  o += "    dir_layer_name: \"conv_dir_cls\"\n";
  o += "  }\n";
  o += "}\n";
  return o;
}

bool uses_vail_grid(const model_spec& m) {
  static const double r[6] = {-50.0, -50.0, -5.0, 50.0, 50.0, 3.0};
  static const double v[3] = {0.25, 0.25, 8.0};
  for (int i = 0; i < 6; ++i)
    if (m.point_cloud_range[i] != r[i]) return false;
  for (int i = 0; i < 3; ++i)
    if (m.voxel_size[i] != v[i]) return false;
  return true;
}

std::string settings_text(const model_spec& m) {
  std::string o =
      "# pprt settings (not read by the Vitis AI Library): this model's voxel grid, which differs from VAI-L's fixed\n"
      "# 0.25 x 0.25 x 8 m grid over -50 -50 -5 50 50 3. docs/PROTOTXT.md\n";
  for (double v : m.voxel_size) o += "voxel_size: " + num(v) + "\n";
  for (double v : m.point_cloud_range) o += "voxel_range: " + num(v) + "\n";
  return o;
}

}  // namespace pprt_gen

namespace pprt_gen {

// KITTI (docs/KITTI.md "Model files"): the Model Zoo prototxt names the model type; the values VAI-L's `pointpillars`
// uses are in the second.pytorch configuration below, which pprt reads the same way. Both say the same grid.
std::string kitti_prototxt_text(const model_spec& m, const std::string& name) {
  std::string o;
  o += "model {\n";
  o += "  name: \"" + name + "\"\n";
  o += "  model_type: POINTPILLARS\n";
  o += "  pointpillars_kitti_param {\n";
  o += "    base {\n";
  for (double v : m.point_cloud_range) o += "      point_cloud_range: " + num(v) + "\n";
  for (double v : m.voxel_size) o += "      voxel_size: " + num(v) + "\n";
  o += "      points_dim: " + std::to_string(m.features) + "\n";
  o += "      max_points_num: " + std::to_string(m.slots) + "\n";
  o += "      max_voxels_num: " + std::to_string(m.pillars) + "\n";
  o += "      in_channels: " + std::to_string(m.pfn_channels) + "\n";
  o += "    }\n";
  o += "  }\n";
  o += "}\n";
  return o;
}

std::string kitti_officialcfg_text(const model_spec& m) {
  // Xilinx's three KITTI anchor generators (class, w l h, z of the anchor): docs/KITTI.md, "Model files".
  struct gen {
    const char* name;
    double w, l, h, z;
  };
  static const gen kGens[3] = {{"Car", 1.6, 3.9, 1.56, -1.78},
                               {"Cyclist", 0.6, 1.76, 1.73, -1.465},
                               {"Pedestrian", 0.6, 0.8, 1.73, -1.465}};
  const int stride = m.stages.front().stride / m.stages.front().up_stride;
  auto list = [](const double* v, int n) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + num(v[i]);
    return s + "]";
  };
  std::string o;
  o += "# second.pytorch pipeline configuration (TrainEvalPipelineConfig, protobuf text) written by pprt-genmodel\n";
  o += "# --family kitti: what the Vitis AI Library's pointpillars reads from <name0>_officialcfg.prototxt.\n";
  o += "model: {\n  second: {\n";
  o += "    voxel_generator {\n";
  o += "      point_cloud_range : " + list(m.point_cloud_range, 6) + "\n";
  o += "      voxel_size : " + list(m.voxel_size, 3) + "\n";
  o += "      max_number_of_points_per_voxel : " + std::to_string(m.slots) + "\n";
  o += "    }\n";
  o += "    num_class: " + std::to_string(m.classes) + "\n";
  o += "    num_point_features: " + std::to_string(m.features) + "\n";
  o += "    rpn: {\n      layer_strides: [";
  for (size_t i = 0; i < m.stages.size(); ++i) o += (i ? ", " : "") + std::to_string(i == 0 ? stride : m.stages[i].stride);
  o += "]\n    }\n";
  o += "    nms_pre_max_size: 1000\n    nms_post_max_size: 300\n";
  o += "    nms_score_threshold: 0.5\n    nms_iou_threshold: 0.5\n";
  o += "    target_assigner: {\n";
  const double stride_xy[3] = {m.voxel_size[0] * stride, m.voxel_size[1] * stride, 0.0};
  for (const gen& g : kGens) {
    const double sizes[3] = {g.w, g.l, g.h};
    const double offs[3] = {m.anchor_xy[0], m.anchor_xy[1], g.z};
    const double rots[2] = {0.0, 1.57};
    o += "      anchor_generators: {\n        anchor_generator_stride: {\n";
    o += std::string("          class_name: \"") + g.name + "\"\n";
    o += "          sizes: " + list(sizes, 3) + "\n";
    o += "          strides: " + list(stride_xy, 3) + "\n";
    o += "          offsets: " + list(offs, 3) + "\n";
    o += "          rotations: " + list(rots, 2) + "\n";
    o += "        }\n      }\n";
  }
  o += "    }\n  }\n}\n";
  o += "eval_input_reader: {\n  max_number_of_voxels: " + std::to_string(m.pillars) + "\n}\n";
  return o;
}

}  // namespace pprt_gen

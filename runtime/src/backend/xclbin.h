/* Internal: the parts of an xclbin (XRT's "xclbin2" container) that decide whether VART 2.5's DPU runner can use it.
 * Layout facts (XRT 2.13, xclbin.h): a 496-byte struct axlf with magic "xclbin2\0", the 152-byte axlf_header at byte
 * 304 (m_length at 304, m_platformVBNV[64] at 352, uuid[16] at 416, m_numSections at 448) and 40-byte section headers
 * from byte 456 (kind u32, name[16], offset u64 at +24, size u64 at +32). IP_LAYOUT (kind 8): int32 count, then 80-byte
 * ip_data {u32 type, u32 properties, u64 base address, char name[64]} from byte 8; type 1 is a kernel instance (CU).
 * CLOCK_FREQ_TOPOLOGY (kind 11): int16 count, then 136-byte clock_freq {u16 MHz, u8 type, pad[5], char name[128]}
 * from byte 2; type 1 data clock, 2 kernel clock. docs/DOCTOR.md says how pprt doctor uses this. */
#ifndef PPRT_BACKEND_XCLBIN_H
#define PPRT_BACKEND_XCLBIN_H

#include <stdint.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_XCLBIN_MAX_CUS 16
#define PPRT_XCLBIN_SECTION_IP_LAYOUT 8u
#define PPRT_XCLBIN_SECTION_MEM_TOPOLOGY 6u
#define PPRT_XCLBIN_SECTION_CLOCK_FREQ 11u
#define PPRT_XCLBIN_SECTION_BITSTREAM 0u

struct pprt_xclbin_info {
  uint64_t file_size;
  uint64_t length;              /* m_length: the size the header claims */
  uint8_t uuid[16];
  char uuid_str[37];            /* as zocl prints it (%pUb): 8-4-4-4-12 lowercase hex of the bytes in order */
  char platform[65];            /* m_platformVBNV */
  uint32_t num_sections;
  int has_ip_layout, has_mem_topology, has_bitstream, has_clock_freq;
  uint32_t num_kernels;         /* IP_LAYOUT entries of type kernel (compute units) */
  uint32_t num_dpu;             /* of those, the ones VART counts as DPU cores: name starting "DPU", else "dpu" */
  char dpu_cu[PPRT_XCLBIN_MAX_CUS][65]; /* their full names, e.g. "DPUCZDX8G:DPUCZDX8G_1", in base-address order */
  uint32_t kernel_clock_mhz;    /* CLOCK_FREQ_TOPOLOGY kernel clock; 0 if the section is absent */
  uint32_t data_clock_mhz;
};

/** Read the header, section table, IP_LAYOUT and CLOCK_FREQ_TOPOLOGY of path. Every offset is bounds-checked.
 *  IO_ERROR if the file cannot be read, PARSE_ERROR (with what is wrong) if it is not a well-formed xclbin2. A
 *  missing IP_LAYOUT or MEM_TOPOLOGY is not an error here (has_* says so): the caller decides. */
enum pprt_status pprt_xclbin_read(const char* path, struct pprt_xclbin_info* out, struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif

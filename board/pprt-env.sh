# shellcheck shell=sh
# pprt-env.sh -- environment for pprt on a ZCU104 / KV260 board. Source it: `. /opt/pprt/pprt-env.sh`
# (POSIX sh; board/deploy.sh installs it next to bin/ and lib/ and writes the chosen prefix below).
#
# Sets PATH and LD_LIBRARY_PATH for the pprt install tree, PPRT_MODEL_DIR (default <prefix>/models), and, if
# PPRT_XCLBIN is set, XLNX_VART_FIRMWARE (VART 2.5 reads the xclbin path from XLNX_VART_FIRMWARE, else from the
# `firmware:` line of /etc/vart.conf, else /usr/lib/dpu.xclbin -- strings of libvart-dpu-runner.so.2.5).
# Not tried on a board: nothing in this repository can run on one here.

: "${PPRT_PREFIX:=/opt/pprt}"
export PPRT_PREFIX

case ":${PATH}:" in
  *":${PPRT_PREFIX}/bin:"*) ;;
  *) PATH="${PPRT_PREFIX}/bin:${PATH}" ;;
esac
export PATH

# libpprt.so and libpprt-cpu-runner.so (VART dlopens runner plugins by name, so their folder must be searched).
case ":${LD_LIBRARY_PATH:-}:" in
  *":${PPRT_PREFIX}/lib:"*) ;;
  *) LD_LIBRARY_PATH="${PPRT_PREFIX}/lib${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}" ;;
esac
export LD_LIBRARY_PATH

: "${PPRT_MODEL_DIR:=${PPRT_PREFIX}/models}"
export PPRT_MODEL_DIR

if [ -n "${PPRT_XCLBIN:-}" ]; then
  export XLNX_VART_FIRMWARE="${PPRT_XCLBIN}"
fi

if [ -z "${XLNX_VART_FIRMWARE:-}" ]; then
  if [ -r /etc/vart.conf ]; then
    _pprt_fw=$(sed -n 's/^[[:space:]]*firmware:[[:space:]]*//p' /etc/vart.conf | head -n 1)
  else
    _pprt_fw=/usr/lib/dpu.xclbin
  fi
  if [ -n "${_pprt_fw}" ] && [ ! -e "${_pprt_fw}" ]; then
    echo "pprt-env: warning: DPU xclbin '${_pprt_fw}' (from /etc/vart.conf or VART's default) does not exist;" >&2
    echo "pprt-env:          set PPRT_XCLBIN=/path/to/the.xclbin before sourcing, or fix /etc/vart.conf" >&2
  fi
  unset _pprt_fw
fi

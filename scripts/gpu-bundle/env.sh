# Sourced by every launcher of the GPU bundle (scripts/make-gpu-bundle.ts copies it beside them),
# after DIR is set to the bundle's folder.
#
# Libraries in lib/<soname>/ (the Vulkan loader Dawn opens; what NVIDIA's Vulkan ICD links against
# outside the driver) go on the library path only where the host has none of that name, so a host's
# own copy is never shadowed. STDE_BUNDLE_LIBS=bundled takes all of them, =host none. The names taken
# are kept in STDE_BUNDLE_LIBS_USED, which also tells nested launchers that this ran.
if [ -z "${STDE_BUNDLE_LIBS_USED+x}" ]; then
  case $(uname -m) in aarch64 | arm64) arch=AArch64 ;; *) arch=x86-64 ;; esac
  host_libs=$({ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep "$arch" || true)
  STDE_BUNDLE_LIBS_USED=
  for d in "$DIR"/lib/*/; do
    [ -d "$d" ] || continue
    so=$(basename "$d")
    case "${STDE_BUNDLE_LIBS:-auto}" in
      bundled) use=yes ;;
      host) use=no ;;
      auto) if printf '%s\n' "$host_libs" | grep -q "^[[:space:]]*$so "; then use=no; else use=yes; fi ;;
      *) echo "STDE_BUNDLE_LIBS must be auto, bundled or host, not '$STDE_BUNDLE_LIBS'" >&2; exit 2 ;;
    esac
    if [ "$use" = yes ]; then
      LD_LIBRARY_PATH="${d%/}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      STDE_BUNDLE_LIBS_USED="${STDE_BUNDLE_LIBS_USED:+$STDE_BUNDLE_LIBS_USED }$so"
    fi
  done
  export LD_LIBRARY_PATH STDE_BUNDLE_LIBS_USED
fi
# NVIDIA's container runtime mounts the driver under /usr/local/nvidia; where the loader's search
# path holds no NVIDIA ICD, use that one (the runs of results/table3-webgpu-h100 set VK_DRIVER_FILES to it).
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] \
  && ! { ls /usr/share/vulkan/icd.d/nvidia*.json || ls /etc/vulkan/icd.d/nvidia*.json; } >/dev/null 2>&1; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi

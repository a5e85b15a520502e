#!/usr/bin/env bash
# Prepares a Debian machine WITHOUT a GPU for the `webgpu` backend: Dawn (the `webgpu` npm package)
# talks to Vulkan, and Mesa's lavapipe is a Vulkan driver that runs on the CPU. Dawn needs a
# Vulkan 1.1+ driver that Debian 12's Mesa 22.3 lavapipe does not satisfy; Mesa >= 25 from
# <codename>-backports does. On Debian 13 (trixie) or later the release's own Mesa is new enough.
#
# Idempotent: when Mesa >= 25 Vulkan drivers and the Vulkan loader are installed it changes nothing.
# The backports source is derived at run time from the mirror this machine already uses for the
# release (so a local mirror or proxy keeps working); nothing about a mirror is hard-coded here.
#
# Usage: bash scripts/setup-webgpu.sh        (as root, or with sudo available)
# Prints the installed Mesa version; exits non-zero with one clear message when it cannot.
set -euo pipefail

MIN_MESA_MAJOR=25
PKGS=(mesa-vulkan-drivers libvulkan1)

die() { echo "setup-webgpu: $*" >&2; exit 1; }
say() { echo "setup-webgpu: $*"; }

[[ "$(uname -s)" == Linux ]] || die "only Linux (Debian) is supported; on macOS/Windows Dawn uses Metal/D3D12 and needs no setup"
[[ -r /etc/os-release ]] || die "no /etc/os-release: cannot tell which distribution this is"
# shellcheck disable=SC1091
. /etc/os-release
[[ "${ID:-}" == debian ]] || die "this script supports Debian only (found ID=${ID:-unknown}); install Mesa >= ${MIN_MESA_MAJOR} Vulkan drivers (lavapipe) and the Vulkan loader yourself"
CODENAME="${VERSION_CODENAME:-}"
[[ -n "$CODENAME" ]] || die "VERSION_CODENAME is not set in /etc/os-release"

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo available) to install packages"
  SUDO=(sudo)
fi

installed_version() { dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null | awk '$1=="ii"{print $2}'; }
mesa_major() { local v; v="$(installed_version mesa-vulkan-drivers)"; v="${v#*:}"; echo "${v%%.*}"; }

is_ready() {
  local m; m="$(mesa_major)"
  [[ -n "$m" && "$m" =~ ^[0-9]+$ && "$m" -ge "$MIN_MESA_MAJOR" && -n "$(installed_version libvulkan1)" ]]
}

report() {
  local icd
  icd="$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n1 || true)"
  [[ -n "$icd" ]] || die "mesa-vulkan-drivers is installed but the lavapipe ICD (/usr/share/vulkan/icd.d/lvp_icd*.json) is missing"
  say "Mesa $(installed_version mesa-vulkan-drivers) (mesa-vulkan-drivers), Vulkan loader $(installed_version libvulkan1), lavapipe ICD $icd"
}

if is_ready; then
  say "already set up"
  report
  exit 0
fi

# The candidate version the configured sources offer, for a given target release (empty = default).
candidate_major() {
  local v
  if [[ -n "${1:-}" ]]; then v="$(apt-cache policy -t "$1" mesa-vulkan-drivers 2>/dev/null | awk '/Candidate:/{print $2}')"
  else v="$(apt-cache policy mesa-vulkan-drivers 2>/dev/null | awk '/Candidate:/{print $2}')"; fi
  v="${v#*:}"; [[ "$v" == "(none)" ]] && v=""
  echo "${v%%.*}"
}

# Is a <codename>-backports source configured already (either source format, enabled)?
has_backports() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    grep -Eq "^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+${CODENAME}-backports([[:space:]]|$)" "$f" && return 0
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    awk -v want="${CODENAME}-backports" '
      function flush() { if (deb && suite && enabled) found = 1; deb = suite = 0; enabled = 1 }
      BEGIN { enabled = 1 }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) suite = 1 }
      tolower($1) == "enabled:" { if (tolower($2) == "no") enabled = 0 }
      END { flush(); exit found ? 0 : 1 }' "$f" && return 0
  done
  return 1
}

# Print a deb822 stanza for <codename>-backports built from the source that serves <codename> main:
# same URI and the same Signed-By keyring, only the suite differs.
derive_backports_stanza() {
  local f line
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    line="$(awk -v want="$CODENAME" '
      function flush() {
        if (!found && deb && suite && main && enabled && uri != "") { print uri "\t" key; found = 1 }
        deb = suite = main = 0; enabled = 1; uri = ""; key = ""
      }
      BEGIN { enabled = 1 }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) suite = 1 }
      tolower($1) == "components:" { for (i = 2; i <= NF; i++) if ($i == "main") main = 1 }
      tolower($1) == "signed-by:" { key = $2 }
      tolower($1) == "enabled:" { if (tolower($2) == "no") enabled = 0 }
      END { flush() }' "$f")"
    if [[ -n "$line" ]]; then
      printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\n' "${line%%$'\t'*}" "$CODENAME"
      [[ -n "${line#*$'\t'}" ]] && printf 'Signed-By: %s\n' "${line#*$'\t'}"
      return 0
    fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    # deb [options] URI suite components...
    line="$(awk -v want="$CODENAME" '
      $1 != "deb" { next }
      { i = 2; opts = ""
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
        uri = $i; suite = $(i + 1); m = 0
        for (j = i + 2; j <= NF; j++) if ($j == "main") m = 1
        if (suite == want && m) { gsub(/^ \[|\]$/, "", opts); print uri "\t" opts; exit } }' "$f")"
    if [[ -n "$line" ]]; then
      local uri="${line%%$'\t'*}" opts="${line#*$'\t'}" key=""
      [[ "$opts" =~ signed-by=([^[:space:]]+) ]] && key="${BASH_REMATCH[1]}"
      printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\n' "$uri" "$CODENAME"
      [[ -n "$key" ]] && printf 'Signed-By: %s\n' "$key"
      return 0
    fi
  done
  return 1
}

export DEBIAN_FRONTEND=noninteractive
# apt-get, waiting (up to 10 minutes) while another apt/dpkg process holds the lock.
apt_get() {
  local try out
  for try in $(seq 1 60); do
    if out="$("${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=10 "$@" 2>&1)"; then return 0; fi
    if grep -q 'Could not get lock\|Unable to lock' <<<"$out"; then sleep 10; continue; fi
    echo "$out" | tail -n 5 >&2
    return 1
  done
  echo "$out" | tail -n 5 >&2
  return 1
}
say "updating the package lists"
apt_get update -qq || die "apt-get update failed (no network to the Debian mirror?)"

TARGET=()
if [[ "$(candidate_major)" =~ ^[0-9]+$ && "$(candidate_major)" -ge "$MIN_MESA_MAJOR" ]]; then
  say "the release's own Mesa is new enough"
else
  if ! has_backports; then
    stanza="$(derive_backports_stanza)" ||
      die "no enabled apt source serves '${CODENAME} main', so a ${CODENAME}-backports source cannot be derived; add ${CODENAME}-backports to /etc/apt/sources.list.d yourself and re-run"
    dest=/etc/apt/sources.list.d/stde-bench-backports.sources
    say "adding ${CODENAME}-backports (same mirror as ${CODENAME}) in $dest"
    printf '# Added by stde-bench scripts/setup-webgpu.sh: Mesa >= %s (lavapipe) for the webgpu backend.\n%s\n' \
      "$MIN_MESA_MAJOR" "$stanza" | "${SUDO[@]}" tee "$dest" >/dev/null
    apt_get update -qq || die "apt-get update failed after adding ${CODENAME}-backports"
  fi
  cm="$(candidate_major "${CODENAME}-backports")"
  [[ "$cm" =~ ^[0-9]+$ && "$cm" -ge "$MIN_MESA_MAJOR" ]] ||
    die "${CODENAME}-backports offers mesa-vulkan-drivers ${cm:-none}, need Mesa >= ${MIN_MESA_MAJOR}"
  TARGET=(-t "${CODENAME}-backports")
fi

say "installing ${PKGS[*]} ${TARGET[*]}"
apt_get install -y -qq --no-install-recommends "${TARGET[@]}" "${PKGS[@]}" ||
  die "apt-get install ${PKGS[*]} failed"
is_ready || die "installed, but mesa-vulkan-drivers is $(installed_version mesa-vulkan-drivers) (need >= ${MIN_MESA_MAJOR})"
report

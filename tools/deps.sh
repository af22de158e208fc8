#!/usr/bin/env bash
# Install everything building and testing vmm needs, from Debian's apt
# archive: only the packages that are missing, quietly, with sudo when not
# root. Safe to run again and again (it does nothing when all is there).
set -euo pipefail

packages=(
	build-essential cmake pkg-config check libfdt-dev libslirp-dev libseccomp-dev # build
	clang-format acpica-tools device-tree-compiler                 # style, ACPI tables, dtc
	clang libclang-rt-14-dev                                       # fuzzing (tools/fuzz.sh)
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd         # guest images, test host
	coreutils util-linux e2fsprogs                         # runner (timeout, base64, flock), guest mkfs/fsck
	socat iperf3 iproute2                                  # network scenarios and tools/bench/net.sh (guest and test host)
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

# guest-images/build.sh picks its kernel from apt's package lists: make
# sure there are some (a fresh container may have none).
if [ -z "$(apt-cache search --names-only '^linux-image-6\.12\.' 2>/dev/null | head -n 1)" ]; then
	echo "deps: updating apt's package lists"
	$sudo apt-get update -qq
fi

missing=()
for pkg in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
install() { $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# Package lists may be missing or stale on a fresh machine: update once.
install || { $sudo apt-get update -qq && install; }

#!/usr/bin/env bash
# Build the guest images the integration tests and tools/quickstart boot:
# the stock Debian 6.12 kernel, the default guest initramfs (busybox + the
# virtio modules that are not built in + guest-init) and the test-host
# initramfs (busybox + kvm/kvm-amd + testhost-init). The guest also gets the
# programs of guest-programs.txt, copied from their installed Debian
# packages with their libraries. Everything comes from
# Debian packages and lands in a cache folder outside git. Stamp files keyed
# on package versions and input-file hashes make an unchanged rebuild a no-op.
#
# usage: guest-images/build.sh [--force] [--quiet]
#   VMM_IMAGE_DIR   output folder (default ~/.cache/vmm-images)
#   VMM_KERNEL_PKG  kernel package to use (default: newest
#                   linux-image-6.12.*+deb12-amd64-unsigned that apt knows)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${VMM_IMAGE_DIR:-$HOME/.cache/vmm-images}
force=0
quiet=0
for arg in "$@"; do
	case $arg in
	--force) force=1 ;;
	--quiet) quiet=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "build.sh: unknown option $arg" >&2
		exit 1
		;;
	esac
done

say() { [ "$quiet" = 1 ] || echo "guest-images: $*"; }
die() {
	echo "guest-images: error: $*" >&2
	exit 1
}

for tool in apt-cache apt-get dpkg-deb dpkg-query depmod modprobe cpio gzip xz sha256sum; do
	command -v "$tool" >/dev/null || die "missing $tool (run tools/deps.sh)"
done
[ -x /bin/busybox ] && dpkg-query -W busybox-static >/dev/null 2>&1 ||
	die "busybox-static is not installed (run tools/deps.sh)"

mkdir -p "$out/stamps" "$out/deb"
# One build at a time per cache folder (CTest and a developer may race).
exec 9>"$out/.lock"
flock 9

# ---------------------------------------------------------------- kernel

# The newest 6.12 Debian kernel apt knows about; fall back to what is cached
# when apt has no candidate (e.g. lists not updated on an offline machine).
pick_kernel_pkg() {
	if [ -n "${VMM_KERNEL_PKG:-}" ]; then
		echo "$VMM_KERNEL_PKG"
		return
	fi
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		awk '{print $1}' | sort -V | tail -n 1
}

kpkg=$(pick_kernel_pkg)
if [ -n "$kpkg" ]; then
	kver_pkg=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null |
		awk '/^Version:/ {print $2; exit}')
	[ -n "$kver_pkg" ] || die "apt-cache knows no version of $kpkg"
	kernel_key="$kpkg=$kver_pkg"
elif [ -f "$out/stamps/kernel" ]; then
	kernel_key=$(cat "$out/stamps/kernel")
	say "apt has no linux-image-6.12 candidate; using cached $kernel_key"
else
	die "no linux-image-6.12.*+deb12-amd64-unsigned package in apt (apt-get update?)"
fi

kroot=$out/kernel-root
if [ "$force" = 1 ] || [ "$(cat "$out/stamps/kernel" 2>/dev/null)" != "$kernel_key" ]; then
	kpkg=${kernel_key%%=*}
	say "fetching $kernel_key"
	rm -f "$out/stamps/kernel" "$out"/deb/linux-image-*.deb
	# apt-get download writes into the current directory.
	(cd "$out/deb" && apt-get download -q "$kernel_key" >/dev/null 2>&1) ||
		(cd "$out/deb" && apt-get download "$kernel_key") ||
		die "apt-get download $kernel_key failed"
	rm -rf "$kroot"
	dpkg-deb -x "$out"/deb/linux-image-*.deb "$kroot"
	kver=$(basename "$(ls -d "$kroot"/lib/modules/*)")
	depmod -b "$kroot" "$kver"
	cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"
	echo "$kver" >"$out/kernel-version"
	echo "$kernel_key" >"$out/stamps/kernel"
fi
kver=$(cat "$out/kernel-version")
kmods=$kroot/lib/modules/$kver

# ---------------------------------------------------------------- helpers

# One newc cpio header for an entry without data (directory or device
# node), so device nodes can be made without root: the kernel needs
# /dev/console in the archive to give /init its stdin/stdout.
cpio_entry() { # name mode(octal) rdevmajor rdevminor
	local name=$1 mode=$2 major=$3 minor=$4 hdr pad
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 $((8#$mode)) 0 0 1 0 0 0 0 "$major" "$minor" $((${#name} + 1)) 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	pad=$(((4 - (110 + ${#name} + 1) % 4) % 4))
	head -c "$pad" /dev/zero
}

# gzip'd newc archive of a folder, followed by /dev and /dev/console.
make_initramfs() { # rootdir output
	local root=$1 dst=$2
	{
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc -R 0:0 --reproducible)
		cpio_entry dev 040755 0 0
		cpio_entry dev/console 020600 5 1
		cpio_entry TRAILER!!! 0 0 0
	} | gzip -6n >"$dst.tmp"
	mv "$dst.tmp" "$dst"
}

# Busybox and one symlink per applet.
install_busybox() { # rootdir
	local root=$1 applet
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$root/$applet"
	done
}

# Decompress the named modules and their dependencies into the root and
# write etc/modules.order: one path per line, dependencies first, as
# modprobe resolves them from modules.dep. Built-in modules are skipped.
install_modules() { # rootdir listfile
	local root=$1 list=$2 name line rel
	local order=$root/etc/modules.order
	mkdir -p "$root/etc"
	: >"$order"
	for name in $(sed 's/#.*//' "$list"); do
		modprobe -d "$kroot" -S "$kver" --show-depends "$name" ||
			die "module $name not found in $kver"
	done | while read -r kind line _; do
		[ "$kind" = insmod ] || continue
		rel=${line#"$kroot"/}
		rel=${rel%.xz}
		grep -qxF "/$rel" "$order" && continue
		mkdir -p "$root/$(dirname "$rel")"
		xz -dc "$line" >"$root/$rel"
		echo "/$rel" >>"$order"
	done
}

# Copy a program from an installed Debian package and every library its
# dynamic loader would load (ldd), at the same paths, into the root. ldd
# cannot see libraries opened with dlopen; none of the listed programs
# needs one.
install_program() { # rootdir path
	local root=$1 path=$2 lib
	mkdir -p "$root/$(dirname "$path")"
	rm -f "$root/$path" # busybox may have put an applet symlink there
	cp -L "$path" "$root/$path"
	for lib in $(ldd "$path" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

# Every program of a list file ("package path" lines).
install_programs() { # rootdir listfile
	local root=$1 list=$2 pkg path
	sed 's/#.*//' "$list" | while read -r pkg path; do
		[ -n "$pkg" ] || continue
		dpkg-query -W "$pkg" >/dev/null 2>&1 ||
			die "package $pkg is not installed (run tools/deps.sh)"
		[ -x "$path" ] || die "$pkg has no $path"
		install_program "$root" "$path"
	done
}

# "package=version ..." of a list file, for the stamp key.
programs_key() { # listfile
	sed 's/#.*//' "$1" | awk 'NF {print $1}' | sort -u |
		xargs -r dpkg-query -W -f='${Package}=${Version} ' 2>/dev/null
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

bb_ver=$(dpkg-query -W -f='${Version}' busybox-static)

# ---------------------------------------------------------------- images

build_image() { # kind init-file modules-list programs-list|"" output
	local kind=$1 init=$2 list=$3 programs=$4 dst=$5 key root
	key="$kernel_key busybox-static=$bb_ver $(hash_of "$0" "$init" "$list" ${programs:+"$programs"})"
	[ -n "$programs" ] && key="$key $(programs_key "$programs")"
	if [ "$force" = 0 ] && [ -f "$dst" ] &&
		[ "$(cat "$out/stamps/$kind" 2>/dev/null)" = "$key" ]; then
		return
	fi
	say "building $kind initramfs"
	root=$(mktemp -d "$out/$kind-root.XXXXXX")
	install_busybox "$root"
	install_modules "$root" "$list"
	[ -n "$programs" ] && install_programs "$root" "$programs"
	mkdir -p "$root/proc" "$root/sys" "$root/tmp" "$root/run" "$root/root"
	echo "$kver" >"$root/etc/kernel-version"
	install -m 0755 "$init" "$root/init"
	make_initramfs "$root" "$dst"
	rm -rf "$root"
	echo "$key" >"$out/stamps/$kind"
}

build_image guest "$here/guest-init" "$here/guest-modules.txt" \
	"$here/guest-programs.txt" "$out/guest-initramfs.cpio.gz"
build_image testhost "$here/testhost-init" "$here/testhost-modules.txt" "" \
	"$out/testhost-initramfs.cpio.gz"

# A sourceable summary for the runner, quickstart and benchmarks.
cat >"$out/images.env.tmp" <<EOF
VMM_IMAGE_KERNEL_VERSION=$kver
VMM_IMAGE_KERNEL=$out/vmlinuz
VMM_IMAGE_GUEST_INITRD=$out/guest-initramfs.cpio.gz
VMM_IMAGE_TESTHOST_INITRD=$out/testhost-initramfs.cpio.gz
EOF
mv "$out/images.env.tmp" "$out/images.env"

if [ "$quiet" = 0 ]; then
	echo "guest-images: kernel $kver ($kernel_key)"
	echo "  kernel:             $out/vmlinuz"
	echo "  guest initramfs:    $out/guest-initramfs.cpio.gz"
	echo "  test-host initramfs: $out/testhost-initramfs.cpio.gz"
	echo "  summary:            $out/images.env"
fi

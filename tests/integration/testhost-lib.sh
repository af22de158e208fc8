# Shared by run-scenarios, tools/quickstart and tools/bench/boot.sh (bash):
# decide whether guests can run directly on this machine's KVM, and if not,
# assemble and run the "test host": the Debian kernel under QEMU TCG with an
# emulated SVM CPU, whose initramfs is the cached base archive from
# guest-images/build.sh plus a per-run cpio archive staged here.
# See docs in tests/integration/README.md.

th_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
th_root=$(cd "$th_dir/../.." && pwd)

# Load the image paths guest-images/build.sh wrote (VMM_IMAGE_*).
th_load_images() {
	local dir=${VMM_IMAGE_DIR:-$HOME/.cache/vmm-images}
	[ -f "$dir/images.env" ] || return 1
	# shellcheck source=/dev/null
	. "$dir/images.env"
	[ -f "$VMM_IMAGE_KERNEL" ] && [ -f "$VMM_IMAGE_GUEST_INITRD" ] &&
		[ -f "$VMM_IMAGE_TESTHOST_INITRD" ]
}

# Sets th_mode to direct, testhost or none, and th_why to one line saying
# why. Direct needs hardware virtualization: vmx/svm and a KVM that is not
# PVM (PVM cannot run unmodified kernels).
th_detect_mode() {
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [ ! -d /sys/module/kvm_pvm ]; then
		if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
			th_mode=direct
			th_why="hardware virtualization and a usable /dev/kvm"
			return
		fi
		th_why="hardware virtualization but no usable /dev/kvm;"
	elif [ -d /sys/module/kvm_pvm ]; then
		th_why="/dev/kvm is PVM (no unmodified kernel runs on it);"
	else
		th_why="no vmx/svm in /proc/cpuinfo;"
	fi
	if command -v qemu-system-x86_64 >/dev/null; then
		th_mode=testhost
		th_why="$th_why booting a test host under QEMU TCG with nested SVM"
	else
		th_mode=none
		th_why="$th_why and no qemu-system-x86_64 for a test host"
	fi
}

# Size strings (512M, 6G, 1536) to MiB.
th_mib() {
	case $1 in
	*[gG]) echo $((${1%[gG]} * 1024)) ;;
	*[mM]) echo $((${1%[mM]})) ;;
	*) echo $(($1)) ;;
	esac
}

# Programs that run inside the guest (guest-tools/NAME/*.c, see README.md
# "Guest tools"): each folder is built here, static (so it needs nothing
# from the guest image), into DEST/usr/bin/NAME. Seconds: every run
# rebuilds them.
# Returns non-zero, saying which, if one does not build.
th_guest_tools() { # dest
	local dest=$1 dir name
	mkdir -p "$dest/usr/bin"
	for dir in "$th_dir"/guest-tools/*/; do
		[ -d "$dir" ] || continue
		name=$(basename "$dir")
		${VMM_GUEST_CC:-gcc} -static -O2 -Wall -Wextra \
			-Wno-unused-parameter -Wno-missing-field-initializers \
			-o "$dest/usr/bin/$name" "$dir"*.c || {
			echo "th_guest_tools: $name does not build" >&2
			return 1
		}
	done
}

# The default guest's initramfs with the scenario files appended as a
# second (gzip'd) archive under /scenarios and the guest tools under
# /usr/bin: changing a scenario never rebuilds the base image. A guest
# tool that does not build is left out (its scenarios then fail).
th_guest_initrd() { # out
	local out=$1 tmp
	tmp=$(mktemp -d)
	mkdir -p "$tmp/scenarios"
	cp "$th_dir"/scenarios/*.sh "$tmp/scenarios/"
	th_guest_tools "$tmp" || true
	cat "$VMM_IMAGE_GUEST_INITRD" >"$out.tmp"
	(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) | gzip -n >>"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tmp"
}

# Copy a file into the staging root, following symlinks.
th_add_file() { # stage src dest-path-in-root
	mkdir -p "$1/$(dirname "$3")"
	cp -L "$2" "$1/$3"
}

# Copy an executable and, if it is dynamically linked, every library ldd
# lists (and the loader) to the same paths in the staging root.
th_add_exe() { # stage src dest
	local stage=$1 src=$2 dest=$3 lib
	th_add_file "$stage" "$src" "$dest"
	chmod 0755 "$stage/$dest"
	head -c 4 "$src" | grep -q ELF || return 0
	for lib in $(ldd "$src" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$stage/$lib" ] || th_add_file "$stage" "$lib" "$lib"
		# glibc dlopens libgcc_s for pthread_cancel and unwinding; ldd
		# cannot see that.
		case $lib in */libc.so.6)
			[ -e "${lib%/*}/libgcc_s.so.1" ] &&
				th_add_file "$stage" "${lib%/*}/libgcc_s.so.1" "${lib%/*}/libgcc_s.so.1" ;;
		esac
	done
}

# The host-side network tools the network scenarios and tools/bench/net.sh
# use inside a test host: socat, iperf3, and iproute2's ip (TAP devices
# with multi_queue, which busybox's ip cannot make) as /usr/sbin/ip, where
# Debian has it (call it by that path: busybox's shell prefers its own
# applet to a plain "ip" on PATH).
th_add_net_tools() { # stage
	th_add_exe "$1" "$(command -v socat)" usr/bin/socat &&
		th_add_exe "$1" "$(command -v iperf3)" usr/bin/iperf3 &&
		th_add_exe "$1" "$(readlink -f "$(command -v ip)")" usr/sbin/ip
}

# QEMU with its libraries and the x86 firmware it needs for -M q35/pc/microvm
# and -kernel, for benchmarks and for qemu-as-vmm inside the test host.
th_add_qemu() { # stage
	local stage=$1 f
	th_add_exe "$stage" "$(command -v qemu-system-x86_64)" usr/bin/qemu-system-x86_64
	for f in /usr/share/seabios/bios-256k.bin /usr/share/seabios/bios.bin \
		/usr/share/seabios/bios-microvm.bin /usr/share/qemu/bios-microvm.bin \
		/usr/share/qemu/qboot.rom /usr/share/qemu/linuxboot_dma.bin \
		/usr/share/qemu/linuxboot.bin /usr/share/qemu/kvmvapic.bin \
		/usr/share/qemu/multiboot_dma.bin /usr/share/qemu/pvh.bin \
		/usr/share/qemu/bios-256k.bin /usr/share/qemu/bios.bin; do
		[ -e "$f" ] && th_add_file "$stage" "$f" "${f#/}"
	done
	return 0
}

# An uncompressed newc archive of the staging root (the kernel unpacks
# uncompressed archives appended after gzip'd ones; the big members are
# compressed already).
th_pack() { # stage out
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$2"
}

# Concatenate initramfs pieces, padding each with zeros to a multiple of 4
# bytes: the kernel looks for an uncompressed cpio header only at 4-byte
# aligned offsets after a compressed archive (it skips the zeros).
th_cat_initrd() { # out piece...
	local out=$1 piece size
	shift
	: >"$out"
	for piece in "$@"; do
		cat "$piece" >>"$out"
		size=$(stat -c %s "$out")
		head -c $(((4 - size % 4) % 4)) /dev/zero >>"$out"
	done
}

# The start every benchmark (tools/bench/*.sh) shares, NAME for its
# messages: checks $vmm and makes it absolute, builds the guest images and
# loads their paths, decides where guests run (th_mode; "none" ends the
# script), and makes the scratch folder $work (removed on exit) with an
# empty $results in it.
th_bench_setup() { # name
	[ -x "$vmm" ] || {
		echo "$1: no vmm at $vmm (build it first)" >&2
		exit 1
	}
	vmm=$(realpath "$vmm")
	"$th_root/guest-images/build.sh" --quiet || exit 1
	th_load_images || exit 1
	th_detect_mode
	[ "$th_mode" = none ] && { echo "$1: $th_why" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	results=$work/results
	: >"$results"
}

# For the benchmarks (tools/bench/blk.sh, net.sh): boot one test host
# on the staging root STAGE (packed here) plus a /run.sh that is the one
# command line RUNLINE, and append the "@@row" lines it sends back on its
# results channel to RESULTS. Its console stays in WORK/console. Returns
# 200 if it hung (the rows sent before that are kept).
th_bench_run() { # work stage runline timeout(s) results
	local work=$1 stage=$2 rc
	th_pack "$stage" "$work/payload.cpio"
	mkdir -p "$work/batch"
	printf '#!/bin/sh\n%s\n' "$3" >"$work/batch/run.sh"
	chmod 0755 "$work/batch/run.sh"
	th_pack "$work/batch" "$work/batch.cpio"
	th_cat_initrd "$work/testhost.initrd" "$VMM_IMAGE_TESTHOST_INITRD" \
		"$work/payload.cpio" "$work/batch.cpio"
	th_run_watched 4096 "$4" "$work/testhost.initrd" "$work/console" \
		"$work/channel" "${VMM_TESTHOST_STALL:-300}"
	rc=$?
	tr -d '\r' <"$work/channel" | grep '^@@row ' >>"$5"
	return $rc
}

# The test host CPU: AMD EPYC with SVM, minus the features TCG cannot
# emulate (QEMU would warn about each one).
th_cpu=EPYC,+svm,-rdseed,-sha-ni,-fxsr-opt,-misalignsse,-3dnowprefetch,-osvw,-topoext,-nrip-save,-xsavec

# Boot the test host. Without a console file its console is this
# terminal (interactive); the results channel (its ttyS1) goes to a file.
# th_append adds to the test host's kernel command line; th_pidfile, if set,
# receives QEMU's pid. Returns QEMU's status, 137 if the timeout killed it.
# VMM_TESTHOST_APPEND and VMM_TESTHOST_QEMU_ARGS add to the kernel command
# line and to QEMU's options (for debugging).
th_run() { # memory(MiB) timeout(s) initrd console-file|"" results-file
	local mem=$1 limit=$2 initrd=$3 console=$4 results=$5
	local args=(-accel tcg -cpu "$th_cpu" -smp 1 -M q35 -m "$mem"
		-nodefaults -no-user-config -display none -no-reboot
		-kernel "$VMM_IMAGE_KERNEL" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 quiet loglevel=4 ${th_append:-} ${VMM_TESTHOST_APPEND:-}")
	[ -n "${th_pidfile:-}" ] && args+=(-pidfile "$th_pidfile")
	# shellcheck disable=SC2206
	args+=(${VMM_TESTHOST_QEMU_ARGS:-})
	if [ -n "$console" ]; then
		# QEMU's stderr stays ours; the shell's own "Killed" notice when
		# the timeout (or th_run_watched) kills QEMU does not.
		{ timeout -s KILL "$limit" qemu-system-x86_64 "${args[@]}" \
			-serial "file:$console" -serial "file:$results" \
			</dev/null 2>&3; } 3>&2 2>/dev/null
	else
		# mon:stdio: the console, with Ctrl-a x to quit and Ctrl-a c for
		# the QEMU monitor.
		args+=(-serial mon:stdio -serial "file:$results")
		qemu-system-x86_64 "${args[@]}"
	fi
}

# th_run with a console file, watched: the test host prints a heartbeat
# every 5 s, and when its console stays silent for `stall` seconds it has
# hung (see README.md, "Test host hangs"): kill it and return 200.
th_run_watched() { # memory timeout initrd console results stall
	local console=$4 stall=$6 pid size last=-1 quiet=0
	local th_pidfile=$console.pid th_append="${th_append:-} vmm.heartbeat=5"
	rm -f "$th_pidfile"
	th_run "$1" "$2" "$3" "$4" "$5" &
	pid=$!
	while sleep 2 && kill -0 $pid 2>/dev/null; do
		size=$(stat -c %s "$console" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 2))
		[ $quiet -ge "$stall" ] || continue
		[ -f "$th_pidfile" ] && kill -KILL "$(cat "$th_pidfile")" 2>/dev/null
		wait $pid
		rm -f "$th_pidfile"
		return 200
	done
	wait $pid
	local rc=$?
	rm -f "$th_pidfile"
	return $rc
}

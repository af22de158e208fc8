#!/usr/bin/env bash
# Boot benchmark: our vmm against QEMU (-M microvm and -M q35, -accel kvm),
# same kernel, initramfs, command line, memory and one vCPU, N boots each,
# interleaved, after one warm-up boot each. Inside one test host when this
# machine has no hardware virtualization (then absolute numbers are ~10x
# hardware and only the ratios mean something), directly otherwise.
#
# What is measured, the same way for every VMM (tools/bench/boottime.c):
#   init  from just before fork+exec to the guest's first line from /init
#         ("vmm-guest: init reached", printed right after the boot-timer
#         port write), as read from the VMM's console pipe;
#   exit  to the VMM's exit after the guest powers off (the poweroff
#         scenario: module loading, one command, poweroff -f);
#   RSS   the VMM process's peak resident set (wait4's ru_maxrss).
# The guest command line gets "quiet" so the result is not dominated by
# how fast each VMM's UART emulation prints the kernel log.
#
# With --transports it compares vmm with itself instead: the same guest
# with a virtio disk and a virtio-rng, all on virtio-pci ("vmm-pci") and
# all on virtio-mmio ("vmm-mmio", no PCI bus at all). "init" then shows
# what probing a PCI bus and its devices costs the kernel before /init;
# "exit" includes /init loading virtio_mmio and its devices being probed.
#
# usage: tools/bench/boot.sh [-n N] [--vmm PATH] [--memory 512M] [--transports]
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/integration/testhost-lib.sh
. "$root/tests/integration/testhost-lib.sh"

runs=5
vmm=$root/build/src/vmm/vmm
memory=512M
kinds=(vmm microvm q35)
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift ;;
	--vmm) vmm=$2; shift ;;
	--memory) memory=$2; shift ;;
	--transports) kinds=(vmm-pci vmm-mmio) ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "boot.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

th_bench_setup boot.sh

gcc -O2 -static -o "$work/boottime" "$root/tools/bench/boottime.c" || exit 1
th_guest_initrd "$work/initrd"

# Jobs: one warm-up boot per kind (index below nk, not counted), then the
# runs, interleaved so that drift in the machine's speed hits every kind
# alike.
nk=${#kinds[@]}
jobs=()
for ((i = 0; i <= runs; i++)); do
	for ((k = 0; k < nk; k++)); do
		jobs+=("$((nk * i + k)):${kinds[k]}")
	done
done

# The jobs that have no result yet.
pending() {
	local job
	for job in "${jobs[@]}"; do
		grep -q "^@@bench ${job%%:*} " "$results" 2>/dev/null || echo "$job"
	done
}

: >"$results"
if [ "$th_mode" = direct ]; then
	echo "boot.sh: running directly ($th_why)"
	mkdir -p "$work/dir"
	ln -s "$work/boottime" "$work/dir/boottime"
	ln -s "$vmm" "$work/dir/vmm"
	ln -s "$VMM_IMAGE_KERNEL" "$work/dir/vmlinuz"
	ln -s "$work/initrd" "$work/dir/initrd"
	BENCH_DIR=$work/dir BENCH_MEMORY=$memory BENCH_RESULTS=$results \
		sh "$root/tools/bench/boot-run.sh" "${jobs[@]}"
	where="directly on this machine"
else
	echo "boot.sh: in a test host ($th_why)"
	stage=$work/stage
	mkdir -p "$stage"
	th_add_exe "$stage" "$vmm" bench/vmm
	th_add_exe "$stage" "$work/boottime" bench/boottime
	th_add_file "$stage" "$VMM_IMAGE_KERNEL" bench/vmlinuz
	th_add_file "$stage" "$work/initrd" bench/initrd
	th_add_exe "$stage" "$root/tools/bench/boot-run.sh" bench/boot-run.sh
	case " ${kinds[*]} " in *" microvm "* | *" q35 "*) th_add_qemu "$stage" ;; esac
	th_pack "$stage" "$work/payload.cpio"
	# A hung test host (see tests/integration/README.md) is replaced by a
	# fresh one for the boots it had not done, up to twice.
	for try in 1 2 3; do
		mapfile -t todo < <(pending)
		[ ${#todo[@]} -eq 0 ] && break
		printf '#!/bin/sh\nBENCH_DIR=/bench BENCH_MEMORY=%s BENCH_RESULTS=${VMM_RESULTS:-/dev/console} exec sh /bench/boot-run.sh %s\n' \
			"$memory" "${todo[*]}" >"$work/run.sh"
		rm -rf "$work/batch" && mkdir -p "$work/batch"
		install -m 0755 "$work/run.sh" "$work/batch/run.sh"
		th_pack "$work/batch" "$work/batch.cpio"
		th_cat_initrd "$work/testhost.initrd" "$VMM_IMAGE_TESTHOST_INITRD" \
			"$work/payload.cpio" "$work/batch.cpio"
		th_run_watched $(($(th_mib "$memory") + 1536)) $((120 + 300 * ${#todo[@]})) \
			"$work/testhost.initrd" "$work/console" "$work/channel" \
			"${VMM_TESTHOST_STALL:-120}"
		rc=$?
		tr -d '\r' <"$work/channel" | grep '^@@bench ' >>"$results"
		[ $rc = 200 ] && echo "boot.sh: the test host hung (try $try); resuming in a fresh one"
	done
	where="inside a test host (QEMU TCG + nested SVM: compare ratios, not absolute times)"
	[ -z "$(pending)" ] || echo "boot.sh: some boots did not run; see the table's counts"
fi

# Medians of init, exit and RSS per kind, warm-up boots (index < nk)
# dropped, and ratios against the first kind.
echo
echo "boot benchmark: $runs boots each, $memory, 1 vCPU, $where"
awk -v runs="$runs" -v kinds="${kinds[*]}" -v nk="$nk" '
function median(kind, field,    n, i, j, t, a) {
	n = 0
	for (i = 1; i <= cnt[kind]; i++) a[++n] = val[kind, field, i]
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return -1
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "@@bench" && $2 >= nk {
	kind = $3
	for (f = 4; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
	if (v["status"] != 0 || v["init_ms"] < 0) { bad[kind]++; next }
	c = ++cnt[kind]
	val[kind, "init", c] = v["init_ms"]
	val[kind, "exit", c] = v["exit_ms"]
	val[kind, "rss", c] = v["maxrss_kb"] / 1024
}
END {
	names["vmm"] = "vmm"; names["microvm"] = "qemu -M microvm"; names["q35"] = "qemu -M q35"
	names["vmm-pci"] = "vmm, all virtio-pci"; names["vmm-mmio"] = "vmm, all virtio-mmio"
	printf "%-22s %6s %12s %12s %15s\n", "", "boots", "init (ms)", "exit (ms)", "peak RSS (MiB)"
	n = split(kinds, order, " ")
	for (k = 1; k <= n; k++) {
		kind = order[k]
		for (f = 1; f <= 3; f++) {
			split("init exit rss", fields, " ")
			m[kind, fields[f]] = median(kind, fields[f])
		}
		printf "%-22s %6d %12.0f %12.0f %15.1f%s\n", names[kind], cnt[kind] + 0,
			m[kind, "init"], m[kind, "exit"], m[kind, "rss"],
			bad[kind] ? sprintf("  (%d failed boots)", bad[kind]) : ""
	}
	base = order[1]
	for (k = 2; k <= n; k++) {
		kind = order[k]
		if (m[base, "init"] <= 0 || m[kind, "init"] <= 0) continue
		printf "%-22s %6s %11.2fx %11.2fx %14.2fx\n", kind " / " base, "",
			m[kind, "init"] / m[base, "init"], m[kind, "exit"] / m[base, "exit"],
			m[kind, "rss"] / m[base, "rss"]
	}
	print "(medians; a ratio above 1 means " names[base] " is faster or smaller)"
}' "$results"
timer=$(awk -v nk="$nk" -v base="${kinds[0]}" '$1 == "@@bench" && $2 >= nk && $3 == base {
	for (f = 4; f <= NF; f++) if ($f ~ /^vmm_timer_ms=[0-9]/) { split($f, kv, "="); print kv[2] } }' \
	"$results" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
[ -n "$timer" ] && echo "vmm's own boot-timer port (${kinds[0]}: its start to the port write, median): $timer ms"

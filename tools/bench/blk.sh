#!/usr/bin/env bash
# Block benchmark: fio in the guest on a 1 GiB raw image, under vmm
# (virtio-blk, virtio-pci) and under QEMU (-device virtio-blk-pci,
# aio=threads, cache=writeback: the same host page cache vmm uses), same
# kernel, memory, one vCPU; and fio on the image itself in the same host
# as the ceiling. Rows: 4k random read and write at iodepth 1 and 32, 1M
# sequential read and write (libaio, O_DIRECT in the guest). Inside one
# test host when this machine has no hardware virtualization (then only
# the ratios mean anything), directly otherwise. fio comes from Debian's
# fio package (installed if missing) and reaches the guest in an appended
# initramfs, with its libraries.
#
# With --mmio, vmm also runs with the disk on virtio-mmio (one shared
# IOAPIC line instead of MSI-X), as a fourth column.
#
# usage: tools/bench/blk.sh [-n ROUNDS] [--vmm PATH] [--runtime SECONDS]
#                           [--mmio]
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/integration/testhost-lib.sh
. "$root/tests/integration/testhost-lib.sh"

rounds=1
vmm=$root/build/src/vmm/vmm
runtime=8
mmio=0
while [ $# -gt 0 ]; do
	case $1 in
	-n) rounds=$2; shift ;;
	--vmm) vmm=$2; shift ;;
	--runtime) runtime=$2; shift ;;
	--mmio) mmio=1 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "blk.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done
if ! command -v fio >/dev/null; then
	echo "blk.sh: installing Debian's fio"
	sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get install -y -qq --no-install-recommends fio >/dev/null ||
		{ echo "blk.sh: cannot install fio" >&2; exit 1; }
fi

th_bench_setup blk.sh

# The guest: the default initramfs plus fio, its libraries and the
# fio-bench scenario.
th_guest_initrd "$work/base-initrd"
mkdir -p "$work/fio/scenarios"
th_add_exe "$work/fio" "$(command -v fio)" usr/bin/fio
{ echo "FIO_RUNTIME=$runtime"; cat "$root/tools/bench/blk-fio.sh"; } \
	>"$work/fio/scenarios/fio-bench.sh"
th_pack "$work/fio" "$work/fio.cpio"
th_cat_initrd "$work/initrd" "$work/base-initrd" "$work/fio.cpio"

# vmm and QEMU alternate (vmm qemu qemu vmm ...) so drift hits both.
kinds=()
for ((i = 1; i <= rounds; i++)); do
	if ((i % 2)); then kinds+=(vmm qemu); else kinds+=(qemu vmm); fi
	[ $mmio = 1 ] && kinds+=(vmm-mmio)
done
kinds+=(host)

if [ "$th_mode" = direct ]; then
	echo "blk.sh: running directly ($th_why)"
	mkdir -p "$work/dir"
	ln -s "$vmm" "$work/dir/vmm"
	ln -s "$VMM_IMAGE_KERNEL" "$work/dir/vmlinuz"
	ln -s "$work/initrd" "$work/dir/initrd"
	{ echo "FIO_RUNTIME=$runtime"; cat "$root/tools/bench/blk-fio.sh"; } >"$work/dir/blk-fio.sh"
	BENCH_DIR=$work/dir BENCH_RESULTS=$results BENCH_IMAGE=$work/bench.img \
		sh "$root/tools/bench/blk-run.sh" "${kinds[@]}"
	where="directly on this machine"
else
	echo "blk.sh: in a test host ($th_why)"
	stage=$work/stage
	mkdir -p "$stage"
	th_add_exe "$stage" "$vmm" bench/vmm
	th_add_file "$stage" "$VMM_IMAGE_KERNEL" bench/vmlinuz
	th_add_file "$stage" "$work/initrd" bench/initrd
	{ echo "FIO_RUNTIME=$runtime"; cat "$root/tools/bench/blk-fio.sh"; } >"$work/blk-fio.sh"
	th_add_file "$stage" "$work/blk-fio.sh" bench/blk-fio.sh
	th_add_exe "$stage" "$root/tools/bench/blk-run.sh" bench/blk-run.sh
	th_add_exe "$stage" "$(command -v fio)" usr/bin/fio
	th_add_qemu "$stage"
	th_bench_run "$work" "$stage" \
		"BENCH_DIR=/bench BENCH_RESULTS=\${VMM_RESULTS:-/dev/console} exec sh /bench/blk-run.sh ${kinds[*]}" \
		$((600 + 900 * ${#kinds[@]})) "$results"
	[ $? = 200 ] && echo "blk.sh: the test host hung; the table has what it got"
	where="inside a test host (QEMU TCG + nested SVM: compare ratios, not absolute figures)"
fi

# The raw rows, then medians per kind and row with the ratios vmm / QEMU
# and vmm / ceiling.
echo
cat "$results"
[ -s "$results" ] || echo "blk.sh: no results (see the test host console above)"
echo "block benchmark: fio ${runtime}s per row, $rounds round(s), 1 vCPU, 1 GiB raw image, $where"
awk "$(cat "$root/tools/bench/median.awk")"'
$1 == "@@row" {
	kind = $2; row = $3
	split($4, a, "="); split($5, b, "=")
	metric = row ~ /1m/ ? b[2] / 1024 : a[2]	# MiB/s for 1M rows, else IOPS
	key = kind SUBSEP row
	if (kind == "vmm-mmio") has_mmio = 1
	val[key, ++cnt[key]] = metric
	if (!(row in seen)) { seen[row] = 1; order[++nrows] = row }
}
END {
	printf "%-18s %12s %12s %12s %10s %12s", "row", "vmm", "qemu", "ceiling", "vmm/qemu", "vmm/ceiling"
	if (has_mmio) printf " %12s %10s", "vmm-mmio", "mmio/pci"
	printf "\n"
	for (r = 1; r <= nrows; r++) {
		row = order[r]
		v = median("vmm" SUBSEP row); q = median("qemu" SUBSEP row); h = median("host" SUBSEP row)
		unit = row ~ /1m/ ? "MiB/s" : "IOPS"
		printf "%-18s %12.0f %12.0f %12.0f %9.2fx %11.1f%%", row, v, q, h,
			(q > 0 ? v / q : 0), (h > 0 ? 100 * v / h : 0)
		if (has_mmio) {
			mm = median("vmm-mmio" SUBSEP row)
			printf " %12.0f %9.2fx", mm, (v > 0 ? mm / v : 0)
		}
		printf "   (%s)\n", unit
	}
}' "$results"

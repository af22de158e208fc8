#!/usr/bin/env bash
# Network benchmark: iperf3 throughput guest to host and host to guest, and
# the TCP round trip (tcp-rr: one byte each way, Nagle off), in the same
# guest under vmm and under QEMU (-device virtio-net-pci), same kernel,
# memory, one vCPU, virtio-net on virtio-pci, on both backends:
#   user   vmm --net user        vs  QEMU -netdev user        (libslirp both)
#   tap    vmm --net tap=IFNAME  vs  QEMU -netdev tap,vhost=off
# The host end (iperf3 -s, tcp-rr server) runs where vmm runs. Inside one
# test host when this machine has no hardware virtualization (then only
# the ratios mean anything), directly otherwise (as root, for the TAP).
# iperf3 and socat come from Debian and are in the default guest image;
# tcp-rr is tests/integration/guest-tools/tcp-rr.
#
# usage: tools/bench/net.sh [-n ROUNDS] [--vmm PATH] [--seconds N]
#                           [--backends "user tap"]
# BENCH_VMM_ARGS adds vmm options ("-v -v": each queue's kicks and
# interrupts, printed at exit).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/integration/testhost-lib.sh
. "$root/tests/integration/testhost-lib.sh"

rounds=1
vmm=$root/build/src/vmm/vmm
seconds=5
rr_count=2000
backends="user tap"
while [ $# -gt 0 ]; do
	case $1 in
	-n) rounds=$2; shift ;;
	--vmm) vmm=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--backends) backends=$2; shift ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "net.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done
"$root/tools/deps.sh" || exit 1
th_bench_setup net.sh

# The guest: the default initramfs (with the guest tools, tcp-rr among
# them) plus the net-bench scenario.
th_guest_initrd "$work/base-initrd"
mkdir -p "$work/bench/scenarios"
{
	echo "NET_SECONDS=$seconds NET_RR_COUNT=$rr_count"
	cat "$root/tools/bench/net-guest.sh"
} >"$work/bench/scenarios/net-bench.sh"
th_pack "$work/bench" "$work/bench.cpio"
th_cat_initrd "$work/initrd" "$work/base-initrd" "$work/bench.cpio"
gcc -static -O2 -o "$work/tcp-rr" \
	"$root/tests/integration/guest-tools/tcp-rr/tcp_rr.c" || exit 1

# vmm and QEMU alternate (vmm qemu qemu vmm ...) so drift hits both.
kinds=()
for ((i = 1; i <= rounds; i++)); do
	for b in $backends; do
		if ((i % 2)); then kinds+=(vmm-$b qemu-$b); else kinds+=(qemu-$b vmm-$b); fi
	done
done

if [ "$th_mode" = direct ]; then
	echo "net.sh: running directly ($th_why)"
	mkdir -p "$work/dir"
	ln -s "$vmm" "$work/dir/vmm"
	ln -s "$VMM_IMAGE_KERNEL" "$work/dir/vmlinuz"
	ln -s "$work/initrd" "$work/dir/initrd"
	PATH=$work:$PATH BENCH_DIR=$work/dir BENCH_RESULTS=$results \
		unshare -n sh "$root/tools/bench/net-run.sh" "${kinds[@]}"
	where="directly on this machine"
else
	echo "net.sh: in a test host ($th_why)"
	stage=$work/stage
	mkdir -p "$stage"
	th_add_exe "$stage" "$vmm" bench/vmm
	th_add_file "$stage" "$VMM_IMAGE_KERNEL" bench/vmlinuz
	th_add_file "$stage" "$work/initrd" bench/initrd
	th_add_exe "$stage" "$root/tools/bench/net-run.sh" bench/net-run.sh
	th_add_exe "$stage" "$work/tcp-rr" usr/bin/tcp-rr
	th_add_net_tools "$stage"
	th_add_qemu "$stage"
	th_bench_run "$work" "$stage" \
		"BENCH_VMM_ARGS=\"${BENCH_VMM_ARGS:-}\" BENCH_DIR=/bench BENCH_RESULTS=\${VMM_RESULTS:-/dev/console} exec sh /bench/net-run.sh ${kinds[*]}" \
		$((300 + 300 * ${#kinds[@]})) "$results"
	[ $? = 200 ] && echo "net.sh: the test host hung; the table has what it got"
	grep -a "^bench: .* gave no rows" -A 15 "$work/console"
	grep -a "kicks," "$work/console"
	where="inside a test host (QEMU TCG + nested SVM: compare ratios, not absolute figures)"
fi

# The raw rows, then medians per kind and row with the ratio vmm / QEMU
# (for latency, QEMU / vmm: above 1 means vmm is better in every row).
echo
cat "$results"
[ -s "$results" ] || echo "net.sh: no results (see the test host console above)"
echo "network benchmark: iperf3 ${seconds}s per direction, tcp-rr $rr_count round trips, $rounds round(s), 1 vCPU, $where"
awk "$(cat "$root/tools/bench/median.awk")"'
$1 == "@@row" {
	split($2, k, "-"); who = k[1]; backend = k[2]
	key = who SUBSEP backend SUBSEP $3
	val[key, ++cnt[key]] = $4
	row = backend SUBSEP $3
	if (!(row in seen)) { seen[row] = 1; order[++nrows] = row }
}
END {
	printf "%-8s %-14s %10s %10s %12s\n", "backend", "row", "vmm", "qemu", "vmm better"
	for (r = 1; r <= nrows; r++) {
		split(order[r], p, SUBSEP)
		v = median("vmm" SUBSEP order[r]); q = median("qemu" SUBSEP order[r])
		better = p[2] ~ /_us$/ ? (v > 0 ? q / v : 0) : (q > 0 ? v / q : 0)
		printf "%-8s %-14s %10.1f %10.1f %11.2fx\n", p[1], p[2], v, q, better
	}
}' "$results"

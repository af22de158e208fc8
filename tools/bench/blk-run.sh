#!/bin/sh
# Inner half of tools/bench/blk.sh (POSIX sh: busybox ash in the test host,
# or any sh directly on a machine with hardware virtualization). Makes the
# 1 GiB raw image, then runs the fio rows of blk-fio.sh for each KIND:
#   vmm    in the guest under vmm (--disk, virtio-blk on virtio-pci)
#   vmm-mmio  the same with the disk on virtio-mmio
#   qemu   in the guest under QEMU (-device virtio-blk-pci, aio=threads)
#   host   here, on the image itself: the ceiling
# and prints "@@row KIND ROW iops=N bw_kib=N" lines to $BENCH_RESULTS.
# usage: blk-run.sh KIND...
# env: BENCH_DIR (vmm, vmlinuz, initrd, blk-fio.sh; fio on PATH),
#      BENCH_MEMORY (default 512M), BENCH_IMAGE (default /tmp/bench.img)

dir=${BENCH_DIR:?}
mem=${BENCH_MEMORY:-512M}
img=${BENCH_IMAGE:-/tmp/bench.img}
results=${BENCH_RESULTS:-/dev/stdout}
append="quiet vmm.scenario=fio-bench"
. "$dir/blk-fio.sh"

[ -f "$img" ] || dd if=/dev/zero of="$img" bs=1048576 count=1024 2>/dev/null

# The guest prints its rows on the console; keep only those.
guest_rows() { # kind log
	tr -d '\r' <"$2" | sed -n "s/^@@fio /@@row $1 /p" >>"$results"
}

for kind in "$@"; do
	echo "bench: $kind"
	log=/tmp/bench-$kind.log
	case $kind in
	vmm | vmm-mmio)
		transport=pci
		[ "$kind" = vmm-mmio ] && transport=mmio
		timeout -s KILL 1200 "$dir/vmm" --kernel "$dir/vmlinuz" \
			--initrd "$dir/initrd" --memory "$mem" --cpus 1 \
			--append "$append" --disk "$img,transport=$transport" \
			</dev/null >"$log" 2>&1
		guest_rows "$kind" "$log"
		;;
	qemu)
		timeout -s KILL 1200 qemu-system-x86_64 -M q35 -accel kvm \
			-cpu host -m "$mem" -smp 1 -nodefaults -no-user-config \
			-display none -no-reboot -serial stdio \
			-kernel "$dir/vmlinuz" -initrd "$dir/initrd" \
			-append "console=ttyS0 reboot=k panic=-1 $append" \
			-drive "file=$img,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
			-device virtio-blk-pci,drive=d0 </dev/null >"$log" 2>&1
		guest_rows qemu "$log"
		;;
	host)
		# O_DIRECT where the file system has it (tmpfs does since 6.6).
		direct=1
		fio --name=probe --filename="$img" --rw=read --bs=4k --size=4k \
			--direct=1 >/dev/null 2>&1 || direct=0
		fio_rows "$img" $direct | sed 's/^@@fio /@@row host /' >>"$results"
		;;
	esac
done

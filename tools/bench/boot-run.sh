#!/bin/sh
# Inner half of tools/bench/boot.sh (POSIX sh: busybox ash in the test
# host, or any sh directly on a machine with hardware virtualization).
# Boots the same guest once per job under boottime and prints one line per
# boot to $BENCH_RESULTS (default stdout):
#   @@bench JOB KIND init_ms=N exit_ms=N maxrss_kb=N status=N vmm_timer_ms=N
# usage: boot-run.sh JOB:KIND...   (KIND: vmm, microvm, q35, or vmm-pci and
#                                   vmm-mmio: vmm with a virtio disk and rng
#                                   on that transport)
# env: BENCH_DIR (boottime, vmm, vmlinuz, initrd), BENCH_MEMORY, BENCH_APPEND

dir=${BENCH_DIR:?}
mem=${BENCH_MEMORY:-512M}
append=${BENCH_APPEND:-quiet vmm.scenario=poweroff}
results=${BENCH_RESULTS:-/dev/stdout}
qemu_common="-accel kvm -cpu host -m $mem -smp 1 -nodefaults -no-user-config
	-display none -no-reboot -serial stdio"

for job in "$@"; do
	idx=${job%%:*}
	kind=${job#*:}
	case $kind in
	vmm)
		set -- "$dir/vmm" --kernel "$dir/vmlinuz" --initrd "$dir/initrd" \
			--memory "$mem" --cpus 1 --append "$append"
		;;
	vmm-pci | vmm-mmio)
		disk=/tmp/bench-disk.img
		[ -f $disk ] || dd if=/dev/zero of=$disk bs=1048576 count=64 2>/dev/null
		set -- "$dir/vmm" --kernel "$dir/vmlinuz" --initrd "$dir/initrd" \
			--memory "$mem" --cpus 1 --append "$append" \
			--transport "${kind#vmm-}" --disk "$disk" --device virtio-rng
		;;
	microvm | q35)
		# shellcheck disable=SC2086 # qemu_common is a list of options
		set -- qemu-system-x86_64 -M "$kind" $qemu_common \
			-kernel "$dir/vmlinuz" -initrd "$dir/initrd" \
			-append "console=ttyS0 reboot=k panic=-1 $append"
		;;
	*)
		echo "boot-run.sh: unknown kind $kind" >&2
		continue
		;;
	esac
	echo "bench: boot $idx: $kind"
	line=$("$dir/boottime" 300 "/tmp/bench-$idx-$kind.log" "$@")
	echo "@@bench $idx $kind $line" >>"$results"
done

# The fio rows of tools/bench/blk.sh, shared by the guest (as scenario
# /scenarios/fio-bench.sh, sourced by guest-init) and the test host (for
# the ceiling, sourced by blk-run.sh). POSIX sh.
#
# Each row prints "@@fio ROW iops=N bw_kib=N" (from fio's terse output:
# field 8/7 for reads, 49/48 for writes).
FIO_RUNTIME=${FIO_RUNTIME:-8}
FIO_ROWS="randread-4k-qd1:randread:4k:1 randread-4k-qd32:randread:4k:32
randwrite-4k-qd1:randwrite:4k:1 randwrite-4k-qd32:randwrite:4k:32
read-1m-qd4:read:1m:4 write-1m-qd4:write:1m:4"

fio_rows() { # target direct(0|1)
	for row in $FIO_ROWS; do
		IFS=: read -r name rw bs qd <<ROW
$row
ROW
		line=$(fio --minimal --name="$name" --filename="$1" --rw="$rw" \
			--bs="$bs" --iodepth="$qd" --ioengine=libaio --direct="$2" \
			--runtime="$FIO_RUNTIME" --time_based --ramp_time=1 \
			--size=1g --randrepeat=0 --norandommap 2>/dev/null)
		case $rw in
		*read) iops=$(echo "$line" | cut -d';' -f8)
			bw=$(echo "$line" | cut -d';' -f7) ;;
		*) iops=$(echo "$line" | cut -d';' -f49)
			bw=$(echo "$line" | cut -d';' -f48) ;;
		esac
		echo "@@fio $name iops=${iops:-0} bw_kib=${bw:-0}"
	done
}

# As a guest scenario: the disk under test is vda.
guest_main() {
	fio_rows /dev/vda 1
}

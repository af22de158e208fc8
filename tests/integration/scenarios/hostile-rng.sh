# A hostile guest (issue 7, docs/hostile-guest.md): vmm-hostile, built
# from tests/integration/guest-tools/vmm-hostile, unbinds Linux's driver
# from the virtio-rng PCI function, maps its BAR from sysfs and drives it
# with malformed rings (split and packed), wrong status sequences, absurd
# queue registers and notification storms. vmm must stay up, flag
# DEVICE_NEEDS_RESET (or drop just the one request) as documented, come
# back clean after each reset, keep the bystander disk working, keep its
# log rate-limited, keep its memory flat under the storms, and let the
# guest power off. At the end Linux takes the device back and reads
# random bytes from it again.
VMM_ARGS="--memory 512M --disk ${WORK:-}/disk.img,serial=bystander
	--device virtio-rng"
VMM_TIMEOUT=600
PATTERN_BYTES=1048576
GUEST_KB=524288 # --memory 512M: the one mapping the RSS figures leave out
RSS_LIMIT_KB=8192

# ---- where vmm runs: vmm's memory, sampled every 0.5 s ----------------

# vmm's pid: the process called vmm whose command line names our disk.
vmm_pid() {
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = vmm ] || continue
		case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in
		*"$WORK/disk.img"*) echo "${p#/proc/}" && return ;;
		esac
	done
}

# RSS in kB: all of it, and all but guest RAM (vmm's own memory).
rss_of() { # pid
	awk -v guest=$GUEST_KB '
		/^VmRSS:/ { total = $2 }
		/^Size:/ { size = $2 }
		/^Rss:/ && size < guest { own += $2 }
		END { print total + 0, own + 0 }' \
		"/proc/$1/status" "/proc/$1/smaps" 2>/dev/null
}

# Phase from what the guest printed so far: the storms run between
# "storm=begin" and "storm=end".
rss_phase() {
	if grep -q 'vmm-report: storm=end' "$1"; then
		echo after
	elif grep -q 'vmm-report: storm=begin' "$1"; then
		echo storm
	else
		echo before
	fi
}

# Runs until run-one.sh removes $WORK, if host_after never stops it.
rss_sampler() {
	out=${WORK%.work}.out pid=
	while [ -d "$WORK" ]; do
		[ -n "$pid" ] && [ -d "/proc/$pid" ] || pid=$(vmm_pid)
		[ -n "$pid" ] && echo "$(rss_phase "$out") $(rss_of "$pid")" \
			>>"$WORK/rss.log"
		sleep 0.5
	done
}

host_before() {
	dd if=/dev/zero of="$WORK/disk.img" bs=1048576 count=16 2>/dev/null
	date +%s >"$WORK/start"
	[ -f "$WORK/sampler.pid" ] && kill "$(cat "$WORK/sampler.pid")"
	: >"$WORK/rss.log"
	rss_sampler </dev/null >/dev/null 2>&1 &
	echo $! >"$WORK/sampler.pid"
}

# Growth during the storms: the largest storm sample minus the last one
# before them, for VmRSS and for vmm's own memory.
host_after() {
	kill "$(cat "$WORK/sampler.pid")" 2>/dev/null
	echo "vmm_seconds=$(($(date +%s) - $(cat "$WORK/start")))"
	awk '
		$1 == "before" { base = $2; obase = $3 }
		$1 == "storm" {
			n++
			if (!seen) { seen = 1; if (base == "") { base = $2; obase = $3 } }
			if ($2 > max) max = $2
			if ($3 > omax) omax = $3
			last = $2 " " $3
		}
		END {
			print "rss_storm_samples=" n + 0
			print "rss_storm_last=" last
			print "rss_storm_base_kb=" base + 0
			print "rss_storm_growth_kb=" (n ? max - base : 0)
			print "own_storm_base_kb=" obase + 0
			print "own_storm_growth_kb=" (n ? omax - obase : 0)
		}' "$WORK/rss.log"
	echo "image_sha=$(head -c $PATTERN_BYTES "$WORK/disk.img" | sha256sum |
		cut -d' ' -f1)"
}

# ---- in the guest -------------------------------------------------------

# The PCI function of the virtio-rng device (modern: 0x1040 + 4).
rng_bdf() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] &&
			[ "$(cat "$d/device")" = 0x1044 ] && basename "$d"
	done
}

disk_round_trip() { # key
	yes "vmm-$1" | head -c $PATTERN_BYTES >/tmp/pattern
	dd if=/tmp/pattern of=/dev/vda bs=65536 conv=fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	if head -c $PATTERN_BYTES /dev/vda | cmp -s - /tmp/pattern; then
		report "$1" ok
	else
		report "$1" mismatch
	fi
}

guest_main() {
	bdf=$(rng_bdf)
	report rng_before "$(cat /sys/class/misc/hw_random/rng_current)"
	disk_round_trip disk_before
	vmm-hostile
	report hostile_exit $?
	report rng_during "$(cat /sys/class/misc/hw_random/rng_current)"
	disk_round_trip disk_after
	report pattern_sha "$(sha256sum </tmp/pattern | cut -d' ' -f1)"
	# Linux takes the device back: probe resets it and sets it up anew.
	echo "$bdf" >/sys/bus/pci/drivers/virtio-pci/bind
	report rng_rebound "$(cat /sys/class/misc/hw_random/rng_current)"
	report rng_bytes "$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null |
		wc -c)"
}

# ---- the check ----------------------------------------------------------

# "KEY VALUE" per case: docs/hostile-guest.md says why each one is so.
# FIRST/NEXT: what the malformed request did, then what one well-formed
# request on the same ring did, without a reset.
EXPECTED='
status.driver_before_ack 0x00
status.driver_ok_before_features_ok 0x03
status.features_ok_before_driver 0x01
status.features_not_offered 0x03
status.features_without_version_1 0x03
status.clear_bits 0x0b
status.unknown_bit_0x10 0x0b
status.unknown_bit_0x20 0x0b
status.driver_sets_needs_reset 0x0b
status.failed 0x8b
status.after_failed 0x8b
status.features_after_features_ok kept
status.reset_clean clean
queue.size_0 256
queue.size_257 256
queue.size_0xffff 256
queue.select_1 size=0 enable=0 desc=0
queue.select_0xffff size=0 enable=0 desc=0
queue.desc_while_enabled kept/served
queue.size_while_enabled kept/served
queue.enable_0 kept/served
queue.reset_not_negotiated kept/served
queue.reset_then_ok 0/served
queue.reset_then_host_addr 0/needs_reset
regs.wrong_widths ignored
regs.read_only ignored numq=1 noff=0
regs.holes ignored read=0
regs.pci_cfg_cap write=0x01 bad=0x01 read=ok
split.laps 40/40
split.loop needs_reset/none
split.self_loop needs_reset/none
split.head_oob needs_reset/none
split.head_max needs_reset/none
split.next_oob needs_reset/none
split.next_max needs_reset/none
split.avail_jump needs_reset/none
split.avail_jump_far needs_reset/none
split.buf_host_addr dropped/served
split.buf_kernel_addr dropped/served
split.buf_hole dropped/served
split.buf_bar dropped/served
split.buf_cross_ram_end dropped/served
split.buf_len_4g dropped/served
split.buf_len_past_ram dropped/served
split.buf_gpa_len_wraps dropped/served
split.buf_gpa_max dropped/served
split.zero_len dropped/served
split.readable_after_writable dropped/served
split.chain_over_4g dropped/served
split.readable_only dropped/served
split.unknown_flags served/served
split.buf_over_own_rings served/served
split.ind_ok served/served
split.ind_misaligned served/served
split.ind_empty dropped/served
split.ind_len_17 dropped/served
split.ind_len_24 dropped/served
split.ind_len_huge dropped/served
split.ind_nested dropped/served
split.ind_with_next dropped/served
split.ind_host_addr dropped/served
split.ind_cross_ram_end dropped/served
split.ind_loop dropped/served
split.ind_next_oob dropped/served
split.ind_too_many dropped/served
split.ind_not_negotiated dropped/served
split.size_not_pow2 needs_reset/none
split.ring_host_addr needs_reset/none
split.ring_misaligned needs_reset/none
split.used_misaligned needs_reset/none
split.used_cross_ram_end needs_reset/none
split.ring_on_bar needs_reset/none
split.late_enable_host_addr needs_reset/none
packed.laps 40/40
packed.chain_too_long needs_reset/none
packed.chain_unavail needs_reset/none
packed.chain_used_bits needs_reset/none
packed.head_prev_lap none/served
packed.buf_host_addr dropped/served
packed.buf_hole dropped/served
packed.buf_cross_ram_end dropped/served
packed.buf_len_4g dropped/served
packed.buf_gpa_len_wraps dropped/served
packed.zero_len dropped/served
packed.readable_after_writable dropped/served
packed.unknown_flags served/served
packed.ind_ok served/served
packed.ind_inner_flags served/served
packed.ind_empty dropped/served
packed.ind_len_24 dropped/served
packed.ind_host_addr dropped/served
packed.ind_with_next dropped/served
packed.ind_in_chain dropped/served
packed.ind_too_many dropped/served
packed.ind_not_negotiated dropped/served
packed.size_13 served/served
packed.ring_host_addr needs_reset/none
packed.ring_misaligned needs_reset/none
packed.event_misaligned needs_reset/none
packed.late_enable_host_addr needs_reset/none
storm.split served
storm.packed served
storm.broken_queue needs_reset
storm.missing_queues served
storm.requests 1000/1000
storm.log_flood 5000
'

host_value() { # key
	sed -n "s/^host: $1=//p" "$OUT" | tail -n 1
}

# Lines the cases printed (not the summary lines without a dot).
cases_reported() {
	grep -a -c -E 'vmm-report: (status|queue|regs|split|packed|storm)\.' \
		"$OUT"
}

# Every case has its value from the table, no case is missing or extra.
check_cases() {
	local key value bad=0 n=0 got
	while read -r key value; do
		[ -n "$key" ] || continue
		n=$((n + 1))
		expect_report "$key" "$value" || bad=1
	done <<EOF
$EXPECTED
EOF
	got=$(cases_reported)
	[ "$got" = $n ] || fail "the guest reported $got cases, the table has $n"
	[ "$got" = $n ] && [ $bad = 0 ]
}

# Every reset brought the device back (N/N), and the storms stormed.
check_recovery() {
	local rec notes
	rec=$(reported hostile_recovered)
	notes=$(reported storm_notifications)
	expect_report hostile_exit 0 || return 1
	[ -n "$rec" ] && [ "${rec%/*}" = "${rec#*/}" ] ||
		fail "hostile_recovered is '$rec'" || return 1
	[ "${notes:-0}" -ge 1000 ] || fail "only '$notes' notifications"
}

# Every "vmm: " line but the boot timer is a guest-caused message: at most
# a burst of 10, then one a second.
check_log() {
	local lines seconds
	lines=$(grep -a '^vmm: ' "$OUT" | grep -v -c 'boot-timer')
	seconds=$(host_value vmm_seconds)
	echo "guest-error lines: $lines in ${seconds:-?} s"
	[ -n "$seconds" ] || fail "no vmm_seconds from host_after" || return 1
	[ "$lines" -ge 10 ] || fail "only $lines guest-error lines" || return 1
	[ "$lines" -le $((seconds + 12)) ] ||
		fail "$lines guest-error lines in $seconds s: not rate-limited"
}

check_rss() {
	local n growth own
	n=$(host_value rss_storm_samples)
	growth=$(host_value rss_storm_growth_kb)
	own=$(host_value own_storm_growth_kb)
	echo "RSS during the storms: ${n:-0} samples," \
		"VmRSS +$growth kB, vmm's own +$own kB"
	[ "${n:-0}" -ge 5 ] || fail "only ${n:-0} samples in the storms" ||
		return 1
	[ "$growth" -le $RSS_LIMIT_KB ] ||
		fail "VmRSS grew $growth kB in the storms" || return 1
	[ "$own" -le $RSS_LIMIT_KB ] ||
		fail "vmm's own RSS grew $own kB in the storms"
}

check() {
	expect_report rng_before virtio_rng.0 &&
		expect_report disk_before ok &&
		expect_report rng_during none &&
		expect_report disk_after ok &&
		expect_line "^host: image_sha=$(reported pattern_sha)\$" &&
		expect_report rng_rebound virtio_rng.0 &&
		expect_report rng_bytes 64 &&
		check_recovery && check_cases && check_log && check_rss
}

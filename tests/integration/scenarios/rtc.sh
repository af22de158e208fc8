# The guest's clock comes from the emulated CMOS RTC: the date it reads
# must be the host's UTC date (a day of slack either way for midnight).
VMM_ARGS=""

guest_main() {
	report date "$(date -u +%Y-%m-%d)"
	if [ -r /sys/class/rtc/rtc0/date ]; then
		report rtc_date "$(cat /sys/class/rtc/rtc0/date)"
	fi
	report hwclock "$(hwclock -r -u 2>&1)"
}

check() {
	host_days=$(($(date -u +%s) / 86400))
	for key in date rtc_date; do
		value=$(reported $key)
		[ -n "$value" ] || fail "guest did not report $key" || return 1
		days=$(($(date -u -d "$value" +%s) / 86400)) ||
			fail "bad $key '$value'" || return 1
		diff=$((days - host_days))
		[ $diff -ge -1 ] && [ $diff -le 1 ] ||
			fail "guest $key $value, host $(date -u +%Y-%m-%d)" || return 1
	done
}

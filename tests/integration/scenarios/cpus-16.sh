# Boot with sixteen vCPUs (the floor for --cpus): all come online.
VMM_ARGS="--cpus 16"
VMM_TIMEOUT=400

guest_main() {
	report nproc "$(nproc)"
	report online "$(cat /sys/devices/system/cpu/online)"
}

check() {
	expect_report nproc 16 && expect_report online 0-15
}

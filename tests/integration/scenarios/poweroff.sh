# The guest powers off (ACPI S5 via busybox poweroff -f): vmm exits 0.
VMM_ARGS=""

guest_main() {
	report uname "$(uname -r)"
}

check() {
	expect_line 'vmm-guest: powering off'
}

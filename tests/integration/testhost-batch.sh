#!/bin/sh
# Runs inside the test host (busybox ash), started by the per-run /run.sh:
# runs the named scenarios one after another with run-one.sh and sends each
# one's captured output (base64) and exit status back over the results
# channel (the test host's ttyS1, read by run-scenarios on the other side):
#   @@vmm-result begin NAME
#   <base64 of console + vmm stderr>
#   @@vmm-result end NAME STATUS SECONDS     (or: @@vmm-result skip NAME WHY)
#   @@vmm-results complete
# usage: testhost-batch.sh SCENARIO...

results=${VMM_RESULTS:-/dev/console}
exec 4>"$results"

if [ "${VMM_TESTHOST_KVM:-no}" != yes ]; then
	for name in "$@"; do
		echo "@@vmm-result skip $name no /dev/kvm in the test host (kvm-amd did not load)" >&4
	done
	echo "@@vmm-results complete" >&4
	exit 0
fi

cd /vmm || exit 1
# shellcheck source=scenario-lib.sh
. /vmm/scenario-lib.sh
for name in "$@"; do
	echo "vmm-testhost: scenario $name begin"
	scenario_resolve /vmm/scenarios "$name"
	sh /vmm/run-one.sh /vmm/bin/vmm /vmm/guest/vmlinuz \
		/vmm/guest/initrd.cpio.gz "$scenario_file" "/tmp/$name" \
		"$scenario_transport"
	status=$(cat "/tmp/$name.status")
	seconds=$(cat "/tmp/$name.time")
	echo "vmm-testhost: scenario $name end status=$status ($seconds s)"
	{
		echo "@@vmm-result begin $name"
		base64 "/tmp/$name.out"
		echo "@@vmm-result end $name $status $seconds"
	} >&4
	rm -f "/tmp/$name.out"
done
echo "@@vmm-results complete" >&4
# Closing the tty waits until the UART has sent everything.
exec 4>&-

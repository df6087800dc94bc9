#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the systemd guest at the end of every boot (netfence-test.service,
# installed by tests/vm/sysboot.sh): counts the boot on the disk, runs the
# scenario's stage for this boot (see tests/system/lib.sh), then reboots
# or powers off. Results go to the directory the host shares at /nfresults:
#   results      "PASS|FAIL bootN: CHECK" lines and "# bootN: ..." notes
#   bootN.log    output of stage N
#   status       "boot N begin", "boot N end RC NEXT", "done" at the end
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. /etc/netfence-test.env
# A scenario that keeps rebooting is stopped here.
max_boots=${NFT_MAX_BOOTS:-8}

if ! mountpoint -q /nfresults; then
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /nfresults || {
		echo "netfence-test: cannot mount the results directory" >&2
		systemctl poweroff
		exit 1
	}
fi
mkdir -p /var/lib/netfence-test
boot=$(($(cat /var/lib/netfence-test/boot 2>/dev/null || echo 0) + 1))
echo "$boot" >/var/lib/netfence-test/boot
sync
export NFT_BOOT=$boot
# shellcheck source=tests/system/lib.sh
. "$here/lib.sh"
# shellcheck source=/dev/null
. "$here/$NFT_SCENARIO.sh"

# Every other unit settles first (the boot's "degraded" is the scenario's
# business), then where the boot's time went: the scenarios' cost is
# mostly boots.
timeout 120 systemctl is-system-running --wait >/dev/null 2>&1
{
	systemd-analyze time
	systemd-analyze blame | head -n 15
} >"$NFT_RESULTS/boot$boot.analyze" 2>&1
echo "netfence-sys: begin boot$boot" >/dev/kmsg
echo "boot $boot begin $(cut -d' ' -f1 /proc/uptime)" >>"$NFT_RESULTS/status"
if declare -F "stage_$boot" >/dev/null; then
	(
		set -u
		"stage_$boot"
		# The stage's choice leaves the subshell through a file.
		echo "$NFT_NEXT" >"$NFT_STATE/next"
	) >"$NFT_RESULTS/boot$boot.log" 2>&1
	rc=$?
	next=$(cat "$NFT_STATE/next" 2>/dev/null || echo poweroff)
	rm -f "$NFT_STATE/next"
else
	result FAIL "no stage_$boot in $NFT_SCENARIO.sh: unexpected reboot"
	rc=1
	next=poweroff
fi
if [ "$next" = reboot ] && [ "$boot" -ge "$max_boots" ]; then
	result FAIL "still rebooting after $boot boots"
	next=poweroff
fi
echo "boot $boot end $rc $next" >>"$NFT_RESULTS/status"
[ "$next" = poweroff ] && echo 'done' >>"$NFT_RESULTS/status"
echo "netfence-sys: end boot$boot, $next" >/dev/kmsg
sync
systemctl --no-block "$next"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a test guest (job of boot.sh): KUnit (debug kernel), every
# integration scenario named in NETFENCE_TESTS, then the kmemleak check
# (debug kernel). Results go to $NETFENCE_RESULTS (shared with the host):
#   status            one line per finished step: "test NAME RC SECONDS",
#                     "kunit RC", "kmemleak RC", and "done" at the end
#   NAME.log          output of scenario NAME
#   kunit/SUITE.ktap  KTAP of each KUnit suite
#   kmemleak.txt      what kmemleak reported after netfence was unloaded
# Each step is bracketed by "netfence-vm: begin/end STEP" in the kernel log,
# so the host can tell which step a kernel warning belongs to.
set -u
res=${NETFENCE_RESULTS:-/nfresults}
status=$res/status
: >"$status"

mark() { echo "netfence-vm: $*" >/dev/kmsg; }

kmemleak=/sys/kernel/debug/kmemleak
# Forget whatever the boot itself left behind: only what follows counts.
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

# Leave the kernel as a scenario found it: nothing isolated, module gone.
reset_netfence() {
	local ns
	[ -d /sys/module/netfence ] || return 0
	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		"$NETFENCE" -n "$ns" release >/dev/null 2>&1
		ip netns del "$ns" 2>/dev/null
	done
	"$NETFENCE" release >/dev/null 2>&1
	# Deleted namespaces go away asynchronously.
	for _ in $(seq 50); do
		rmmod netfence 2>/dev/null && return 0
		sleep 0.2
	done
	echo "netfence could not be unloaded after the scenario" >&2
	return 1
}

if [ -n "${NETFENCE_KUNIT_KO:-}" ] && [ "${NETFENCE_RUN_KUNIT:-0}" = 1 ]; then
	mark "begin kunit"
	mkdir -p "$res/kunit"
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	logstart=$(dmesg | wc -l)
	insmod "$NETFENCE_KUNIT_KO" >"$res/kunit/insmod.log" 2>&1
	rc=$?
	for d in /sys/kernel/debug/kunit/*/; do
		[ -f "$d/results" ] || continue
		suite=$(basename "$d")
		grep -qx "$suite" <<<"$before" && continue
		cp "$d/results" "$res/kunit/$suite.ktap"
	done
	# Without KUnit's debugfs files, the suites' KTAP is in the kernel log.
	if ! ls "$res/kunit/"*.ktap >/dev/null 2>&1; then
		dmesg | tail -n +"$((logstart + 1))" >"$res/kunit/dmesg.log"
		python3 "${NETFENCE_ROOT:?}/tests/vm/kunit-split.py" \
			"$res/kunit/dmesg.log" "$res/kunit" >>"$res/kunit/insmod.log" 2>&1
	fi
	rmmod netfence_kunit 2>>"$res/kunit/insmod.log"
	mark "end kunit"
	echo "kunit $rc" >>"$status"
fi

cd "${NETFENCE_ROOT:?}" || exit 1
for t in ${NETFENCE_TESTS:-}; do
	name=$(basename "$t" .sh)
	limit=$(sed -n 's/^# timeout: *\([0-9]\+\).*/\1/p' "$t" | head -n1)
	limit=${limit:-${NETFENCE_TEST_TIMEOUT:-300}}
	mark "begin $name"
	start=$(date +%s)
	TMPDIR=$(mktemp -d /tmp/"$name".XXXXXX) timeout -k 10 "$limit" bash "$t" \
		</dev/null >"$res/$name.log" 2>&1
	rc=$?
	[ "$rc" = 124 ] && echo "netfence-tests: timed out after $limit s" >>"$res/$name.log"
	if ! reset_netfence >>"$res/$name.log" 2>&1; then
		[ "$rc" = 0 ] && rc=1
	fi
	mark "end $name rc=$rc"
	echo "test $name $rc $(($(date +%s) - start))" >>"$status"
done

if [ -w "$kmemleak" ]; then
	mark "begin kmemleak"
	rmmod netfence 2>/dev/null
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	cat "$kmemleak" >"$res/kmemleak.txt"
	mark "end kmemleak"
	echo "kmemleak 0" >>"$status"
fi
dmesg >"$res/dmesg.txt"
echo done >>"$status"

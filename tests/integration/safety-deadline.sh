#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lock-out protection and tamper resistance of the module itself:
# - isolate --timeout 5s releases the namespace by itself 5 to 8 s later,
#   and "netfence monitor" reports "released" with reason "timeout";
# - renew pushes the deadline back; release removes it;
# - the module cannot be unloaded while a namespace is isolated;
# - a namespace deleted while isolated, with a deadline pending, goes away
#   cleanly (isolated count drops, its deadline never fires: KASAN and
#   lockdep watch the debug kernel's log);
# - once nothing is isolated the module unloads (its pending work waited
#   for), and loads again.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new A alpha
ns_new B beta
veth "$A" eth0 "$B" eth0
addr "$A" eth0 10.0.71.1/24
addr "$B" eth0 10.0.71.2/24

# The guest runs under TCG on a busy machine: a command may take seconds.
# Durations are measured with the kernel's own clock (printk timestamps of
# marks written to /dev/kmsg and of netfence's "deadline passed" line).
kmark() { echo "netfence-test: $1" >/dev/kmsg; }
# kts REGEX: timestamp (s) of the last kernel log line matching REGEX.
kts() { dmesg | grep -E -- "$1" | tail -n1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
# within LO HI X: LO <= X <= HI (decimals).
within() { awk -v l="$1" -v h="$2" -v x="$3" 'BEGIN { exit !(x >= l && x <= h) }'; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b - a }'; }
# deadline_lines: deadline releases logged since the mark dl_mark.
deadline_lines() { dmesg_since "$dl_mark" | grep -c 'isolation deadline passed'; }

log "deadline in status; renew moves it; --timeout 0 removes it"
expect_ok "isolate --timeout 120s" nf "$A" isolate --timeout 120s
expect_isolated "$A" true 6
expect_fail "isolated: beta unreachable" ping4 "$A" 10.0.71.2
left=$(nf_get "$A" .timeout_left_ms)
log "timeout_left_ms: $left"
expect_ge "status shows the time left (> 60 s)" 60000 "$left"
expect_le "status shows the time left (<= 120 s)" 120000 "$left"
expect_match "human status names the deadline" 'deadline: releases in' "$(nf "$A" status 2>&1)"
expect_ok "renew --timeout 300s" nf "$A" renew --timeout 300s
left=$(nf_get "$A" .timeout_left_ms)
expect_ge "renewed: more than 240 s left" 240000 "$left"
expect_ok "renew without --timeout (the last duration again)" nf "$A" renew
left=$(nf_get "$A" .timeout_left_ms)
expect_ge "renew reused 300 s" 240000 "$left"
expect_ok "isolate --timeout 0 removes the deadline" nf "$A" isolate --timeout 0
expect_eq "no deadline in status" null "$(nf_get "$A" .timeout_left_ms)"
expect_fail "renew without a deadline fails" nf "$A" renew
expect_match "renew names the missing deadline" 'no isolation deadline' "$(cat "$T/last.out")"
expect_ok "release" nf "$A" release
expect_fail "renew after release fails" nf "$A" renew

log "renew postpones a deadline that would have passed"
dl_mark=$(dmesg_mark)
n0=$(deadline_lines)
kmark "isolate-8s"
expect_ok "isolate --timeout 8s" nf "$A" isolate --timeout 8s
expect_ok "renew --timeout 60s" nf "$A" renew --timeout 60s
kmark "renewed"
gap=$(diff_s "$(kts 'netfence-test: isolate-8s')" "$(kts 'netfence-test: renewed')")
log "isolate to renew: $gap s (kernel clock)"
sleep 10
if within 0 7 "$gap"; then
	expect_eq "still isolated 10 s after the 8 s deadline was renewed" true \
		"$(nf_get "$A" .isolated)"
	expect_eq "no deadline fired" "$n0" "$(deadline_lines)"
else
	log "renew came $gap s after isolate (guest too slow): postponement not judged"
fi
expect_ok "release" nf "$A" release

log "the deadline fires: isolate --timeout 5s, released 5 to 8 s later, with an event"
# The monitor exits after two events: isolated, then released.
bg mon "$A" "$NF" monitor -j --count 2
sleep 3
kmark "isolate-5s-before"
expect_ok "isolate --timeout 5s" nf "$A" isolate --timeout 5s
kmark "isolate-5s-after"
if wait_for 60 nf_released "$A"; then pass "released by itself"; else fail "released by itself"; fi
t_before=$(kts 'netfence-test: isolate-5s-before')
t_after=$(kts 'netfence-test: isolate-5s-after')
t_rel=$(kts 'isolation deadline passed')
lo=$(diff_s "$t_after" "$t_rel")
hi=$(diff_s "$t_before" "$t_rel")
log "kernel clock: isolate between $t_before and $t_after, released at $t_rel"
log "deadline fired $lo to $hi s after isolate --timeout 5s"
if within 4.9 8 "$hi" && within 0 8 "$lo"; then
	pass "released between 5 and 8 s after isolate ($lo..$hi s)"
else
	fail "released between 5 and 8 s after isolate" "got: $lo..$hi s"
fi
expect_isolated "$A" false 0
expect_eq "no deadline left in status" null "$(nf_get "$A" .timeout_left_ms)"
expect_ok "released: beta reachable again" ping4 "$A" 10.0.71.2
wait_for 20 bash -c "! kill -0 $mon_pid" || kill "$mon_pid"
log "monitor: $(tr '\n' ' ' <"$T/mon.log")"
expect_match "monitor saw the isolation" '"event": *"isolated"' "$(cat "$T/mon.log")"
expect_match "monitor saw the release, reason timeout" \
	'"event": *"released".*"reason": *"timeout"' "$(cat "$T/mon.log")"

log "no unload while isolated"
expect_ok "isolate" nf "$A" isolate
expect_fail "rmmod netfence refused while a namespace is isolated" rmmod netfence
expect_ok "module still loaded" test -d /sys/module/netfence
expect_ok "release" nf "$A" release

log "a namespace deleted while isolated, deadline pending"
ns_new C gamma
base=$(nf_global_isolated)
expect_ok "isolate gamma --timeout 5s" nf "$C" isolate --timeout 5s
expect_eq "isolated count +1" $((base + 1)) "$(nf_global_isolated)"
ip netns del "$C"
if wait_for 30 _isolated_is "$base"; then pass "isolated count back to $base after deleting gamma"
else fail "isolated count back to $base after deleting gamma" "got: $(nf_global_isolated)"; fi
# Past gamma's deadline: a work item left behind would run on freed memory.
sleep 6
expect_ok "the module answers after gamma's deadline passed" "$NF" status

log "unload once nothing is isolated, load again"
if [ "$(nf_global_isolated)" = 0 ]; then
	expect_ok "isolate alpha with a deadline, then release" nf "$A" isolate --timeout 60s
	expect_ok "release alpha" nf "$A" release
	expect_ok "rmmod netfence with nothing isolated" rmmod netfence
	nf_load_module
	expect_ok "module loaded again" "$NF" status
else
	log "another namespace is isolated: unload not tried"
fi

finish

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
# timeout: 400
. "$(dirname "$0")/lib.sh"
nf_init

ns_new A alpha
ns_new B beta
veth "$A" eth0 "$B" eth0
addr "$A" eth0 10.0.71.1/24
addr "$B" eth0 10.0.71.2/24

now() { date +%s.%N; }
# secs_since T0: seconds elapsed since T0, 1 decimal.
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f\n", b - a }'; }
# within LO HI X: LO <= X <= HI (decimals).
within() { awk -v l="$1" -v h="$2" -v x="$3" 'BEGIN { exit !(x >= l && x <= h) }'; }
released() { [ "$(nf_get "$1" .isolated)" = false ]; }

log "deadline: isolate --timeout 5s, released by itself, with an event"
# The monitor exits after two events: isolated, then released.
bg mon "$A" "$NF" monitor -j --count 2
sleep 2
t0=$(now)
expect_ok "isolate --timeout 5s" nf "$A" isolate --timeout 5s
expect_isolated "$A" true 6
expect_fail "isolated: beta unreachable" ping4 "$A" 10.0.71.2
left=$(nf_get "$A" .timeout_left_ms)
log "timeout_left_ms right after isolate: $left"
expect_ge "status shows the time left (> 2 s)" 2000 "$left"
expect_le "status shows the time left (<= 5 s)" 5000 "$left"
expect_match "human status names the deadline" 'deadline: releases in' "$(nf "$A" status 2>&1)"
wait_for 20 released "$A"
dt=$(secs_since "$t0")
log "released ${dt} s after isolate --timeout 5s"
if within 5 8 "$dt"; then pass "released by the deadline between 5 and 8 s ($dt s)"; else
	fail "released by the deadline between 5 and 8 s" "got: $dt s"; fi
expect_isolated "$A" false 0
expect_eq "no deadline left in status" null "$(nf_get "$A" .timeout_left_ms)"
expect_ok "released: beta reachable again" ping4 "$A" 10.0.71.2
wait_for 10 bash -c "! kill -0 $mon_pid" || kill "$mon_pid"
log "monitor: $(tr '\n' ' ' <"$T/mon.log")"
expect_match "monitor saw the isolation" '"event": *"isolated"' "$(cat "$T/mon.log")"
expect_match "monitor saw the release, reason timeout" \
	'"event": *"released".*"reason": *"timeout"' "$(cat "$T/mon.log")"

log "renew moves the deadline; release removes it"
expect_ok "isolate --timeout 4s" nf "$A" isolate --timeout 4s
t0=$(now)
sleep 2
expect_ok "renew --timeout 8s" nf "$A" renew --timeout 8s
left=$(nf_get "$A" .timeout_left_ms)
expect_ge "renewed: more than 6 s left" 6000 "$left"
sleep 3
expect_eq "still isolated 5 s after a 4 s deadline was renewed" true "$(nf_get "$A" .isolated)"
expect_ok "renew without --timeout (last duration again)" nf "$A" renew
left=$(nf_get "$A" .timeout_left_ms)
expect_ge "renew reused 8 s" 6000 "$left"
expect_ok "isolate --timeout 0 removes the deadline" nf "$A" isolate --timeout 0
expect_eq "no deadline" null "$(nf_get "$A" .timeout_left_ms)"
expect_fail "renew without a deadline fails" nf "$A" renew
expect_ok "isolate --timeout 3s on an isolated namespace sets one" nf "$A" isolate --timeout 3s
expect_ok "release" nf "$A" release
sleep 4
expect_isolated "$A" false 0
expect_fail "renew after release fails" nf "$A" renew

log "no unload while isolated"
expect_ok "isolate" nf "$A" isolate
expect_fail "rmmod netfence refused while a namespace is isolated" rmmod netfence
expect_ok "module still loaded" test -d /sys/module/netfence
expect_ok "release" nf "$A" release

log "a namespace deleted while isolated, deadline pending"
ns_new C gamma
base=$(nf_global_isolated)
expect_ok "isolate gamma --timeout 3s" nf "$C" isolate --timeout 3s
expect_eq "isolated count +1" $((base + 1)) "$(nf_global_isolated)"
ip netns del "$C"
if wait_for 30 _isolated_is "$base"; then pass "isolated count back to $base after deleting gamma"
else fail "isolated count back to $base after deleting gamma" "got: $(nf_global_isolated)"; fi
# Past gamma's deadline: a work item left behind would run on freed memory.
sleep 4
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

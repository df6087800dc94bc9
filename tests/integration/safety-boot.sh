#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail closed at boot, simulated in the guest's initial namespace (the test
# bench reports through 9p and the serial port, not IP):
# - isolate_on_load=1 with an invalid boot_allow entry (or an invalid
#   isolate_on_load value): the load fails, with the reason in the kernel
#   log, and nothing is loaded (the host is never left believing it is
#   isolated under a policy it did not ask for);
# - netfence is loaded with isolate_on_load=1 and a valid boot_allow list:
#   the initial namespace is isolated as the module loads, with its rules
#   and the default toggles; a cgroup rule of the list names a path that
#   does not exist at load and matches once a cgroup is created there;
# - an interface created and brought up afterwards is filtered from its
#   first packet: allowed endpoints work, anything else is dropped;
# - "netfence isolate --file" then restores the saved policy (what the
#   systemd unit does at boot), and release ends it all.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init
[ "$_BASE_ISOLATED" = 0 ] || skip "a namespace is isolated: netfence cannot be reloaded"

# Whatever happens, the initial namespace is released and netfence is
# loaded again without parameters for the scenarios that follow.
_boot_restore() {
	if nf_module_loaded; then
		"$NF" release >/dev/null 2>&1
		rmmod netfence 2>/dev/null
	fi
	ip link del nfb0 2>/dev/null
	rmdir "$BOOTCG/agent.service" "$BOOTCG" 2>/dev/null
	nf_load_module >/dev/null
}
CGROOT=/sys/fs/cgroup
if [ ! -f "$CGROOT/cgroup.controllers" ]; then
	mkdir -p "$CGROOT"
	mount -t cgroup2 none "$CGROOT" || skip "cannot mount cgroup2 on $CGROOT"
fi
BOOTCG=$CGROOT/nfboot$$.slice
trap 'rc=$?; _boot_restore; (exit $rc); _cleanup' EXIT

expect_ok "unload netfence (nothing isolated)" rmmod netfence

log "an invalid boot_allow entry fails the load: nothing is loaded"
# unload_if_loaded: undo a load that should have failed (old modules).
unload_if_loaded() {
	nf_module_loaded || return 0
	"$NF" release >/dev/null 2>&1
	rmmod netfence
}
good='10.0.76.2:tcp:7000'
for bad in bogus-entry 10.0.76.0/16 10.0.76.2:tcp:99999 uid=9-1 cgroup=/a/../b; do
	mark=$(dmesg_mark)
	expect_fail "insmod isolate_on_load=1 boot_allow=$good,$bad fails" \
		insmod "$NF_KO" isolate_on_load=1 "boot_allow=$good,$bad"
	expect_fail "$bad: netfence is not loaded" nf_module_loaded
	msgs=$(dmesg_since "$mark" | grep 'netfence:')
	log "kernel log: $(tr '\n' '|' <<<"$msgs")"
	expect_match "$bad: the reason is logged" "boot_allow: invalid rule \"$bad\"" "$msgs"
	unload_if_loaded
done
expect_fail "insmod isolate_on_load=maybe fails" insmod "$NF_KO" isolate_on_load=maybe
expect_fail "isolate_on_load=maybe: netfence is not loaded" nf_module_loaded
unload_if_loaded

log "a valid boot_allow list: isolated as the module loads"
allow='10.0.76.2:tcp:7000,10.0.76.2:tcp:2222:in,[fd00:76::2]:tcp:7000'
allow+=",10.0.76.2:tcp:7001:cgroup=/nfboot$$.slice//agent.service"
mark=$(dmesg_mark)
expect_ok "load with isolate_on_load=1 boot_allow=..." \
	insmod "$NF_KO" isolate_on_load=1 "boot_allow=$allow"
msgs=$(dmesg_since "$mark" | grep 'netfence:')
log "kernel log: $(tr '\n' '|' <<<"$msgs")"
expect_match "isolated at load, 4 rules" 'isolate_on_load: initial namespace isolated with 4 rules' "$msgs"
st=$("$NF" -j status)
expect_eq "initial namespace isolated" true "$("$PROBE" json .isolated <<<"$st")"
expect_eq "4 rules" 4 "$("$PROBE" json .rules <<<"$st")"
expect_eq "default toggles on (nd)" true "$("$PROBE" json .flags.nd <<<"$st")"
expect_eq "default toggles on (dhcp4)" true "$("$PROBE" json .flags.dhcp4 <<<"$st")"
log "rules: $("$NF" allow list | tr '\n' '|')"
expect_match "rule: tcp 7000 out" '10\.0\.76\.2 proto tcp port 7000' "$("$NF" allow list)"
expect_match "rule: tcp 2222 in" '10\.0\.76\.2 proto tcp port 2222 dir in' "$("$NF" allow list)"
expect_match "rule: IPv6 tcp 7000" 'fd00:76::2 proto tcp port 7000' "$("$NF" allow list)"
expect_match "rule: cgroup tcp 7001 (canonical path)" \
	"10\.0\.76\.2 proto tcp port 7001 cgroup /nfboot$$\.slice/agent\.service" "$("$NF" allow list)"
expect_fail "rmmod refused while isolated" rmmod netfence

log "an interface brought up after isolation is filtered from its first packet"
# init_drops: IPv4 local_out drops of the initial namespace.
init_drops() { "$NF" -j status | "$PROBE" json | json_sum family ipv4 hook local_out dropped_packets; }
ns_new P peer
init_drops >"$T/drop0"
ip link add nfb0 type veth peer name eth0 netns "$P" || die "veth"
ip addr add 10.0.76.1/24 dev nfb0
ip -6 addr add fd00:76::1/64 dev nfb0 nodad
ip link set nfb0 up
ip -n "$P" link set eth0 up
addr "$P" eth0 10.0.76.2/24 fd00:76::2/64
serve p7000 "$P" tcp 7000
serve p7001 "$P" tcp 7001
$PROBE serve tcp 2222 >"$T/h2222.log" 2>&1 &
_PIDS+=($!)
wait_for 30 grep -q '^listening' "$T/h2222.log" || die "server on 2222 did not start"
expect_fail "first packet to peer tcp 7001 (not allowed) dropped" $PROBE tcp 10.0.76.2 7001
expect_eq "peer's 7001 server saw nothing" 0 "$(hits p7001)"
drop1=$(init_drops)
expect_ge "dropped at local_out" $(($(cat "$T/drop0") + 1)) "$drop1"
expect_fail "peer cannot ping the host" ping4 "$P" 10.0.76.1
expect_ok "boot rule: host reaches peer tcp 7000" $PROBE tcp 10.0.76.2 7000
expect_ok "boot rule: host reaches peer tcp 7000 over IPv6" $PROBE tcp fd00:76::2 7000
expect_ok "boot rule (dir in): peer reaches host tcp 2222" tcp "$P" 10.0.76.1 2222
expect_fail "peer cannot reach host tcp 2222 over IPv6 (no such rule)" tcp "$P" fd00:76::1 2222
mkdir -p "$BOOTCG/agent.service" || die "mkdir $BOOTCG/agent.service"
n=$(hits p7001)
expect_ok "boot cgroup rule: its cgroup, created after the load, reaches peer tcp 7001" \
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$BOOTCG/agent.service" \
	$PROBE tcp 10.0.76.2 7001
expect_eq "peer's 7001 server saw the cgroup's connection" $((n + 1)) "$(hits p7001)"
expect_fail "root cgroup: tcp 7001 still dropped" $PROBE tcp 10.0.76.2 7001

log "the saved policy restored by netfence isolate --file"
printf '# restored at boot\n10.0.76.2 proto tcp port 7001\n' >"$T/policy"
expect_ok "isolate --file" "$NF" isolate --file "$T/policy"
expect_eq "1 rule" 1 "$("$NF" -j status | "$PROBE" json .rules)"
expect_ok "restored rule: host reaches peer tcp 7001" $PROBE tcp 10.0.76.2 7001
expect_fail "boot rule gone: tcp 7000 dropped" $PROBE tcp 10.0.76.2 7000
expect_ok "release the initial namespace" "$NF" release
expect_eq "released" false "$("$NF" -j status | "$PROBE" json .isolated)"
expect_ok "peer pings the host once released" ping4 "$P" 10.0.76.1
expect_ok "rmmod once released" rmmod netfence
nf_load_module

finish

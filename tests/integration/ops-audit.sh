#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Audit trail: every isolate, commit, renew and release records who made
# it (uid, login uid, pid, command), when and why (--comment); status
# shows the isolation and the latest change, and each change is one kernel
# log line. A release at the deadline is the kernel's own. A comment that
# is not one line of text is refused by the tool and by the kernel, and
# changes nothing.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new A alpha
ns_new B beta
veth "$A" eth0 "$B" eth0
addr "$A" eth0 10.0.81.1/24
addr "$B" eth0 10.0.81.2/24

get() { "$PROBE" json "$1" <<<"$st"; }

log "status before any change: no record"
st=$(nf_status "$A")
expect_eq "isolated_by is null" null "$(get .isolated_by)"
expect_eq "last_change is null" null "$(get .last_change)"

log "isolate --comment: who, when, why"
mark=$(dmesg_mark)
t0=$(date +%s)
# The shell's pid is the tool's pid (exec); a login uid is set where the
# kernel has audit support.
has_loginuid=false
[ -w /proc/self/loginuid ] && has_loginuid=true
expect_ok "isolate --comment 'case 4711: C2 beacon'" \
	sh -c "echo \$\$ >'$T/pid'; if $has_loginuid; then echo 1000 >/proc/self/loginuid; fi;
	       exec ip netns exec '$A' '$NF' isolate -a '10.0.81.2 proto tcp port 22 dir in' \
	       --comment 'case 4711: C2 beacon'"
t1=$(date +%s)
st=$(nf_status "$A")
expect_eq "isolated_by.action" isolate "$(get .isolated_by.action)"
expect_eq "isolated_by.comment" "case 4711: C2 beacon" "$(get .isolated_by.comment)"
expect_eq "isolated_by.uid is root" 0 "$(get .isolated_by.uid)"
expect_eq "isolated_by.comm is the tool" netfence "$(get .isolated_by.comm)"
expect_eq "isolated_by.pid is the tool's" "$(cat "$T/pid")" "$(get .isolated_by.pid)"
expect_eq "isolated_by.policy_generation is the policy's" \
	"$(get .policy_generation)" "$(get .isolated_by.policy_generation)"
if $has_loginuid; then
	expect_eq "isolated_by.loginuid is the session's" 1000 "$(get .isolated_by.loginuid)"
else
	expect_eq "no audit support: loginuid null" null "$(get .isolated_by.loginuid)"
fi
secs=$(($(get .isolated_by.time_ns) / 1000000000))
expect_ge "the time is when it happened (not before)" "$t0" "$secs"
expect_le "the time is when it happened (not after)" "$t1" "$secs"
expect_eq "the isolation is the last change" "$(get .isolated_by.time_ns)" \
	"$(get .last_change.time_ns)"
out=$(nf "$A" status)
expect_match "status says since when, by whom and why" \
	'^isolated:  since [0-9-]+ [0-9:]+ [+-][0-9]{4} by uid 0 .*pid [0-9]+ \(netfence\): "case 4711: C2 beacon"$' \
	"$out"
expect_nomatch "no separate last change line" '^changed:' "$out"
msgs=$(dmesg_since "$mark" | grep 'netfence:')
log "kernel log: $(tr '\n' '|' <<<"$msgs")"
expect_match "one kernel log line names the change, who and why" \
	'netfence: netns [0-9]+: isolated by uid 0 auid [0-9-]+ pid [0-9]+ comm netfence \(policy [0-9]+, 1 rule[s]?\): "case 4711: C2 beacon"' \
	"$msgs"
expect_eq "exactly one line" 1 "$(grep -c 'netns [0-9]*: ' <<<"$msgs")"

log "a commit while isolated: last change, the isolation record stays"
iso_ns=$(get .isolated_by.time_ns)
expect_ok "allow add" nf "$A" allow add 10.0.81.2 proto udp port 53
st=$(nf_status "$A")
expect_eq "last_change.action" commit "$(get .last_change.action)"
expect_eq "last_change has no comment" null "$(get .last_change.comment)"
expect_eq "isolated_by unchanged" "$iso_ns" "$(get .isolated_by.time_ns)"
expect_eq "isolated_by comment unchanged" "case 4711: C2 beacon" "$(get .isolated_by.comment)"
expect_match "status shows the last change" '^changed:   commit .* by uid 0 .*\(netfence\)$' \
	"$(nf "$A" status)"

log "isolate --timeout, renew --comment"
expect_ok "isolate --timeout 300s --comment 'hold 5 min'" nf "$A" isolate --timeout 300s \
	--comment 'hold 5 min'
st=$(nf_status "$A")
expect_eq "a new deadline on an isolated namespace is a renewal" renew "$(get .last_change.action)"
dl=$(date -d "$(get .deadline)" +%s)
expect_ge "the deadline's time is about now + 300 s (not before)" $(($(date +%s) + 280)) "$dl"
expect_le "the deadline's time is about now + 300 s (not after)" $(($(date +%s) + 301)) "$dl"
expect_eq "versions.module: the loaded module's" "$(cat /sys/module/netfence/version)" \
	"$(get .versions.module)"
expect_eq "versions.protocol" 1 "$(get .versions.protocol)"
expect_eq "... with its comment" "hold 5 min" "$(get .last_change.comment)"
expect_eq "still isolated by the first isolation" "$iso_ns" "$(get .isolated_by.time_ns)"
mark=$(dmesg_mark)
expect_ok "renew --comment 'analyst still working'" nf "$A" renew --comment 'analyst still working'
st=$(nf_status "$A")
expect_eq "last_change.action renew" renew "$(get .last_change.action)"
expect_eq "last_change.comment" "analyst still working" "$(get .last_change.comment)"
expect_match "renew is logged" 'deadline renewed by uid 0 .*: "analyst still working"' \
	"$(dmesg_since "$mark" | grep 'netfence:')"

log "bad comments: refused with a reason, nothing changes"
gen=$(get .policy_generation)
expect_exit 2 "a comment with a newline is refused by the tool (exit 2)" \
	nf "$A" release --comment "$(printf 'two\nlines')"
expect_match "the tool says why" 'control character' "$(cat "$T/last.out")"
expect_exit 2 "a comment of 256 bytes is refused (exit 2)" \
	nf "$A" release --comment "$(printf 'x%.0s' $(seq 256))"
expect_match "the tool says why" 'comment too long: 256 bytes \(at most 255\)' "$(cat "$T/last.out")"
expect_exit 2 "--comment twice is refused" nf "$A" renew --comment a --comment b
st=$(nf_status "$A")
expect_eq "still isolated" true "$(get .isolated)"
expect_eq "same policy" "$gen" "$(get .policy_generation)"
expect_eq "the last change is still the renewal" "analyst still working" "$(get .last_change.comment)"
expect_ok "the kernel refuses a comment with a control character (nlclient)" \
	sh -c "ip netns exec '$A' $NLCLIENT malformed >'$T/malformed.out' 2>&1"
expect_eq "every malformed comment case refused" 4 \
	"$(grep -c '^ok - .*comment' "$T/malformed.out")"
st=$(nf_status "$A")
expect_eq "still isolated after the malformed requests" true "$(get .isolated)"
expect_eq "the isolation record survived them" "$iso_ns" "$(get .isolated_by.time_ns)"

log "release --comment"
mark=$(dmesg_mark)
expect_ok "release --comment 'contained, reimaged'" nf "$A" release --comment 'contained, reimaged'
st=$(nf_status "$A")
expect_eq "released: no isolation record" null "$(get .isolated_by)"
expect_eq "last_change.action release" release "$(get .last_change.action)"
expect_eq "last_change.comment" "contained, reimaged" "$(get .last_change.comment)"
expect_match "status shows the release" '^changed:   release .* by uid 0 .*: "contained, reimaged"$' \
	"$(nf "$A" status)"
expect_match "release is logged" 'netns [0-9]+: released by uid 0 .*: "contained, reimaged"' \
	"$(dmesg_since "$mark" | grep 'netfence:')"
expect_ok "released: beta reachable" ping4 "$A" 10.0.81.2

log "the deadline: the kernel's own change"
mark=$(dmesg_mark)
expect_ok "isolate --timeout 3s" nf "$A" isolate --timeout 3s --comment 'short hold'
wait_for 30 nf_released "$A"
st=$(nf_status "$A")
expect_eq "last_change.action deadline" deadline "$(get .last_change.action)"
expect_eq "no uid: the kernel did it" null "$(get .last_change.uid)"
expect_eq "no pid" null "$(get .last_change.pid)"
expect_match "status names the kernel" '^changed:   deadline .* by the kernel: "isolation deadline passed"$' \
	"$(nf "$A" status)"
msgs=$(dmesg_since "$mark" | grep 'netfence:')
log "kernel log: $(tr '\n' '|' <<<"$msgs")"
expect_eq "two log lines: the isolation and the deadline" 2 "$(grep -c 'netns [0-9]*: ' <<<"$msgs")"
expect_match "the deadline line" 'released at its deadline by the kernel' "$msgs"

log "another namespace's records are its own"
st=$(nf_status "$B")
expect_eq "beta: never changed" null "$(get .last_change)"
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# About a minute of random and malformed generic-netlink requests to the
# netfence family (tests/tools/nlfuzz.py: random commands, attribute types
# and lengths, nested garbage, lying headers, transactions of random rules,
# sockets closed in the middle of a transaction or a dump, namespaces that
# die isolated), from root in a namespace with traffic flowing and a
# monitor listening, and at the same time from root of a user namespace of
# an unprivileged user. Meant for the debug kernel: the harness fails the
# test on any WARNING, KASAN or lockdep report. Afterwards netfence still
# answers and isolates correctly, and every fuzzed namespace's isolation
# goes with it. NETFENCE_FUZZ_SEED replays a run, NETFENCE_FUZZ_SECONDS
# sets its length (60).
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

seed=${NETFENCE_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
secs=${NETFENCE_FUZZ_SECONDS:-60}
log "seed $seed (NETFENCE_FUZZ_SEED=$seed replays it), $secs s"

ns_new H host
ns_new M mgmt
veth "$H" m0 "$M" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
serve mtcp "$M" tcp 80
serve mudp "$M" udp 5000
serve htcp "$H" tcp 22

log "traffic both ways and a listener for events while the fuzzer runs"
bg mon "$H" "$NF" monitor -j
bg out "$H" bash -c "while :; do $PROBE udp 10.0.1.2 5000; $PROBE tcp 10.0.1.2 80
	$PROBE tcp fd00:1::2 80; busybox ping -c 1 -W 1 10.0.1.2; done >/dev/null 2>&1"
bg in "$M" bash -c "while :; do $PROBE tcp 10.0.1.1 22; busybox ping6 -c 1 -W 1 fd00:1::1
	done >/dev/null 2>&1"

# Namespaces created, isolated with a veth and traffic, and deleted isolated.
churn() {
	local i=0 ns
	while :; do
		ns=${PFX}churn$i
		ip netns add "$ns" || return
		ip -n "$ns" link set lo up
		ip link add "${PFX}c$i" type veth peer name eth0 netns "$ns" 2>/dev/null
		"$NF" -n "$ns" isolate -a '10.0.3.2 proto udp port 53' >/dev/null 2>&1
		"$PROBE" -n "$ns" udp 127.0.0.1 9 >/dev/null 2>&1
		ip netns del "$ns"
		i=$((i + 1))
		sleep 0.5
	done
}
churn >"$T/churn.log" 2>&1 &
churn_pid=$!
_PIDS+=("$churn_pid")

log "fuzzing from root (namespace $H) and from a user namespace's root"
bg fzroot "$H" $PY "$TOOLS/nlfuzz.py" --seed "$seed" --seconds "$secs" --workers 3 --label root
if [ -w /proc/sys/kernel/unprivileged_userns_clone ]; then
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
fi
setpriv --reuid=65534 --regid=65534 --clear-groups -- unshare -Urn \
	$PY "$TOOLS/nlfuzz.py" --seed "$((seed + 1))" --seconds "$secs" --workers 2 \
	--label userns >"$T/fzuser.log" 2>&1 &
fzuser_pid=$!
_PIDS+=("$fzuser_pid")

wait "$fzroot_pid"
rc_root=$?
wait "$fzuser_pid"
rc_user=$?
kill "$churn_pid" 2>/dev/null
wait "$churn_pid" 2>/dev/null
for ns in $(ip netns list | cut -d' ' -f1 | grep "^${PFX}churn"); do
	ip netns del "$ns"
done
sed 's/^/#   /' "$T/fzroot.log"
sed 's/^/#   /' "$T/fzuser.log"
expect_eq "root fuzzer ran to the end, status answered" 0 "$rc_root"
expect_eq "user namespace fuzzer ran to the end, status answered" 0 "$rc_user"
expect_match "root fuzzer sent transactions" 'actions .*txn' "$(cat "$T/fzroot.log")"
expect_match "user namespace fuzzer sent transactions" 'actions .*txn' "$(cat "$T/fzuser.log")"
stop "$out_pid"
stop "$in_pid"
stop "$mon_pid"

log "netfence still answers and isolates correctly"
expect_ok "status of the fuzzed namespace" nf_status "$H"
st=$(nf_status "$H")
if [ "$("$PROBE" json .isolated <<<"$st")" = true ]; then
	expect_eq "fuzzed namespace: isolated with its hooks" 6 "$("$PROBE" json .hooks_registered <<<"$st")"
else
	expect_eq "fuzzed namespace: released without hooks" 0 "$("$PROBE" json .hooks_registered <<<"$st")"
fi
expect_ok "status of the initial namespace" "$NF" status
expect_eq "initial namespace released" false "$("$NF" -j status | "$PROBE" json .isolated)"
ns_new F fresh
veth "$F" f0 "$M" f1
addr "$F" f0 10.0.2.1/24
addr "$M" f1 10.0.2.2/24
expect_ok "fresh namespace: isolate" nf "$F" isolate -a '10.0.2.2 proto tcp port 80'
expect_isolated "$F" true 6
expect_eq "fresh namespace: 1 rule" 1 "$(nf_get "$F" .rules)"
expect_ok "fresh namespace: allowed tcp 80" tcp "$F" 10.0.2.2 80
expect_fail "fresh namespace: udp 5000 dropped" udp "$F" 10.0.2.2 5000
expect_ok "fresh namespace: release" nf "$F" release
expect_isolated "$F" false 0
finish

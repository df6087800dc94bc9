#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Identity rules: "cgroup PATH" and "uid N[-M]" allow the traffic of the
# local sockets of that identity, both directions, within the rule's
# address, protocol and port; the remote never becomes reachable for other
# processes. Forwarded packets never match them. A cgroup rule follows its
# path: a path that does not exist yet is accepted, a cgroup removed and
# created again under that path matches again (ops-agent-restart has the
# service-restart and cgroup-namespace cases).
# timeout: 1500
. "$(dirname "$0")/lib.sh"
nf_init

# ---------------------------------------------------------------- cgroups
CGROOT=/sys/fs/cgroup
if [ ! -f "$CGROOT/cgroup.controllers" ]; then
	mkdir -p "$CGROOT"
	mount -t cgroup2 none "$CGROOT" || skip "cannot mount cgroup2 on $CGROOT"
fi
CGNAME=nfid$$
CG=$CGROOT/$CGNAME
mkdir "$CG" "$CG/a" "$CG/b" "$CG/gone" || die "cannot create cgroups under $CG"

_id_cleanup() {
	local rc=$? d pid
	for d in "$CG"/*/ "$CG"/; do
		[ -f "$d/cgroup.procs" ] || continue
		for pid in $(cat "$d/cgroup.procs"); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	sleep 0.3
	for d in "$CG"/*/; do
		rmdir "$d" 2>/dev/null
	done
	rmdir "$CG" 2>/dev/null
	(exit "$rc")
	_cleanup
}
trap _id_cleanup EXIT

# incg CG NS CMD...: run CMD in namespace NS as a member of cgroup CG
# (a, b, ...; "-" for the root cgroup, where the test runs).
incg() {
	local cg=$1 ns=$2
	shift 2
	if [ "$cg" = - ]; then
		nsx "$ns" "$@"
		return
	fi
	nsx "$ns" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$cg" "$@"
}

# asuid UID NS CMD...: run CMD in NS with that uid (and gid).
asuid() {
	local uid=$1 ns=$2
	shift 2
	nsx "$ns" setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@"
}

# rule_field NS CGROUP_PATH FIELD: a field of the rule naming that cgroup.
rule_field() {
	"$NF" -j -n "$1" show | jq -r --arg c "$2" --arg f "$3" \
		'[.[] | select(.cgroup == $c) | .[$f]] | first // "absent"'
}

# ---------------------------------------------------------------- topology
# host (isolated, processes in cgroups a and b) -- remote (servers)
#      \-- router (forwards the container's traffic to remote)
ns_new H host
ns_new R remote
ns_new C container
veth "$H" eth0 "$R" eth0
veth "$H" c0 "$C" eth0
addr "$H" eth0 10.0.7.1/24 fd00:7::1/64
addr "$R" eth0 10.0.7.2/24 fd00:7::2/64
addr "$H" c0 10.0.8.1/24 fd00:8::1/64
addr "$C" eth0 10.0.8.2/24 fd00:8::2/64
forwarding "$H"
route "$C" default 10.0.8.1
route "$C" default fd00:8::1
route "$R" 10.0.8.0/24 10.0.7.1
route "$R" fd00:8::/64 fd00:7::1

serve rtcp "$R" tcp 8080 --echo
serve rtcp2 "$R" tcp 8081 --echo
serve rudp "$R" udp 5000 --echo

R4=10.0.7.2
R6=fd00:7::2

log "before isolation everybody reaches remote"
expect_ok "cgroup b: tcp 8080 (v4)" incg b "$H" $PROBE tcp $R4 8080 --expect-echo
expect_ok "container: tcp 8080 (v4, forwarded)" tcp "$C" $R4 8080 --expect-echo

A=/$CGNAME/a
B=/$CGNAME/b
expect_ok "isolate host: cgroup a, tcp 8080 and udp 5000" nf "$H" isolate \
	-a "cgroup $A proto tcp port 8080" -a "cgroup $A proto udp port 5000"
expect_isolated "$H" true 6

cgid=$(rule_field "$H" "$A" cgroup_id)
expect_match "show: the rule keeps its path and the cgroup's id" '^[0-9]+$' "$cgid"
expect_eq "status reports cgroup support" true "$(nf_get "$H" .features.cgroup)"

log "cgroup a: full TCP sessions and UDP request/reply, both families"
for dst in $R4 $R6; do
	n=$(hits rtcp)
	expect_ok "cgroup a: tcp $dst 8080 with echo" incg a "$H" $PROBE tcp $dst 8080 --expect-echo
	expect_eq "remote's tcp server saw cgroup a's connection ($dst)" $((n + 1)) "$(hits rtcp)"
	expect_ok "cgroup a: udp $dst 5000 with reply" incg a "$H" $PROBE udp $dst 5000 --expect-reply
	expect_fail "cgroup a: tcp $dst 8081 (port not in the rule)" \
		incg a "$H" $PROBE tcp $dst 8081
done

log "cgroup b and the root cgroup: dropped and counted"
for v in 4 6; do
	if [ $v = 4 ]; then dst=$R4; else dst=$R6; fi
	d=$(nf_counter "$H" ipv$v local_out dropped_packets)
	n=$(hits rtcp)
	u=$(hits rudp)
	expect_fail "cgroup b: tcp $dst 8080" incg b "$H" $PROBE tcp $dst 8080
	expect_fail "cgroup b: udp $dst 5000 gets no reply" \
		incg b "$H" $PROBE udp $dst 5000 --expect-reply
	expect_fail "root cgroup: tcp $dst 8080" incg - "$H" $PROBE tcp $dst 8080
	expect_eq "remote's tcp server saw nothing from b (v$v)" "$n" "$(hits rtcp)"
	expect_eq "remote's udp server saw nothing from b (v$v)" "$u" "$(hits rudp)"
	expect_drop_delta "drops of b counted" "$H" ipv$v local_out "$d" 3
done
expect_ge "hits of the cgroup tcp rule" 8 "$(rule_field "$H" "$A" hits)"

log "the remote stays closed to others during and after cgroup a's session"
# A session of cgroup a that lasts a few seconds: echo, pause, echo.
cat >"$T/session.py" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
for i in range(3):
    s.sendall(b"line %d\n" % i)
    if not s.recv(100):
        sys.exit(1)
    time.sleep(1.5)
print("session ok")
EOF
bg sess "$H" sh -c 'echo $$ >"$0/cgroup.procs" && exec '"$PY"' "$1" "$2"' \
	"$CG/a" "$T/session.py" $R4
sleep 1
expect_fail "during a's session: cgroup b tcp 8080" incg b "$H" $PROBE tcp $R4 8080
expect_fail "during a's session: root cgroup udp 5000" \
	incg - "$H" $PROBE udp $R4 5000 --expect-reply
wait "$sess_pid"
expect_eq "cgroup a's long session kept working" "session ok" "$(cat "$T/sess.log")"
expect_fail "after a's session: cgroup b tcp 8080" incg b "$H" $PROBE tcp $R4 8080

log "inbound: a listener of cgroup a accepts (dir in), one of cgroup b does not"
expect_ok "allow add: cgroup a tcp 9090-9091 dir in" \
	nf "$H" allow add cgroup "$A" proto tcp port 9090-9091 dir in
bg lsa "$H" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$1" serve tcp 9090 --echo' \
	"$CG/a" "$PROBE"
bg lsb "$H" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$1" serve tcp 9091 --echo' \
	"$CG/b" "$PROBE"
wait_listen "$H" tcp 9090 || die "listener of cgroup a did not start"
wait_listen "$H" tcp 9091 || die "listener of cgroup b did not start"
for dst in 10.0.7.1 fd00:7::1; do
	expect_ok "remote connects to cgroup a's listener ($dst)" \
		tcp "$R" $dst 9090 --expect-echo
	expect_fail "remote cannot connect to cgroup b's listener ($dst)" \
		tcp "$R" $dst 9091
done

log "uid rules (and the cgroup rules survive the commit)"
expect_ok "allow add uid 1234" nf "$H" allow add uid 1234
for dst in $R4 $R6; do
	expect_ok "uid 1234: tcp $dst 8080" asuid 1234 "$H" $PROBE tcp $dst 8080 --expect-echo
	expect_ok "uid 1234: udp $dst 5000" asuid 1234 "$H" $PROBE udp $dst 5000 --expect-reply
	expect_fail "uid 1235: tcp $dst 8080" asuid 1235 "$H" $PROBE tcp $dst 8080
	expect_fail "uid 1235: udp $dst 5000" asuid 1235 "$H" $PROBE udp $dst 5000 --expect-reply
	expect_ok "cgroup a still allowed after the commit ($dst)" \
		incg a "$H" $PROBE tcp $dst 8080 --expect-echo
done
expect_ok "allow add uid 2000-2999 proto udp port 5000" \
	nf "$H" allow add uid 2000-2999 proto udp port 5000
expect_ok "uid 2500: udp 5000 (range)" asuid 2500 "$H" $PROBE udp $R4 5000 --expect-reply
expect_fail "uid 2500: tcp 8080 (not in the rule)" asuid 2500 "$H" $PROBE tcp $R4 8080
expect_fail "uid 3000: udp 5000 (outside the range)" \
	asuid 3000 "$H" $PROBE udp $R4 5000 --expect-reply

log "a cgroup path that is not valid: refused, policy unchanged"
before=$(nf_rules "$H")
expect_fail "allow add cgroup /$CGNAME/../x" nf "$H" allow add cgroup "/$CGNAME/../x"
expect_match "the error names the cgroup problem" 'cgroup' "$(cat "$T/last.out")"
expect_eq "policy unchanged" "$before" "$(nf_rules "$H")"
expect_ok "cgroup a still allowed" incg a "$H" $PROBE tcp $R4 8080 --expect-echo

log "a cgroup path that does not exist yet: accepted, no id until it exists"
expect_ok "allow add cgroup $CGNAME/nope" nf "$H" allow add cgroup "/$CGNAME/nope"
expect_eq "show: no id for the absent cgroup" absent "$(rule_field "$H" "/$CGNAME/nope" cgroup_id)"

log "a cgroup removed and created again under the rule's path: matches again"
G=/$CGNAME/gone
expect_ok "allow add cgroup gone" nf "$H" allow add cgroup "$G" proto tcp port 8081
expect_ok "cgroup gone: tcp 8081" incg gone "$H" $PROBE tcp $R4 8081 --expect-echo
gid=$(rule_field "$H" "$G" cgroup_id)
rmdir "$CG/gone" || fail "rmdir $CG/gone"
expect_ok "status after the cgroup is gone" nf_status "$H"
expect_eq "show lists the rule without an id" absent "$(rule_field "$H" "$G" cgroup_id)"
expect_fail "root cgroup: tcp 8081 still dropped" incg - "$H" $PROBE tcp $R4 8081
mkdir "$CG/gone"
expect_ok "a new cgroup under the same path matches" \
	incg gone "$H" $PROBE tcp $R4 8081 --expect-echo
gid2=$(rule_field "$H" "$G" cgroup_id)
expect_match "show: the new cgroup's id" '^[0-9]+$' "$gid2"
if [ "$gid2" != "$gid" ]; then
	pass "the new cgroup has another id ($gid -> $gid2)"
else
	fail "the new cgroup has another id" "$gid = $gid2"
fi
expect_ok "another commit keeps the rule" nf "$H" allow add 10.0.7.99
expect_eq "rule still listed with the new id" "$gid2" "$(rule_field "$H" "$G" cgroup_id)"

log "forwarded traffic never matches an identity rule"
expect_ok "allow add cgroup / (every local socket)" nf "$H" allow add cgroup /
expect_ok "allow add uid 0-65535" nf "$H" allow add uid 0-65535
expect_ok "root cgroup of host now allowed" incg - "$H" $PROBE tcp $R4 8080 --expect-echo
for v in 4 6; do
	if [ $v = 4 ]; then dst=$R4; else dst=$R6; fi
	d=$(nf_counter "$H" ipv$v forward dropped_packets)
	n=$(hits rtcp)
	expect_fail "container: tcp $dst 8080 (forwarded)" tcp "$C" $dst 8080
	expect_fail "container: udp $dst 5000 (forwarded)" udp "$C" $dst 5000 --expect-reply
	expect_eq "remote saw nothing from the container (v$v)" "$n" "$(hits rtcp)"
	expect_drop_delta "forwarded drops counted" "$H" ipv$v forward "$d" 2
done

expect_ok "release" nf "$H" release
finish

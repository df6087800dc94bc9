#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A cgroup rule follows its path: the EDR agent's service cgroup
# (/agent.slice/agent.service) keeps its way to the management host while
# the host is isolated, across a restart that removes the cgroup and makes
# it again with a new id, without any netfence command. The rule may name
# the path before the cgroup exists. Other cgroups stay dropped (counted
# at the receiver and in the drop counters), and a cgroup namespace
# (a container) that makes the same path below its own root does not
# inherit the rule.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

CGROOT=/sys/fs/cgroup
if [ ! -f "$CGROOT/cgroup.controllers" ]; then
	mkdir -p "$CGROOT"
	mount -t cgroup2 none "$CGROOT" || skip "cannot mount cgroup2 on $CGROOT"
fi
SLICE=$CGROOT/agent.slice
SVC=$SLICE/agent.service
CTR=$CGROOT/nfctr$$
[ -e "$SLICE" ] && die "$SLICE exists already"

# cg_remove DIR...: kill what runs in each cgroup, then remove it (deepest
# first).
cg_remove() {
	local d pid
	for d in "$@"; do
		[ -d "$d" ] || continue
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for d in "$@"; do
		[ -d "$d" ] || continue
		wait_for 10 rmdir "$d" || fail "rmdir $d" "still busy"
	done
}

_ops_cleanup() {
	local rc=$?
	cg_remove "$CTR/agent.slice/agent.service" "$CTR/agent.slice" "$CTR" \
		"$SVC/worker" "$SVC" "$SLICE/other.service" "$SLICE" >/dev/null 2>&1
	(exit "$rc")
	_cleanup
}
trap _ops_cleanup EXIT

# incg DIR NS CMD...: run CMD in namespace NS as a member of cgroup DIR.
incg() {
	local dir=$1 ns=$2
	shift 2
	nsx "$ns" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# inctr NS CMD...: run CMD in NS in a new cgroup namespace rooted at $CTR,
# as a member of its /agent.slice/agent.service.
cat >"$T/inctr.sh" <<'EOS'
ctr=$1
shift
echo $$ >"$ctr/cgroup.procs" || exit 1
exec unshare -C sh -c 'echo $$ >"$0/agent.slice/agent.service/cgroup.procs" && exec "$@"' \
	"$ctr" "$@"
EOS
inctr() {
	local ns=$1
	shift
	nsx "$ns" sh "$T/inctr.sh" "$CTR" "$@"
}

# cg_id: the id netfence shows for the agent's rule ("null" when no cgroup
# is at the path).
cg_id() {
	"$NF" -j -n "$H" show | jq -r \
		'[.[] | select(.cgroup == "/agent.slice/agent.service") | .cgroup_id] | first'
}

gen() {
	nf_get "$H" .policy_generation
}

# ---------------------------------------------------------------- topology
# host (isolated; the agent, other services, a container) -- mgmt
ns_new H host
ns_new M mgmt
veth "$H" eth0 "$M" eth0
addr "$H" eth0 10.0.9.1/24 fd00:9::1/64
addr "$M" eth0 10.0.9.2/24 fd00:9::2/64
serve mtcp "$M" tcp 8443 --echo
serve mudp "$M" udp 5000 --echo
M4=10.0.9.2
M6=fd00:9::2

log "a rule for a path that does not exist yet: accepted"
expect_ok "isolate: cgroup /agent.slice/agent.service tcp 8443 (path absent)" \
	nf "$H" isolate -a "cgroup /agent.slice/agent.service proto tcp port 8443"
expect_isolated "$H" true 6
expect_eq "show: no cgroup at the path, no id" null "$(cg_id)"
g0=$(gen)

mkdir "$SLICE" "$SLICE/other.service" || die "mkdir $SLICE"
d=$(nf_counter "$H" ipv4 local_out dropped_packets)
n=$(hits mtcp)
expect_fail "root cgroup: tcp 8443 dropped" nsx "$H" $PROBE tcp $M4 8443
expect_fail "other.service: tcp 8443 dropped" incg "$SLICE/other.service" "$H" \
	$PROBE tcp $M4 8443
expect_eq "mgmt saw nothing" "$n" "$(hits mtcp)"
expect_drop_delta "drops counted" "$H" ipv4 local_out "$d" 2

log "the agent's cgroup appears: it matches at once"
mkdir "$SVC" || die "mkdir $SVC"
for dst in $M4 $M6; do
	n=$(hits mtcp)
	expect_ok "agent: tcp $dst 8443 with echo" incg "$SVC" "$H" \
		$PROBE tcp $dst 8443 --expect-echo
	expect_eq "mgmt saw the agent's connection ($dst)" $((n + 1)) "$(hits mtcp)"
done
id1=$(cg_id)
expect_match "show: the id of the cgroup now at the path" '^[0-9]+$' "$id1"
mkdir "$SVC/worker"
expect_ok "a child cgroup of the agent: tcp 8443" incg "$SVC/worker" "$H" \
	$PROBE tcp $M4 8443 --expect-echo
expect_fail "agent: udp 5000 (not in the rule)" incg "$SVC" "$H" \
	$PROBE udp $M4 5000 --expect-reply

log "the agent's service restarts: cgroup removed and made again, new id"
bg agent "$H" sh -c 'echo $$ >"$0/cgroup.procs" && exec sleep 600' "$SVC"
wait_for 10 grep -qx "$agent_pid" "$SVC/cgroup.procs" || fail "agent in its cgroup"
cg_remove "$SVC/worker" "$SVC"
expect_eq "show: the path is empty, no id" null "$(cg_id)"
expect_fail "no agent cgroup: root cgroup still dropped" nsx "$H" $PROBE tcp $M4 8443
mkdir "$SVC" || die "mkdir $SVC again"
id2=$(cg_id)
expect_match "show: the new cgroup's id" '^[0-9]+$' "$id2"
if [ "$id1" != "$id2" ]; then
	pass "the new cgroup has a new id ($id1 -> $id2)"
else
	fail "the new cgroup has a new id" "$id1 = $id2"
fi
for dst in $M4 $M6; do
	n=$(hits mtcp)
	expect_ok "restarted agent: tcp $dst 8443 with echo" incg "$SVC" "$H" \
		$PROBE tcp $dst 8443 --expect-echo
	expect_eq "mgmt saw the restarted agent ($dst)" $((n + 1)) "$(hits mtcp)"
done
expect_eq "no commit happened meanwhile" "$g0" "$(gen)"

log "other cgroups stay dropped, counted at the receiver and in the counters"
for v in 4 6; do
	if [ $v = 4 ]; then dst=$M4; else dst=$M6; fi
	d=$(nf_counter "$H" ipv$v local_out dropped_packets)
	n=$(hits mtcp)
	u=$(hits mudp)
	expect_fail "other.service: tcp $dst 8443" incg "$SLICE/other.service" "$H" \
		$PROBE tcp $dst 8443
	expect_fail "agent.slice itself: tcp $dst 8443" incg "$SLICE" "$H" \
		$PROBE tcp $dst 8443
	expect_fail "other.service: udp $dst 5000" incg "$SLICE/other.service" "$H" \
		$PROBE udp $dst 5000 --expect-reply
	expect_eq "mgmt's tcp server saw nothing (v$v)" "$n" "$(hits mtcp)"
	expect_eq "mgmt's udp server saw nothing (v$v)" "$u" "$(hits mudp)"
	expect_drop_delta "drops counted (v$v)" "$H" ipv$v local_out "$d" 3
done

log "a container's cgroup namespace: the same path below its root does not match"
mkdir -p "$CTR" || die "mkdir $CTR"
# Made from inside the cgroup namespace, by its own relative path.
expect_ok "mkdir /agent.slice/agent.service inside the container's cgroup namespace" \
	incg "$CTR" "$H" unshare -C sh -c \
	'mkdir -p "$0/agent.slice/agent.service" && grep -qx "0::/" /proc/self/cgroup' "$CTR"
expect_eq "inside, the process sees the rule's path" "0::/agent.slice/agent.service" \
	"$(inctr "$H" cat /proc/self/cgroup)"
d=$(nf_counter "$H" ipv4 local_out dropped_packets)
n=$(hits mtcp)
expect_fail "container's /agent.slice/agent.service: tcp 8443 dropped" \
	inctr "$H" $PROBE tcp $M4 8443
expect_fail "container's /agent.slice/agent.service: tcp $M6 8443 dropped" \
	inctr "$H" $PROBE tcp $M6 8443
expect_eq "mgmt saw nothing from the container" "$n" "$(hits mtcp)"
expect_drop_delta "the container's drops counted" "$H" ipv4 local_out "$d" 1

log "a rule given inside the container's cgroup namespace covers its subtree only"
expect_ok "allow add from inside: cgroup /agent.slice/agent.service udp 5000" \
	inctr "$H" "$NF" allow add cgroup /agent.slice/agent.service proto udp port 5000
u=$(hits mudp)
expect_ok "container's agent: udp 5000 with reply" inctr "$H" \
	$PROBE udp $M4 5000 --expect-reply
expect_eq "mgmt's udp server saw the container's agent" $((u + 1)) "$(hits mudp)"
expect_fail "container's agent: tcp 8443 still dropped" inctr "$H" $PROBE tcp $M4 8443
expect_fail "host's agent: udp 5000 (the container's rule is not the host's)" \
	incg "$SVC" "$H" $PROBE udp $M4 5000 --expect-reply
expect_ok "host's agent: tcp 8443 still allowed" incg "$SVC" "$H" \
	$PROBE tcp $M4 8443 --expect-echo
expect_eq "show: both rules, the same path text" 2 \
	"$("$NF" -j -n "$H" show | jq '[.[] | select(.cgroup == "/agent.slice/agent.service")] | length')"

log "paths are given their canonical form; . and .. are refused"
expect_ok "allow add cgroup /agent.slice//agent.service/ (same rule)" \
	nf "$H" allow add cgroup /agent.slice//agent.service/ proto tcp port 8443
expect_eq "still two rules for the path" 2 \
	"$("$NF" -j -n "$H" show | jq '[.[] | select(.cgroup == "/agent.slice/agent.service")] | length')"
before=$(nf_rules "$H")
expect_fail "allow add cgroup /agent.slice/../x: refused" nf "$H" allow add cgroup /agent.slice/../x
expect_match "the error names the problem" 'cgroup path' "$(cat "$T/last.out")"
expect_eq "policy unchanged" "$before" "$(nf_rules "$H")"

expect_ok "release" nf "$H" release
finish

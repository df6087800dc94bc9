#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The command-line tool, command by command: help and version, usage errors
# (exit 2, nothing sent), status/show/stats/allow list JSON, isolate with
# every policy option, allow add/del/flush, save -> restore round trip,
# audit mode, a 100,000-rule policy, unprivileged callers (exit 3), and the
# module missing (exit 4).
# timeout: 1800
. "$(dirname "$0")/lib.sh"
nf_init

ns_new C ctl
ns_new Q peer
veth "$C" q0 "$Q" eth0
addr "$C" q0 10.0.10.1/24 fd00:10::1/64
addr "$Q" eth0 10.0.10.2/24 fd00:10::2/64

# json_check DESC JSON PYTHON: the document parses (as d) and the Python
# code, given R(text) = the rule whose canonical text is text, sets ok.
json_check() {
	local out
	out=$(printf '%s' "$2" | $PY -c '
import json, sys
d = json.load(sys.stdin)
def R(text):
    return next((r for r in d if r.get("rule") == text), {})
env = {"d": d, "R": R}
try:
    exec(sys.argv[1], env)
    ok = env.get("ok")
except Exception as e:
    ok = False
    print("exception %r on: %s" % (e, json.dumps(d)[:600]))
    sys.exit(0)
print("ok" if ok else "condition false on: " + json.dumps(d)[:600])
' "$3" 2>&1)
	if [ "$out" = ok ]; then
		pass "$1"
	else
		fail "$1" "expected: $3" "got: $out"
	fi
}

log "help and version"
expect_ok "--version" "$NF" --version
expect_ok "--help" "$NF" --help
expect_ok "-h" "$NF" -h
for c in status isolate release allow show stats save restore "allow add" "allow del" \
	"allow list" "allow flush"; do
	# shellcheck disable=SC2086
	expect_ok "$c --help" "$NF" $c --help
done

log "status of a fresh namespace"
st=$(nf_status "$C")
json_check "status -j: every field with its type" "$st" 'ok = (
isinstance(d["isolated"], bool) and d["isolated"] is False and
all(isinstance(d[k], int) and not isinstance(d[k], bool) for k in
    ("policy_generation", "rules", "isolated_namespaces", "hooks_registered", "policy_memory")) and
d["rules"] == 0 and d["hooks_registered"] == 0 and
all(isinstance(v, bool) for v in d["flags"].values()) and
{k: d["flags"].get(k) for k in ("nd", "dhcp4", "dhcp6", "icmp_errors", "audit")} ==
{"nd": True, "dhcp4": True, "dhcp6": True, "icmp_errors": True, "audit": False} and
set(d["features"]) >= {"defrag4", "defrag6", "conntrack", "socket4", "socket6",
                       "reject4", "reject6"} and
all(isinstance(v, bool) for v in d["features"].values()) and
isinstance(d["counters"], list))'
log "features: $(jq -c .features <<<"$st")"
expect_ok "status (human)" nf "$C" status
expect_match "human status says released" 'released' "$(nf "$C" status 2>&1)"
expect_ok "--netns PATH works like -n" "$NF" --netns "/run/netns/$C" status
expect_fail "-n of a missing namespace fails" "$NF" -n "${PFX}missing" status

log "usage errors: exit 2, nothing reaches the kernel"
gen0=$(nf_get "$C" .policy_generation)
expect_exit 2 "unknown command" "$NF" -n "$C" frobnicate
expect_exit 2 "allow add without a rule" nf "$C" allow add
expect_exit 2 "host bits set" nf "$C" allow add 10.1.2.3/8
expect_match "host bits message suggests the network" 'host bits set.*10\.0\.0\.0/8' \
	"$(cat "$T/last.out")"
expect_exit 2 "prefix 33" nf "$C" allow add 10.0.0.0/33
expect_exit 2 "prefix 129" nf "$C" allow add fd00::/129
expect_exit 2 "port 70000" nf "$C" allow add 10.0.0.1 proto tcp port 70000
expect_exit 2 "port range 90-80" nf "$C" allow add 10.0.0.1 proto tcp port 90-80
expect_exit 2 "port with proto icmp" nf "$C" allow add 10.0.0.1 proto icmp port 80
expect_exit 2 "icmp with an IPv6 target" nf "$C" allow add fd00::1 proto icmp
expect_exit 2 "icmpv6 with an IPv4 target" nf "$C" allow add 10.0.0.1 proto icmpv6
expect_exit 2 "icmp with target any" nf "$C" allow add any proto icmp
expect_exit 2 "unknown protocol" nf "$C" allow add 10.0.0.1 proto sctp
expect_exit 2 "unknown dir" nf "$C" allow add 10.0.0.1 dir sideways
expect_exit 2 "keyword twice" nf "$C" allow add 10.0.0.1 proto tcp proto udp
expect_exit 2 "isolate -a with a bad rule" nf "$C" isolate -a '10.0.0.1 port'
printf '# comment\n10.0.10.2\n10.0.0.1 proto tcp port 70000\n' >"$T/bad.policy"
expect_exit 2 "isolate -f with a bad line" nf "$C" isolate -f "$T/bad.policy"
expect_match "policy file error names file and line" "bad.policy:3:" "$(cat "$T/last.out")"
expect_exit 2 "restore of a bad file" nf "$C" restore "$T/bad.policy"
expect_exit 2 "unknown option line" nf "$C" restore <(printf 'option foo on\n')
expect_eq "generation unchanged by usage errors" "$gen0" "$(nf_get "$C" .policy_generation)"
expect_isolated "$C" false 0

log "isolate with options; canonical rule text"
expect_ok "isolate -a x5 --no-dhcp6" nf "$C" isolate --no-dhcp6 \
	-a '10.0.10.2 proto icmp' \
	-a '10.0.0.1/32 proto tcp port 22-22 dir out' \
	-a '10.4.0.1 dir in port 22 proto tcp' \
	-a 'fd00:1:0:0::5 proto udp port 53' \
	-a '10.2.0.0/24 port 1000-2000 proto any'
expect_isolated "$C" true 6
cat >"$T/expect1" <<'EOR'
10.0.0.1 proto tcp port 22
10.0.10.2 proto icmp
10.2.0.0/24 port 1000-2000
10.4.0.1 proto tcp port 22 dir in
fd00:1::5 proto udp port 53
EOR
expect_eq "allow list in canonical form" "$(sort "$T/expect1")" "$(nf_rules "$C")"
st=$(nf_status "$C")
json_check "status after isolate" "$st" 'ok = (
d["isolated"] is True and d["rules"] == 5 and d["hooks_registered"] == 6 and
{k: d["flags"].get(k) for k in ("nd", "dhcp4", "dhcp6", "icmp_errors", "audit")} ==
{"nd": True, "dhcp4": True, "dhcp6": False, "icmp_errors": True, "audit": False} and
d["isolated_namespaces"] >= 1 and d["policy_memory"] > 0 and
sorted((c["family"], c["hook"]) for c in d["counters"]) == sorted(
    [(f, h) for f in ("ipv4", "ipv6")
     for h in ("local_in", "local_out", "forward", "link_in", "link_out")] +
    [("link", "link_in"), ("link", "link_out")]) and
all(isinstance(c[k], int) for c in d["counters"] for k in
    ("accepted_packets", "accepted_bytes", "dropped_packets", "dropped_bytes")))'

log "show and stats"
expect_ok "ping the allowlisted peer" ping4 "$C" 10.0.10.2
expect_fail "udp to the peer is dropped" udp "$C" 10.0.10.2 5000
expect_ok "show (human)" nf "$C" show
expect_match "human show lists a rule" '10\.0\.10\.2' "$(nf "$C" show)"
sh=$("$NF" -j -n "$C" show)
json_check "show -j: 5 rules with every field" "$sh" '
icmp = R("10.0.10.2 proto icmp")
ok = (isinstance(d, list) and len(d) == 5 and
      all(set(r) >= {"index", "rule", "family", "address", "prefix_length", "proto",
                     "port_min", "port_max", "dir", "hits"} for r in d) and
      sorted(r["index"] for r in d) == list(range(5)) and
      icmp.get("hits", 0) >= 2 and
      {k: icmp.get(k) for k in ("family", "address", "prefix_length", "proto", "port_min",
                                "port_max", "dir")} ==
      {"family": "ipv4", "address": "10.0.10.2", "prefix_length": 32, "proto": "icmp",
       "port_min": 0, "port_max": 65535, "dir": "out"} and
      R("10.4.0.1 proto tcp port 22 dir in").get("dir") == "in" and
      R("10.2.0.0/24 port 1000-2000").get("proto") == "any" and
      R("10.2.0.0/24 port 1000-2000").get("port_min") == 1000 and
      R("10.2.0.0/24 port 1000-2000").get("port_max") == 2000 and
      R("10.2.0.0/24 port 1000-2000").get("prefix_length") == 24 and
      R("fd00:1::5 proto udp port 53").get("family") == "ipv6")'
al=$("$NF" -j -n "$C" allow list)
json_check "allow list -j: the same 5 rules" "$al" 'ok = (
isinstance(d, list) and len(d) == 5 and all("rule" in r and "family" in r for r in d))'
sj=$("$NF" -j -n "$C" stats)
json_check "stats -j: counters, drops and accepts seen" "$sj" '
def C(f, h):
    return [c for c in d["counters"] if c["family"] == f and c["hook"] == h][0]
ok = (len(d["counters"]) == 12 and
C("ipv4", "local_out")["dropped_packets"] >= 1 and
C("ipv4", "local_in")["accepted_packets"] >= 1)'
expect_ok "stats (human)" nf "$C" stats
expect_ok "stats --reset" nf "$C" stats --reset
# IPv6 neighbour discovery and MLD, and ARP, may arrive at any moment (the
# links are new): IPv4 carried only the test's own traffic, now over.
json_check "counters zero after reset (IPv4; at most stray ND/MLD/ARP packets)" \
	"$("$NF" -j -n "$C" stats)" 'ok = (
all(c[k] == 0 for c in d["counters"] if c["family"] == "ipv4" for k in
    ("accepted_packets", "accepted_bytes", "dropped_packets", "dropped_bytes")) and
sum(c["accepted_packets"] + c["dropped_packets"] for c in d["counters"]) <= 4)'
json_check "rule hits zero after reset" "$("$NF" -j -n "$C" show)" 'ok = all(r["hits"] == 0 for r in d)'

log "allow add / del / flush"
g=$(nf_get "$C" .policy_generation)
expect_ok "allow add 10.9.0.0/16 proto udp" nf "$C" allow add 10.9.0.0/16 proto udp
expect_eq "6 rules" 6 "$(nf_get "$C" .rules)"
expect_eq "generation bumped" $((g + 1)) "$(nf_get "$C" .policy_generation)"
expect_match "listed" '^10\.9\.0\.0/16 proto udp$' "$(nf_rules "$C")"
expect_ok "allow add of an existing rule" nf "$C" allow add 10.9.0.0/16 proto udp
expect_eq "duplicate not added" 6 "$(nf_get "$C" .rules)"
expect_ok "allow del 10.9.0.0/16 proto udp" nf "$C" allow del 10.9.0.0/16 proto udp
expect_eq "back to 5 rules" 5 "$(nf_get "$C" .rules)"
expect_exit 1 "allow del of an absent rule" nf "$C" allow del 10.9.0.0/16 proto udp
expect_match "the kernel's message is printed" '^netfence: .+: .+' "$(cat "$T/last.out")"
expect_eq "allow list unchanged by the failed del" "$(sort "$T/expect1")" "$(nf_rules "$C")"
expect_isolated "$C" true 6

log "save -> restore"
expect_ok "save FILE" nf "$C" save "$T/saved.policy"
nf "$C" save >"$T/saved.stdout"
expect_eq "save to stdout equals save FILE" "$(cat "$T/saved.policy")" "$(cat "$T/saved.stdout")"
expect_match "save writes the option line" '^option dhcp6 off$' "$(cat "$T/saved.policy")"
expect_eq "save writes the isolation state first" "isolate yes" "$(head -n 1 "$T/saved.policy")"
expect_eq "save FILE is mode 0600" 600 "$(stat -c %a "$T/saved.policy")"
printf 'any4 proto icmp\n' >"$T/other.policy"
expect_ok "release" nf "$C" release
expect_ok "restore another policy" nf "$C" restore "$T/other.policy"
expect_eq "restore replaced the rules" "any4 proto icmp" "$(nf_rules "$C")"
expect_eq "restore resets flags to the file's (defaults)" true "$(nf_get "$C" .flags.dhcp6)"
expect_isolated "$C" false 0
expect_ok "restore the saved policy" nf "$C" restore "$T/saved.policy"
expect_eq "allow list equals the saved one" "$(sort "$T/expect1")" "$(nf_rules "$C")"
expect_eq "flags restored (dhcp6 off)" false "$(nf_get "$C" .flags.dhcp6)"
nf "$C" save >"$T/saved2.policy"
# restore leaves the isolation alone: only the isolate line differs.
expect_eq "save after restore reproduces the policy" \
	"$(grep -v '^isolate ' "$T/saved.policy")" "$(grep -v '^isolate ' "$T/saved2.policy")"
expect_eq "save records the release" "isolate no" "$(head -n 1 "$T/saved2.policy")"
expect_isolated "$C" false 0
expect_ok "isolate (no options) uses the current policy" nf "$C" isolate
expect_isolated "$C" true 6
expect_eq "5 rules in force" 5 "$(nf_get "$C" .rules)"
expect_ok "restore while isolated" nf "$C" restore "$T/other.policy"
expect_isolated "$C" true 6
expect_ok "isolate -f - (stdin)" sh -c "printf '10.0.10.2 proto icmp\n' | '$NF' -n '$C' isolate -f -"
expect_eq "policy from stdin" "10.0.10.2 proto icmp" "$(nf_rules "$C")"
expect_ok "isolate --keep -a adds to the current policy" nf "$C" isolate --keep -a 'fd00:10::2'
expect_eq "kept and added" "$(printf '%s\n' '10.0.10.2 proto icmp' 'fd00:10::2')" "$(nf_rules "$C")"

log "allow flush keeps flags and isolation"
expect_ok "isolate --no-icmp-errors -a fd00:10::2" nf "$C" isolate --no-icmp-errors -a fd00:10::2
expect_ok "allow flush" nf "$C" allow flush
expect_eq "no rules after flush" 0 "$(nf_get "$C" .rules)"
expect_eq "flags kept by flush" false "$(nf_get "$C" .flags.icmp_errors)"
expect_isolated "$C" true 6

log "audit mode counts but never drops"
expect_ok "isolate --audit (empty allowlist)" nf "$C" isolate --audit
expect_eq "flags.audit" true "$(nf_get "$C" .flags.audit)"
d=$(nf_counter "$C" ipv4 local_out dropped_packets)
e=$(snmp "$Q" IcmpInEchos)
expect_ok "ping passes in audit mode" ping4 "$C" 10.0.10.2
expect_ge "peer received the echo request" $((e + 1)) "$(snmp "$Q" IcmpInEchos)"
expect_drop_delta "would-be drop counted" "$C" ipv4 local_out "$d" 1
expect_match "save writes option audit on" '^option audit on$' "$(nf "$C" save)"

log "a 100,000-rule policy in one isolate -f"
$PY - "$T/big.policy" <<'EOP'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# 100,000 rules\n10.0.10.2 proto icmp\n")
    n = 1
    for i in range(90000):
        f.write("10.%d.%d.%d proto tcp port 443\n" % (100 + i // 65536, (i // 256) % 256, i % 256))
        n += 1
    for i in range(100000 - n):
        f.write("fd00:abcd::%x\n" % (i + 1))
EOP
expect_eq "generated file has 100,000 rules" 100000 "$(grep -vc '^#' "$T/big.policy")"
s=$(date +%s%N)
expect_ok "isolate -f big.policy" nf "$C" isolate -f "$T/big.policy"
log "isolate -f of 100,000 rules took $((($(date +%s%N) - s) / 1000000)) ms"
expect_eq "status: 100,000 rules" 100000 "$(nf_get "$C" .rules)"
expect_eq "show -j returns 100,000 rules" 100000 "$("$NF" -j -n "$C" show | jq length)"
expect_eq "allow list prints 100,000 lines" 100000 "$(nf "$C" allow list | wc -l)"
mem=$(nf_get "$C" .policy_memory)
log "policy_memory $mem bytes for 100,000 rules ($((mem / 100000)) bytes per rule)"
expect_ok "traffic still works under the big policy" ping4 "$C" 10.0.10.2
expect_fail "and is still filtered" udp "$C" 10.0.10.2 5000
expect_ok "restore a small policy" nf "$C" restore "$T/other.policy"
expect_eq "small policy in force" 1 "$(nf_get "$C" .rules)"

log "unprivileged callers: exit 3 for every command"
g=$(nf_get "$C" .policy_generation)
cp "$T/other.policy" "$TP/other.policy"
chmod 644 "$TP/other.policy"
nobody() {
	nsx "$C" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$NF" "$@"
}
for c in status isolate release "allow add 10.0.0.1" "allow del any4 proto icmp" \
	"allow list" "allow flush" show stats "stats --reset" save "restore $TP/other.policy" \
	"isolate -a 10.0.0.1" "-j status"; do
	# shellcheck disable=SC2086
	expect_exit 3 "unprivileged: netfence $c" nobody $c
	expect_match "unprivileged: netfence $c says permission denied" 'permission denied' \
		"$(cat "$T/last.out")"
done
expect_eq "policy untouched by unprivileged callers" "$g" "$(nf_get "$C" .policy_generation)"
expect_isolated "$C" true 6

log "CAP_NET_ADMIN of a user namespace is enough for its own netns"
if setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null; then
	before=$(nf_global_isolated)
	expect_ok "unprivileged user isolates its own netns" \
		setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn sh -c \
		"ip link set lo up && '$NF' isolate -a 10.0.0.1 && '$NF' -j status | grep -q '\"isolated\": *true'"
	if wait_for 30 _isolated_is "$before"; then
		pass "the user namespace's isolation ended with it"
	else
		fail "the user namespace's isolation ended with it" \
			"expected isolated_namespaces $before" "got $(nf_global_isolated)"
	fi
else
	log "unprivileged user namespaces not available: skipped"
fi

log "module protection and exit 4"
expect_fail "rmmod netfence refused while a netns is isolated" rmmod netfence
expect_ok "module still loaded" nf_module_loaded
expect_ok "release" nf "$C" release
if [ "$(nf_global_isolated)" = 0 ]; then
	if rmmod netfence; then
		expect_exit 4 "status without the module" "$NF" status
		expect_match "message names the module" 'module not loaded' "$(cat "$T/last.out")"
		expect_exit 4 "isolate without the module" "$NF" isolate -a 10.0.0.1
		expect_exit 4 "allow list without the module" "$NF" allow list
		nf_load_module
		expect_ok "module reloaded" nf_module_loaded
		expect_ok "status after reload" "$NF" status
	else
		fail "rmmod netfence once nothing is isolated" "rmmod failed"
	fi
else
	log "another namespace is isolated: exit 4 check skipped"
fi
finish

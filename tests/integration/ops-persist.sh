#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Persistence that cannot lock out, in the guest's initial namespace (the
# one the boot unit isolates), with the reboot simulated by unloading and
# loading netfence again (the systemd guest's scenario reboots for real):
# - isolate --persist writes the boot unit's policy file (mode 0600) with
#   the rules, the time left before the deadline and the release key's
#   digest, never the secret; without systemd it says what the init must
#   run;
# - save FILE keeps the file's comments; save without the key refuses and
#   leaves the file as it was;
# - --persist refuses a namespace other than the host's;
# - after the "reboot", the unit's command (isolate --boot --file) brings
#   back rules, key and deadline: the allowed flow passes, another one is
#   dropped before its receiver, release needs the key;
# - --boot refuses hostnames and "dns auto" (isolate, apply --check), and
#   the policy in force stays;
# - renew is a "renewed" event for monitor, which names the namespace;
# - release --persist releases and removes the file.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init
[ "$_BASE_ISOLATED" = 0 ] || skip "a namespace is isolated: netfence cannot be reloaded"

POLICY=$T/etc/netfence/policy
export NETFENCE_POLICY_FILE=$POLICY
# Whatever happens, the initial namespace ends released and netfence loaded.
_persist_restore() {
	if nf_module_loaded && [ "$("$NF" -j status | "$PROBE" json .isolated)" = true ]; then
		"$NF" release --key-file "$T/key" >/dev/null 2>&1 || "$NF" release >/dev/null 2>&1
	fi
	ip link del nfp0 2>/dev/null
	nf_load_module >/dev/null
}
trap 'rc=$?; _persist_restore; (exit $rc); _cleanup' EXIT

ns_new P peer
ip link add nfp0 type veth peer name eth0 netns "$P" || die "veth"
ip addr add 10.0.77.1/24 dev nfp0
ip link set nfp0 up
ip -n "$P" link set eth0 up
addr "$P" eth0 10.0.77.2/24
serve p7000 "$P" tcp 7000
serve p7001 "$P" tcp 7001
head -c 32 /dev/urandom >"$T/key"
digest=$(sha256sum <"$T/key" | cut -d' ' -f1)

log "isolate --persist: the policy file, with the key's digest and the deadline"
expect_ok "isolate --persist --key-file K --timeout 10m" \
	"$NF" isolate --persist --key-file "$T/key" --timeout 10m \
	-a '10.0.77.2 proto tcp port 7000' --comment "case 77"
expect_eq "policy file written, mode 0600" 600 "$(stat -c %a "$POLICY" 2>&1)"
pol=$(cat "$POLICY")
log "policy file: $(tr '\n' '|' <<<"$pol")"
expect_match "isolate yes" '^isolate yes$' "$pol"
expect_match "the deadline's time left (at most 600s)" '^timeout (59[0-9]|600)s$' "$pol"
expect_match "the key's digest" "^key sha256:$digest\$" "$pol"
expect_match "the rule" '^10\.0\.77\.2 proto tcp port 7000$' "$pol"
expect_nomatch "never the secret" "$(od -An -tx1 "$T/key" | tr -d ' \n')" "$(od -An -tx1 "$POLICY" | tr -d ' \n')"
"$NF" isolate --persist --key-file "$T/key" 2>"$T/persist.err"
expect_match "without systemd: says what the init must run" \
	"have the init system run 'netfence isolate --boot --file $POLICY'" "$(cat "$T/persist.err")"
expect_exit 2 "--persist refuses another namespace (-n)" nf "$P" isolate --persist
expect_exit 2 "--persist refuses another namespace (inside it)" nsx "$P" "$NF" release --persist

log "save keeps the file's comments, and never drops the key silently"
{
	echo "# incident 77: host isolated, agent reachable"
	sed 's/^\(10\.0\.77\.2 .*\)$/# the peer'"'"'s service\n\1/' "$POLICY"
} >"$T/edited" && cp "$T/edited" "$POLICY"
expect_ok "save FILE --key-file K" "$NF" save "$POLICY" --key-file "$T/key"
pol=$(cat "$POLICY")
log "saved again: $(tr '\n' '|' <<<"$pol")"
expect_match "head comment kept" '^# incident 77: host isolated, agent reachable$' "$(head -n1 "$POLICY")"
expect_eq "rule comment kept, before its rule" "10.0.77.2 proto tcp port 7000" \
	"$(grep -A1 "^# the peer's service\$" "$POLICY" | tail -n1)"
sum=$(sha256sum <"$POLICY")
expect_exit 1 "save FILE without the key: refused" "$NF" save "$POLICY"
expect_eq "the file is unchanged" "$sum" "$(sha256sum <"$POLICY")"
expect_ok "save --no-key to stdout" "$NF" save --no-key

log "reboot: netfence unloaded and loaded, the unit's command restores"
expect_ok "release (not --persist)" "$NF" release --key-file "$T/key"
expect_ok "the file stays" test -f "$POLICY"
expect_ok "rmmod" rmmod netfence
nf_load_module
expect_eq "loaded released" false "$("$NF" -j status | "$PROBE" json .isolated)"
expect_ok "isolate --boot --file POLICY (the unit's command)" \
	"$NF" isolate --boot --file "$POLICY"
st=$("$NF" -j status)
expect_eq "isolated" true "$("$PROBE" json .isolated <<<"$st")"
expect_eq "the key is back" true "$("$PROBE" json .key_required <<<"$st")"
left=$("$PROBE" json .timeout_left_ms <<<"$st")
log "deadline after the reboot: ${left} ms left"
expect_ge "a deadline is back (more than 500 s left)" 500000 "${left/null/0}"
expect_le "... counted from the time left (at most 600 s)" 600000 "${left/null/0}"
expect_ok "allowed: host reaches peer tcp 7000" "$PROBE" tcp 10.0.77.2 7000
n=$(hits p7001)
expect_fail "not allowed: tcp 7001 dropped" "$PROBE" tcp 10.0.77.2 7001
expect_eq "peer's 7001 server saw nothing" "$n" "$(hits p7001)"
expect_exit 1 "release without the key: refused" "$NF" release
head -c 32 /dev/urandom >"$T/wrong"
expect_exit 1 "release with another key: refused" "$NF" release --key-file "$T/wrong"
expect_eq "still isolated" true "$("$NF" -j status | "$PROBE" json .isolated)"

log "--boot refuses what needs the network, the policy in force stays"
gen=$("$NF" -j status | "$PROBE" json .policy_generation)
printf 'isolate yes\npeer.example proto tcp port 443\n' >"$T/named"
"$NF" isolate --boot --file "$T/named" --key-file "$T/key" 2>"$T/boot.err"
expect_eq "isolate --boot: hostname refused (exit 2)" 2 "$?"
expect_match "... with the reason" "'peer.example' is a hostname: at boot it cannot be resolved" "$(cat "$T/boot.err")"
printf 'isolate yes\n10.0.77.2 proto tcp port 7000\ndns auto\n' >"$T/dns"
"$NF" apply --check --boot "$T/dns" 2>"$T/boot.err"
expect_eq "apply --check --boot: dns auto refused (exit 2)" 2 "$?"
expect_match "... with the reason" "'dns auto' at boot: the resolvers are not known" "$(cat "$T/boot.err")"
expect_eq "policy generation unchanged" "$gen" "$("$NF" -j status | "$PROBE" json .policy_generation)"

log "renew: a renewed event, with the namespace"
"$NF" -j monitor --count 1 >"$T/mon.log" 2>&1 &
mon=$!
_PIDS+=("$mon")
sleep 2
expect_ok "renew --timeout 20m" "$NF" renew --timeout 20m --key-file "$T/key"
wait_for 10 grep -q renewed "$T/mon.log"
mon_line=$(cat "$T/mon.log")
log "monitor: $mon_line"
expect_match "renewed event with the time left, naming the namespace" \
	'^\{"netns":"net:\[[0-9]+\]","event":"renewed","timeout_left_ms":1[12][0-9]{5}\}$' "$mon_line"

log "release --persist: released, and the next boot does not isolate"
expect_ok "release --persist --key-file K" "$NF" release --persist --key-file "$T/key"
expect_eq "released" false "$("$NF" -j status | "$PROBE" json .isolated)"
expect_fail "the policy file is gone" test -e "$POLICY"
expect_ok "host reaches peer tcp 7001 once released" "$PROBE" tcp 10.0.77.2 7001

finish

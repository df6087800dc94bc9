#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Release key (tamper resistance): a namespace isolated with --key-file
# cannot be released, renewed, re-isolated with another deadline or given
# a new policy without the secret. A missing key and a wrong key are
# refused with the kernel's message and change nothing; the right key
# releases; nothing the tool can read back holds the secret or its digest;
# the deadline still releases a keyed namespace. A key shorter than 16
# bytes (NETFENCE_KEY_MIN) is refused by the tool before sending and by
# the kernel (-EINVAL, NETFENCE_A_KEY named), and changes nothing.
# timeout: 400
. "$(dirname "$0")/lib.sh"
nf_init

ns_new A alpha
ns_new B beta
veth "$A" eth0 "$B" eth0
addr "$A" eth0 10.0.72.1/24
addr "$B" eth0 10.0.72.2/24

printf 'correct horse battery staple' >"$T/key"
printf 'correct horse battery stapler' >"$T/wrong"
digest=$(sha256sum <"$T/key" | cut -d' ' -f1)

log "a key shorter than 16 bytes is refused, nothing changes"
printf 'fifteen bytes!!' >"$T/short"
expect_exit 2 "tool: isolate --key-file with 15 bytes (usage error)" \
	nf "$A" isolate --key-file "$T/short"
expect_match "tool: message names the minimum" "at least 16 bytes" "$(cat "$T/last.out")"
expect_eq "tool: still released" false "$(nf_get "$A" .isolated)"
# keyreq CMD LEN: the kernel's answer to CMD carrying a key of LEN bytes.
keyreq() { nsx "$A" $NLCLIENT key "$1" "$2"; }
r=$(keyreq isolate 15)
log "kernel, ISOLATE with a 15-byte key: $r"
expect_eq "kernel: -EINVAL" -22 "$("$PROBE" json .errno <<<"$r")"
expect_eq "kernel: NETFENCE_A_KEY blamed" NETFENCE_A_KEY "$("$PROBE" json .attr <<<"$r")"
expect_match "kernel: extack says why" 'release key shorter than 16 bytes' \
	"$("$PROBE" json .extack <<<"$r")"
expect_eq "kernel: still released" false "$(nf_get "$A" .isolated)"
expect_eq "kernel: no key set" false "$(nf_get "$A" .key_required)"
r=$(keyreq isolate 16)
expect_eq "kernel: a 16-byte key is accepted" 0 "$("$PROBE" json .errno <<<"$r")"
expect_eq "kernel: key set" true "$(nf_get "$A" .key_required)"
r=$(keyreq release 15)
expect_eq "kernel: RELEASE with a 15-byte key: -EINVAL" -22 "$("$PROBE" json .errno <<<"$r")"
expect_eq "kernel: still isolated" true "$(nf_get "$A" .isolated)"
r=$(keyreq release 16)
expect_eq "kernel: RELEASE with the 16-byte key" 0 "$("$PROBE" json .errno <<<"$r")"
expect_eq "kernel: released" false "$(nf_get "$A" .isolated)"

log "isolate with a release key"
expect_ok "isolate --key-file" nf "$A" isolate --key-file "$T/key" -a '10.0.72.2 proto tcp port 7'
expect_isolated "$A" true 6
expect_eq "status: key_required" true "$(nf_get "$A" .key_required)"
expect_match "human status says a key is required" 'release key: required' "$(nf "$A" status 2>&1)"
gen=$(nf_get "$A" .policy_generation)
rules=$(nf_rules "$A")

# Everything the tool reads back: status, rules, saved policy, raw dump.
readback() {
	nf_status "$A"
	nf "$A" status
	"$NF" -j -n "$A" show
	nf "$A" save
	nsx "$A" $NLCLIENT status 2>/dev/null
}
rb=$(readback 2>&1)
expect_nomatch "the digest never leaves the kernel" "$digest" "$rb"
expect_nomatch "nor does the secret" 'battery' "$rb"

log "missing key: refused with the kernel's message, nothing changes"
expect_fail "release without the key" nf "$A" release
expect_match "message: a key is set" 'release key is set' "$(cat "$T/last.out")"
expect_fail "renew without the key" nf "$A" renew --timeout 60s
expect_fail "isolate --timeout without the key" nf "$A" isolate --timeout 5s
expect_match "message for isolate --timeout" 'release key' "$(cat "$T/last.out")"
expect_fail "allow add without the key" nf "$A" allow add 10.9.9.9
expect_fail "allow flush without the key" nf "$A" allow flush
expect_eq "still isolated" true "$(nf_get "$A" .isolated)"
expect_eq "no deadline was set" null "$(nf_get "$A" .timeout_left_ms)"
expect_eq "policy generation unchanged" "$gen" "$(nf_get "$A" .policy_generation)"
expect_eq "rules unchanged" "$rules" "$(nf_rules "$A")"
expect_fail "beta still unreachable" ping4 "$A" 10.0.72.2

log "wrong key: refused, nothing changes"
expect_fail "release with a wrong key" nf "$A" release --key-file "$T/wrong"
expect_match "message: wrong key" 'wrong release key' "$(cat "$T/last.out")"
expect_fail "renew with a wrong key" nf "$A" renew --key-file "$T/wrong"
expect_fail "allow add with a wrong key" nf "$A" allow add --key-file "$T/wrong" 10.9.9.9
expect_fail "isolate with a new key instead of the old" nf "$A" isolate --key-file "$T/wrong"
expect_eq "still isolated" true "$(nf_get "$A" .isolated)"
expect_eq "key still required" true "$(nf_get "$A" .key_required)"
expect_eq "policy generation unchanged" "$gen" "$(nf_get "$A" .policy_generation)"

log "right key"
expect_ok "isolate (no deadline, no key) is harmless without the key" nf "$A" isolate
expect_ok "allow add with the key" nf "$A" allow add --key-file "$T/key" 10.0.72.2 proto icmp
expect_ok "beta answers ping now" ping4 "$A" 10.0.72.2
expect_eq "key still required after a commit" true "$(nf_get "$A" .key_required)"
expect_ok "release with the key" nf "$A" release --key-file "$T/key"
expect_isolated "$A" false 0
expect_eq "key cleared on release" false "$(nf_get "$A" .key_required)"
expect_ok "isolate again without key: release needs none" nf "$A" isolate
expect_ok "release without key" nf "$A" release

log "the deadline still releases a keyed namespace"
expect_ok "isolate --key-file --timeout 5s" nf "$A" isolate --key-file "$T/key" --timeout 5s
expect_eq "key required" true "$(nf_get "$A" .key_required)"
if wait_for 60 nf_released "$A"; then pass "released by its deadline despite the key"
else fail "released by its deadline despite the key"; fi
expect_eq "key cleared by the deadline release" false "$(nf_get "$A" .key_required)"
expect_ok "the key from stdin works too" sh -c "'$NF' -n '$A' isolate --key-file - <'$T/key'"
expect_fail "release without it" nf "$A" release
expect_ok "release with it" nf "$A" release --key-file "$T/key"

finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lock-out guard: from an SSH session (SSH_CONNECTION, as sshd sets it), a
# policy that would cut that session is refused (exit 2, nothing changed,
# the session's port still reachable) unless a deadline undoes it
# (--timeout, commit-confirmed) or --force; then it is only a warning. The
# same for apply, and for a new policy on a namespace already isolated.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new A alpha
ns_new B beta
veth "$A" eth0 "$B" eth0
addr "$A" eth0 10.0.82.1/24
addr "$B" eth0 10.0.82.2/24
serve sshd "$A" tcp 22
serve web "$B" tcp 80

# The responder's session: from beta to alpha's port 22.
export SSH_CONNECTION="10.0.82.2 50022 10.0.82.1 22"
CUT=(-a '10.0.82.2 proto tcp port 80')
KEEP=(-a '10.0.82.2 proto tcp port 22 dir in')
ssh_reachable() { tcp "$B" 10.0.82.1 22; }

log "a policy that cuts the session: refused"
gen=$(nf_get "$A" .policy_generation)
expect_exit 2 "isolate without the session's rule: exit 2" nf "$A" isolate "${CUT[@]}"
expect_match "says which session and how to keep it" \
	"no rule lets this SSH session in \(10\.0\.82\.2 to tcp port 22\): it would be cut off; allow it with '10\.0\.82\.2 proto tcp port 22 dir in'; or give --timeout DUR .* or --force" \
	"$(cat "$T/last.out")"
expect_eq "not isolated" false "$(nf_get "$A" .isolated)"
expect_eq "policy unchanged" "$gen" "$(nf_get "$A" .policy_generation)"
expect_ok "the session's port is still reachable" ssh_reachable
expect_exit 2 "apply of such a file: exit 2" \
	sh -c "printf 'isolate yes\n10.0.82.2 proto tcp port 80\n' | ip netns exec '$A' '$NF' apply -"
expect_eq "apply changed nothing" false "$(nf_get "$A" .isolated)"

log "with a deadline or --force: a warning, and it goes ahead"
expect_ok "isolate --timeout 120s: commit-confirmed" nf "$A" isolate --timeout 120s "${CUT[@]}"
expect_match "warned" '^netfence: warning: no rule lets this SSH session in' "$(cat "$T/last.out")"
expect_eq "isolated" true "$(nf_get "$A" .isolated)"
expect_fail "the session's port is cut, as warned" ssh_reachable
expect_ok "the policy's own traffic flows" tcp "$A" 10.0.82.2 80
expect_ok "release" nf "$A" release
expect_ok "isolate --force" nf "$A" isolate --force "${CUT[@]}"
expect_match "warned" '^netfence: warning: no rule lets this SSH session in' "$(cat "$T/last.out")"
expect_eq "isolated" true "$(nf_get "$A" .isolated)"
expect_ok "release" nf "$A" release
expect_ok "apply --force" \
	sh -c "printf 'isolate yes\n10.0.82.2 proto tcp port 80\n' | ip netns exec '$A' '$NF' apply --force -; [ \$? = 5 ]"
expect_ok "release" nf "$A" release
expect_ok "apply with a timeout line" \
	sh -c "printf 'isolate yes\ntimeout 120s\n10.0.82.2 proto tcp port 80\n' | ip netns exec '$A' '$NF' apply -; [ \$? = 5 ]"
expect_eq "isolated with a deadline" true "$(nf_get "$A" .isolated)"
expect_ok "release" nf "$A" release

log "a policy that keeps the session: no word"
expect_ok "isolate with the session's rule" nf "$A" isolate "${KEEP[@]}" "${CUT[@]}"
expect_eq "no warning" "" "$(cat "$T/last.out")"
expect_ok "the session's port is reachable while isolated" ssh_reachable

log "isolated already, without a deadline: a new policy that cuts is refused"
gen=$(nf_get "$A" .policy_generation)
rules=$(nf_rules "$A")
expect_exit 2 "isolate with a cutting policy: exit 2" nf "$A" isolate "${CUT[@]}"
expect_eq "policy unchanged" "$gen" "$(nf_get "$A" .policy_generation)"
expect_eq "rules unchanged" "$rules" "$(nf_rules "$A")"
expect_ok "the session's port still reachable" ssh_reachable
expect_ok "audit mode cuts nothing: allowed" nf "$A" isolate --audit "${CUT[@]}"
expect_ok "release" nf "$A" release

log "outside SSH: no guard"
unset SSH_CONNECTION
expect_ok "isolate without the session's rule" nf "$A" isolate "${CUT[@]}"
expect_ok "release" nf "$A" release
finish

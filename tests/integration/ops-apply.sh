#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence apply, the idempotent form for configuration management: a file
# isolates (exit 5), applying it again commits nothing (exit 0, the policy
# generation and the hit counters stay), an edited file changes only the
# edited rules (--diff), --check changes nothing and rejects a bad file with
# the parser's or the kernel's message, "isolate no" releases under the
# release key, save -> apply round-trips with exit 0 (deadline too), allow
# add/del --exist, and the traffic matches the file at every step.
# timeout: 1200
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new P peer
veth "$H" eth0 "$P" eth0
addr "$H" eth0 10.0.77.1/24 fd00:77::1/64
addr "$P" eth0 10.0.77.2/24 fd00:77::2/64
serve s1 "$P" tcp 7001
serve s2 "$P" tcp 7002
serve s3 "$P" tcp 7003

gen() { nf_get "$H" .policy_generation; }
R1='10.0.77.2 proto tcp port 7001'
# diff_lines: the "- " and "+ " lines of the last command's output.
diff_lines() { grep '^[-+] ' "$T/last.out"; }

cat >"$T/p1" <<'P'
# the host under incident 77
isolate yes
option dhcp6 off
10.0.77.2 proto tcp port 7001
10.0.77.2 proto tcp port 7002
fd00:77::2 proto tcp port 7001
P

log "apply of a file isolates"
expect_eq "released at first" false "$(nf_get "$H" .isolated)"
expect_exit 5 "apply isolates: exit 5 (changed)" nf "$H" apply "$T/p1"
expect_match "says what changed" '^changed: isolate, 1 option line changed, 3 rules added$' "$(cat "$T/last.out")"
expect_eq "isolated" true "$(nf_get "$H" .isolated)"
expect_eq "3 rules" 3 "$(nf_get "$H" .rules)"
expect_eq "option dhcp6 off in force" false "$(nf_get "$H" .flags.dhcp6)"
expect_ok "allowed: tcp 7001" tcp "$H" 10.0.77.2 7001
expect_ok "allowed: tcp 7002" tcp "$H" 10.0.77.2 7002
expect_ok "allowed: tcp 7001 over IPv6" tcp "$H" fd00:77::2 7001
expect_fail "dropped: tcp 7003 (not in the file)" tcp "$H" 10.0.77.2 7003
expect_fail "dropped: tcp 7002 over IPv6 (not in the file)" tcp "$H" fd00:77::2 7002

log "the same file again: nothing committed"
g1=$(gen)
h1=$(nf_hits "$H" "$R1")
expect_ge "the 7001 rule has hits" 1 "$h1"
expect_exit 0 "second apply: exit 0 (already so)" nf "$H" apply "$T/p1"
expect_eq "says so" "no change" "$(cat "$T/last.out")"
expect_eq "policy generation unchanged" "$g1" "$(gen)"
expect_eq "hit counter unchanged" "$h1" "$(nf_hits "$H" "$R1")"
# Order, duplicates and comments do not matter: the rules are a set.
{ echo 'fd00:77::2 proto tcp port 7001'; echo "$R1 # again"; grep -v '^#' "$T/p1"; } >"$T/p1-shuffled"
expect_exit 0 "reordered file with a duplicate: exit 0" nf "$H" apply "$T/p1-shuffled"
out=$("$NF" -j -n "$H" apply - <"$T/p1")
expect_eq "-j from stdin: changed false" false "$("$PROBE" json .changed <<<"$out")"
expect_eq "-j: isolated stays true" true "$("$PROBE" json .isolated.to <<<"$out")"
expect_eq "policy generation still unchanged" "$g1" "$(gen)"
expect_eq "hit counter still unchanged" "$h1" "$(nf_hits "$H" "$R1")"

log "an edited file changes only the edited rules"
sed 's/port 7002/port 7003/' "$T/p1" >"$T/p2"
expect_exit 5 "apply --diff of the edit: exit 5" nf "$H" apply --diff "$T/p2"
expect_eq "--diff: one rule out, one in" \
	"$(printf -- '- 10.0.77.2 proto tcp port 7002\n+ 10.0.77.2 proto tcp port 7003')" \
	"$(diff_lines)"
expect_eq "rules in force are the file's" \
	"$(printf '%s\n' "$R1" '10.0.77.2 proto tcp port 7003' 'fd00:77::2 proto tcp port 7001' | sort)" \
	"$(nf_rules "$H")"
expect_ge "a new policy generation" $((g1 + 1)) "$(gen)"
expect_ok "allowed: tcp 7003 (added)" tcp "$H" 10.0.77.2 7003
expect_fail "dropped: tcp 7002 (removed)" tcp "$H" 10.0.77.2 7002
expect_ok "allowed: tcp 7001 (kept)" tcp "$H" 10.0.77.2 7001
out=$("$NF" -j -n "$H" apply "$T/p1")
expect_eq "-j back to p1: changed" true "$("$PROBE" json .changed <<<"$out")"
expect_eq "-j: added" '10.0.77.2 proto tcp port 7002' "$("$PROBE" json '.added[0]' <<<"$out")"
expect_eq "-j: removed" '10.0.77.2 proto tcp port 7003' "$("$PROBE" json '.removed[0]' <<<"$out")"
expect_exit 5 "and p2 again" nf "$H" apply "$T/p2"

log "--check changes nothing"
g2=$(gen)
rules2=$(nf_rules "$H")
{ cat "$T/p2"; echo 'option audit on'; echo '10.0.77.2 proto udp port 9'; } >"$T/p3"
expect_exit 5 "--check of a change: exit 5 (would change)" nf "$H" apply --check --diff "$T/p3"
expect_match "--check says it would" '^would change: ' "$(cat "$T/last.out")"
expect_eq "--check --diff lines" \
	"$(printf -- '- option audit off\n+ option audit on\n+ 10.0.77.2 proto udp port 9')" \
	"$(diff_lines)"
expect_eq "--check: generation unchanged" "$g2" "$(gen)"
expect_eq "--check: rules unchanged" "$rules2" "$(nf_rules "$H")"
expect_eq "--check: audit still off" false "$(nf_get "$H" .flags.audit)"
out=$("$NF" -j -n "$H" apply --check "$T/p3")
expect_eq "--check -j: check true" true "$("$PROBE" json .check <<<"$out")"
expect_exit 0 "--check of the file in force: exit 0" nf "$H" apply --check "$T/p2"
printf 'isolate yes\n10.0.77.2 proto tcp port 7001\n10.0.77.2 port 70000\n' >"$T/bad.policy"
expect_exit 2 "--check of a bad file: exit 2" nf "$H" apply --check "$T/bad.policy"
expect_eq "the parser's message" "netfence: $T/bad.policy:3: bad port '70000' (0-65535)" \
	"$(cat "$T/last.out")"
expect_exit 2 "apply of the bad file: exit 2" nf "$H" apply "$T/bad.policy"
# Parsed fine, refused by the kernel when the transaction adds it.
printf 'isolate yes\ncgroup /system.slice/../agent.slice\n' >"$T/nocg.policy"
expect_exit 1 "--check: the kernel refuses a cgroup path with '..'" nf "$H" apply --check "$T/nocg.policy"
expect_match "with the kernel's message" '^netfence: apply: .*cgroup path with a "\." or "\.\." component' \
	"$(cat "$T/last.out")"
expect_eq "generation unchanged after the refusals" "$g2" "$(gen)"
expect_eq "rules unchanged after the refusals" "$rules2" "$(nf_rules "$H")"
expect_eq "still isolated" true "$(nf_get "$H" .isolated)"
expect_ok "old policy in force: tcp 7003" tcp "$H" 10.0.77.2 7003
expect_fail "old policy in force: tcp 7002 dropped" tcp "$H" 10.0.77.2 7002

log "save -> apply round trip"
expect_ok "save FILE" nf "$H" save "$T/saved"
expect_eq "saved file is mode 0600" 600 "$(stat -c %a "$T/saved")"
expect_eq "saved file starts with isolate yes" "isolate yes" "$(head -n 1 "$T/saved")"
expect_eq "no temporary file left" "saved" "$(cd "$T" && ls saved*)"
expect_exit 0 "apply of the saved file: exit 0" nf "$H" apply "$T/saved"
expect_eq "generation unchanged by the round trip" "$g2" "$(gen)"

log "deadline: timeout lines"
{ cat "$T/p2"; echo 'timeout 10m'; } >"$T/p2t"
expect_exit 5 "timeout 10m arms a deadline: exit 5" nf "$H" apply "$T/p2t"
left=$(nf_get "$H" .timeout_left_ms)
expect_ge "deadline about 10 minutes" 500000 "$left"
expect_exit 0 "again: the running deadline is left alone" nf "$H" apply "$T/p2t"
expect_ok "save with a deadline" nf "$H" save "$T/saved-t"
expect_match "save writes the time left" '^timeout [0-9]+s$' "$(cat "$T/saved-t")"
expect_exit 0 "apply of that save: exit 0" nf "$H" apply "$T/saved-t"
expect_exit 0 "a file without a timeout line keeps the deadline" nf "$H" apply "$T/p2"
expect_eq "policy generation unchanged by deadlines" "$g2" "$(gen)"
{ cat "$T/p2"; echo 'timeout 0'; } >"$T/p2n"
expect_exit 5 "timeout 0 removes the deadline: exit 5" nf "$H" apply --diff "$T/p2n"
expect_match "--diff shows the deadline going" '^- timeout [0-9]+s$' "$(diff_lines)"
expect_eq "no deadline" null "$(nf_get "$H" .timeout_left_ms)"

log "allow add/del --exist"
g3=$(gen)
expect_ok "allow add --exist of a new rule" nf "$H" allow add --exist 10.0.77.2 proto udp port 9
g4=$(gen)
expect_ge "that committed" $((g3 + 1)) "$g4"
expect_ok "allow add --exist again: exit 0" nf "$H" allow add --exist 10.0.77.2 proto udp port 9
expect_eq "nothing committed the second time" "$g4" "$(gen)"
expect_exit 1 "allow del of an absent rule fails without --exist" nf "$H" allow del 10.0.77.9
expect_ok "allow del --exist of an absent rule: exit 0" nf "$H" allow del --exist 10.0.77.9
expect_eq "nothing committed" "$g4" "$(gen)"
expect_ok "allow del --exist of a present rule" nf "$H" allow del --exist 10.0.77.2 proto udp port 9
expect_ok "and again: exit 0" nf "$H" allow del --exist 10.0.77.2 proto udp port 9
expect_eq "the rules are p2's again" "$rules2" "$(nf_rules "$H")"

log "isolate no releases, under the release key"
printf 'correct horse battery staple' >"$T/key"
expect_ok "set a release key" nf "$H" isolate --key-file "$T/key"
expect_eq "key required" true "$(nf_get "$H" .key_required)"
expect_exit 0 "nothing to change needs no key" nf "$H" apply "$T/p2"
sed 's/^isolate yes$/isolate no/' "$T/p2" >"$T/p2r"
expect_exit 1 "isolate no without the key: refused" nf "$H" apply "$T/p2r"
expect_match "release's message" 'a release key is set: give it with --key-file' "$(cat "$T/last.out")"
expect_eq "still isolated" true "$(nf_get "$H" .isolated)"
printf 'the wrong horse battery staple' >"$T/wrong"
expect_exit 1 "with a wrong key: refused" nf "$H" apply "$T/p2r" --key-file "$T/wrong"
expect_match "wrong key message" 'wrong release key' "$(cat "$T/last.out")"
expect_exit 5 "isolate no with the key: released, exit 5" nf "$H" apply --diff "$T/p2r" --key-file "$T/key"
expect_eq "--diff: only the isolation" "$(printf -- '- isolate yes\n+ isolate no')" "$(diff_lines)"
expect_eq "released" false "$(nf_get "$H" .isolated)"
expect_eq "key cleared" false "$(nf_get "$H" .key_required)"
expect_ok "released: tcp 7002 flows" tcp "$H" 10.0.77.2 7002
expect_exit 0 "isolate no again: exit 0" nf "$H" apply "$T/p2r"
expect_ok "save while released" nf "$H" save "$T/saved-r"
expect_eq "save says isolate no" "isolate no" "$(head -n 1 "$T/saved-r")"
expect_exit 0 "apply of that save: exit 0" nf "$H" apply "$T/saved-r"
expect_exit 5 "isolate again from the first file" nf "$H" apply "$T/p1"
expect_fail "isolated again: tcp 7003 dropped" tcp "$H" 10.0.77.2 7003
expect_ok "isolated again: tcp 7002 allowed" tcp "$H" 10.0.77.2 7002
expect_ok "release" nf "$H" release

finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Untrusted users and user namespaces:
# - a plain user (uid 65534) gets a permission error for every command that
#   changes something (isolate, release, allow add/del, a transaction) and
#   for status; nothing changes;
# - root of a user namespace of that user ("unshare -Urn") isolates its own
#   network namespace and nothing else: it cannot enter another one, and
#   the initial namespace and root's test namespace stay released;
# - there a policy holds at most 65536 rules (NETFENCE_MAX_RULES_USERNS): a
#   larger one is refused with "too many rules", the policy in force stays;
#   root's namespace takes the same file; at most 16 transactions are open
#   in one namespace (NETFENCE_MAX_TXNS, -ENOSPC);
# - that isolation does not pin the module: with a namespace of the initial
#   user namespace isolated rmmod is refused, with only the user
#   namespace's isolated it succeeds, and the namespace is released with a
#   "module-unload" event and a kernel log line.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init
[ "$_BASE_ISOLATED" = 0 ] || skip "a namespace is isolated: netfence cannot be reloaded"

# Whatever happens, netfence is loaded again for the scenarios that follow.
trap 'rc=$?; nf_load_module >/dev/null; (exit $rc); _cleanup' EXIT

# Debian's kernel may forbid unprivileged user namespaces (its own sysctl).
if [ -w /proc/sys/kernel/unprivileged_userns_clone ]; then
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
fi
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
	skip "user namespaces are disabled (user.max_user_namespaces)"

NOBODY=65534
as_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$@"
}

ns_new H host
st_init0=$("$NF" -j status | "$PROBE" json .isolated)
gen_init0=$("$NF" -j status | "$PROBE" json .policy_generation)

log "(a) a plain user: permission denied for every command, nothing changes"
printf '10.0.9.9\n' >"$TP/one.rules"
chmod 644 "$TP/one.rules"
for args in "isolate" "isolate -a 10.0.9.9" "isolate --file $TP/one.rules" "release" \
	"allow add 10.0.9.9" "allow del 10.0.9.9" "status"; do
	# shellcheck disable=SC2086
	expect_exit 3 "uid $NOBODY: netfence $args: exit 3 (permission)" as_nobody "$NF" $args
	expect_match "uid $NOBODY: netfence $args: says why" 'not permitted|ermission' \
		"$(cat "$T/last.out")"
done
expect_exit 3 "uid $NOBODY: netfence -n $H isolate: cannot enter it" \
	as_nobody "$NF" -n "$H" isolate
expect_fail "uid $NOBODY: a raw TXN_BEGIN is refused" as_nobody $NLCLIENT begin
expect_match "uid $NOBODY: TXN_BEGIN got EPERM" 'Operation not permitted' "$(cat "$T/last.out")"
expect_eq "initial namespace: isolated unchanged" "$st_init0" \
	"$("$NF" -j status | "$PROBE" json .isolated)"
expect_eq "initial namespace: generation unchanged" "$gen_init0" \
	"$("$NF" -j status | "$PROBE" json .policy_generation)"
expect_isolated "$H" false 0

log "(b) root of a user namespace isolates its own network namespace only"
# A user namespace and network namespace of uid 65534, kept by a sleeper;
# uns runs a command there as its root (the user owns it: no privilege).
# Not through as_nobody: $! would name the subshell running the function.
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- unshare -Urn sleep 100000 &
U=$!
_PIDS+=("$U")
_in_own_userns() {
	[ "$(readlink /proc/$U/ns/user)" != "$(readlink /proc/self/ns/user)" ] &&
		[ "$(readlink /proc/$U/ns/net)" != "$(readlink /proc/self/ns/net)" ]
}
wait_for 20 _in_own_userns || die "unshare -Urn as uid $NOBODY did not start"
uns() {
	as_nobody nsenter -t "$U" --user --net --preserve-credentials -- "$@"
}
expect_eq "uns: uid 0 inside" 0 "$(uns id -u)"
uns ip link set lo up
expect_ok "uns: status" uns "$NF" status
expect_ok "uns: isolate its own namespace" uns "$NF" isolate -a '10.0.9.1 proto tcp port 22'
st=$(uns "$NF" -j status)
expect_eq "uns: isolated" true "$("$PROBE" json .isolated <<<"$st")"
expect_eq "uns: 1 rule" 1 "$("$PROBE" json .rules <<<"$st")"
expect_eq "uns: hooks registered" 6 "$("$PROBE" json .hooks_registered <<<"$st")"
expect_eq "initial namespace still released" false "$("$NF" -j status | "$PROBE" json .isolated)"
expect_isolated "$H" false 0
expect_exit 3 "uns: cannot enter root's namespace (-n $H)" uns "$NF" -n "$H" isolate
expect_exit 3 "uns: cannot enter the initial namespace" uns "$NF" --netns /proc/1/ns/net isolate
expect_eq "initial namespace still released" false "$("$NF" -j status | "$PROBE" json .isolated)"
expect_isolated "$H" false 0
expect_ok "uns: loopback works while isolated" uns busybox ping -c 1 -W 2 127.0.0.1

log "(c) limits of a user namespace's namespace"
gen_u=$(uns "$NF" -j status | "$PROBE" json .policy_generation)
rules_u=$(uns "$NF" allow list)
$PY - "$TP/big.rules" <<'EOP'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(65537):
        f.write("10.%d.%d.%d\n" % (100 + i // 65536, (i // 256) % 256, i % 256))
EOP
chmod 644 "$TP/big.rules"
expect_exit 1 "uns: a policy of 65537 rules is refused" uns "$NF" isolate --file "$TP/big.rules"
expect_match "uns: the error names the limit" 'too many rules.*65536' "$(cat "$T/last.out")"
st=$(uns "$NF" -j status)
expect_eq "uns: still isolated" true "$("$PROBE" json .isolated <<<"$st")"
expect_eq "uns: generation unchanged" "$gen_u" "$("$PROBE" json .policy_generation <<<"$st")"
expect_eq "uns: previous policy in force" "$rules_u" "$(uns "$NF" allow list)"
expect_ok "root's namespace takes the same 65537 rules" nf "$H" isolate --file "$TP/big.rules"
expect_eq "root's namespace: 65537 rules" 65537 "$(nf_get "$H" .rules)"
expect_ok "release root's namespace" nf "$H" release

_run uns $NLCLIENT txn-limit 17
out=$(cat "$T/last.out")
sed 's/^/#   /' <<<"$out"
expect_eq "uns: 16 transactions open" 16 "$(grep -c '^begin .*errno=0 ' <<<"$out")"
expect_match "uns: the 17th is refused with ENOSPC and why" \
	"^begin 17: errno=-28 .*too many open transactions" "$out"

log "(d) module unload: only the initial user namespace pins netfence"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
	nsenter -t "$U" --user --net --preserve-credentials -- \
	"$NF" monitor -j >"$TP/monitor.log" 2>&1 &
mon=$!
_PIDS+=("$mon")
sleep 1
expect_ok "root's namespace isolated" nf "$H" isolate
expect_fail "rmmod refused while a namespace of the initial user namespace is isolated" \
	rmmod netfence
expect_ok "release root's namespace" nf "$H" release
expect_eq "the user namespace's namespace is still isolated" true \
	"$(uns "$NF" -j status | "$PROBE" json .isolated)"
dmesg_n=$(dmesg_mark)
expect_ok "rmmod succeeds with only the user namespace's namespace isolated" rmmod netfence
expect_fail "netfence is gone" nf_module_loaded
wait_for 10 grep -q '"released"' "$TP/monitor.log"
expect_match "uns: released event, reason module-unload" \
	'"event":"released","reason":"module-unload"' "$(cat "$TP/monitor.log")"
msgs=$(dmesg_since "$dmesg_n" | grep 'netfence:')
log "kernel log: $(tr '\n' '|' <<<"$msgs")"
expect_match "kernel log says why" 'module unloading: released a namespace of a user namespace' \
	"$msgs"
stop "$mon"
nf_load_module >/dev/null
expect_eq "reloaded: the user namespace's namespace is released" false \
	"$(uns "$NF" -j status | "$PROBE" json .isolated)"
expect_eq "reloaded: initial namespace released" false "$("$NF" -j status | "$PROBE" json .isolated)"
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence: command-line behaviour without a kernel module. Every case is
# one table line: expected exit status, expected stderr text, arguments.
# Usage errors must exit 2 before anything reaches the kernel; commands that
# get as far as the kernel exit 4 here (no netfence family on this host).
set -u
NF=${1:-./netfence}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

printf 'nameserver 192.0.2.53\n' >"$TMP/resolv.conf"
export NETFENCE_RESOLV_CONF=$TMP/resolv.conf
printf '# jump host\n10.0.0.5 proto tcp port 22 dir in\n\n10.0.0.6 port 70000\n' >"$TMP/bad.policy"
printf 'option audit on\n10.0.0.5 proto tcp port 22 dir in\ndns auto\n' >"$TMP/good.policy"

NOMOD="netfence: kernel module not loaded (try: modprobe netfence)"

# exit | stderr (substring; "" = must be empty) | arguments (eval'd)
cases_usage=(
"2|netfence: unknown option '--bogus'|--bogus status"
"2|netfence: unknown option '-x'|-x status"
"2|netfence: unknown option '-x'|-jx status"
"2|netfence: option '-n' needs an argument|-n"
"2|netfence: option '--netns' needs an argument|--netns"
"2|netfence: bad netns name '../x'|-n ../x status"
"2|Usage: netfence|"
"2|netfence: unknown command 'frobnicate'|frobnicate"
"2|netfence: unexpected argument 'extra'|status extra"
"2|netfence: unknown option '--reset'|status --reset"
"2|Try 'netfence stats --help'.|stats --bogus"
"2|netfence: missing subcommand (add, del, list or flush)|allow"
"2|netfence: unknown subcommand 'remove'|allow remove 10.0.0.1"
"2|netfence: missing rule target|allow add"
"2|netfence: 10.1.2.3/8: host bits set, did you mean 10.0.0.0/8?|allow add 10.1.2.3/8"
"2|netfence: bad port '70000' (0-65535)|allow add 10.0.0.5 proto tcp port 70000"
"2|netfence: bad port range '90-80' (start above end)|allow del 10.0.0.5 port 90-80"
"2|netfence: 'dir' given twice|allow add 10.0.0.5 dir in dir out"
"2|netfence: unknown keyword 'tcp'|allow add 10.0.0.5 tcp"
"2|netfence: proto icmp needs an IPv4 target ('any' covers IPv6 too: use any4)|allow add any proto icmp"
"2|netfence: bad prefix length '129'|allow add 2001:db8::/129"
"2|Try 'netfence allow add --help'.|allow add 10.0.0.256"
"2|netfence: unexpected argument 'x'|allow list x"
"2|netfence: option '--file' needs an argument|isolate --file"
"2|netfence: option '-a' needs an argument|isolate -a"
"2|netfence: unknown option '--no-arp'|isolate --no-arp"
"2|netfence: bad --dns value 'yes' (only 'auto')|isolate --dns yes"
"2|netfence: unexpected argument '10.0.0.1' (rules go after -a)|isolate 10.0.0.1"
"2|netfence: port needs proto tcp, udp or any|isolate -a '10.0.0.1 proto icmp port 1'"
"2|$TMP/bad.policy:4: bad port '70000' (0-65535)|isolate -f $TMP/bad.policy"
"2|netfence: $TMP/none.policy: No such file or directory|isolate -f $TMP/none.policy"
"2|stdin:4: bad port '70000'|isolate -f - <$TMP/bad.policy"
"2|netfence: missing FILE|restore"
"2|$TMP/bad.policy:4: bad port|restore $TMP/bad.policy"
"2|netfence: unexpected argument 'b'|save a b"
"2|netfence: unexpected argument 'x'|release x"
"2|netfence: dns auto: /nonexistent: No such file or directory|isolate --dns auto NETFENCE_RESOLV_CONF=/nonexistent"
)

cases_kernel=(
"4|$NOMOD|status"
"4|$NOMOD|-j status"
"4|$NOMOD|stats --reset"
"4|$NOMOD|show"
"4|$NOMOD|allow list"
"4|$NOMOD|allow flush"
"4|$NOMOD|allow add 10.0.0.5 proto tcp port 22 dir in"
"4|$NOMOD|allow del any6 proto icmpv6"
"4|$NOMOD|isolate"
"4|$NOMOD|isolate -a '10.0.0.5 proto tcp port 22 dir in' -a 'any4 proto icmp' --dns auto --no-nd --audit"
"4|$NOMOD|isolate -f $TMP/good.policy --keep"
"4|$NOMOD|release"
"4|$NOMOD|save"
"4|$NOMOD|restore $TMP/good.policy"
"4|$NOMOD|restore - <$TMP/good.policy"
"1|netfence: cannot open network namespace /run/netns/nf-none-$$: No such file or directory|-n nf-none-$$ status"
"1|netfence: cannot open network namespace $TMP/nons: No such file or directory|--netns $TMP/nons status"
)

run_table() {
	local name=$1; shift
	local bad=0 line want_rc want_err args rc err
	for line in "$@"; do
		want_rc=${line%%|*}; line=${line#*|}
		want_err=${line%%|*}; args=${line#*|}
		local envs=()
		# A trailing VAR=value sets the environment of that case.
		if [[ $args =~ (.*)\ ([A-Z_]+=[^ ]*)$ ]]; then
			args=${BASH_REMATCH[1]}; envs=("${BASH_REMATCH[2]}")
		fi
		eval "env ${envs[*]} \"\$NF\" $args" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		err=$(cat "$TMP/err")
		if [[ $rc != "$want_rc" ]] || [[ $err != *"$want_err"* ]] ||
		   grep -q -e 'Sanitizer' -e 'runtime error' "$TMP/err"; then
			echo "  netfence $args: exit $rc, stderr: $err" >&2
			echo "  want exit $want_rc, stderr containing: $want_err" >&2
			bad=1
		fi
		if [[ $want_rc != 0 ]] && [[ -s $TMP/out ]] && [[ $want_err != "Usage: netfence" ]]; then
			echo "  netfence $args: wrote to stdout on failure" >&2
			bad=1
		fi
	done
	report "$name" $bad
}

report() {
	if [[ $2 == 0 ]]; then echo "PASS ctl/$1"; else echo "FAIL ctl/$1"; failed=1; fi
}

run_table cli_usage_errors "${cases_usage[@]}"
run_table cli_no_module "${cases_kernel[@]}"

# --help everywhere: exit 0, usage on stdout, nothing on stderr.
bad=0
for args in "--help" "-h" "status --help" "isolate --help" "isolate -h" \
	    "release --help" "allow --help" "allow add --help" "allow del -h" \
	    "allow list --help" "allow flush --help" "show --help" \
	    "stats --help" "save --help" "restore --help" "-j status -h"; do
	# shellcheck disable=SC2086
	"$NF" $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [[ $rc != 0 ]] || ! grep -q '^Usage: netfence' "$TMP/out" || [[ -s $TMP/err ]]; then
		echo "  netfence $args: exit $rc" >&2
		bad=1
	fi
done
report cli_help $bad

bad=0
out=$("$NF" --version 2>&1) && [[ $out == "netfence "* ]] || bad=1
# Every command of the top-level help has a man page entry and completion.
for cmd in $("$NF" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
	grep -q "^\.B $cmd\b\|^\.BR $cmd\b\|^\.SS \"\?$cmd" "$(dirname "$0")/../netfence.8" ||
		{ echo "  $cmd missing from netfence.8" >&2; bad=1; }
	grep -qw "$cmd" "$(dirname "$0")/../netfence.bash-completion" ||
		{ echo "  $cmd missing from the bash completion" >&2; bad=1; }
done
report cli_version_docs $bad

exit $failed

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
printf 'option reject on\noption event-rate 5\ncgroup "/system.slice/my agent.service"\nuid 0-99 proto udp\n' >"$TMP/ident.policy"
printf 'uid 10-5\n' >"$TMP/badident.policy"
printf 'option event-rate lots\n' >"$TMP/badrate.policy"
printf 'correct horse battery staple\n' >"$TMP/key"
printf 's3cret\n' >"$TMP/short.key"
: >"$TMP/empty.key"
head -c 4097 /dev/zero >"$TMP/big.key"

NOMOD="netfence: kernel module not loaded (try: modprobe netfence)"

# exit | stderr (substring; "" = must be empty) | arguments (eval'd)
cases_usage=(
"2|netfence: unknown option '--bogus'|--bogus status"
"2|netfence: --key-file and --no-key: give one|save --key-file /dev/null --no-key"
"2|netfence: --persist: the boot unit isolates the host's own namespace|-n nf0 isolate --persist"
"2|netfence: --persist: the boot unit isolates the host's own namespace|--netns /proc/self/ns/net release --persist"
"2|netfence: unknown option '--persist'|renew --persist"
"2|netfence: --dns auto with --boot: the resolvers are not known|isolate --boot --dns auto"
"2|'v4.invalid' is a hostname: at boot it cannot be resolved|isolate --boot -a 'v4.invalid port 22'"
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
"2|netfence: missing FILE|apply"
"2|netfence: unexpected argument 'b'|apply a b"
"2|netfence: unknown option '--forse'|apply --forse a"
"2|$TMP/bad.policy:4: bad port '70000' (0-65535)|apply --check $TMP/bad.policy"
"2|netfence: FILE - and --key-file - cannot both read stdin|apply - --key-file -"
"2|stdin:1: expected 'isolate yes' or 'isolate no'|apply - <<<'isolate perhaps'"
"2|netfence: unexpected argument 'x'|release x"
"2|netfence: dns auto: /nonexistent: No such file or directory|isolate --dns auto NETFENCE_RESOLV_CONF=/nonexistent"
"2|netfence: bad duration '5x' (use e.g. 90s, 15m, 2h)|isolate --timeout 5x"
"2|netfence: bad duration '' (use e.g. 90s, 15m, 2h)|isolate --timeout ''"
"2|netfence: duration '400d' too long (at most 365d)|isolate --timeout 400d -a any"
"2|netfence: option '--timeout' needs an argument|isolate --timeout"
"2|netfence: key file '$TMP/empty.key': empty|isolate --key-file $TMP/empty.key"
"2|netfence: key file '$TMP/big.key': larger than 4096 bytes|isolate --key-file $TMP/big.key"
"2|netfence: key file '$TMP/short.key': 7 bytes, a release key needs at least 16 bytes|isolate --key-file $TMP/short.key"
"2|netfence: key file 'stdin': 7 bytes, a release key needs at least 16 bytes|release --key-file - <$TMP/short.key"
"2|netfence: key file '$TMP/short.key': 7 bytes, a release key needs at least 16 bytes|allow add 10.0.0.1 --key-file $TMP/short.key"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|isolate --key-file $TMP/none.key"
"2|netfence: cannot read key file '$TMP': Is a directory|release --key-file $TMP"
"2|netfence: key file 'stdin': empty|release --key-file - </dev/null"
"2|netfence: --key-file given twice|isolate --key-file $TMP/key --key-file $TMP/key"
"2|netfence: --file - and --key-file - cannot both read stdin|isolate -f - --key-file -"
"2|netfence: FILE - and --key-file - cannot both read stdin|restore - --key-file -"
"2|netfence: bad event rate '100001' (0-100000 per second)|isolate --event-rate 100001"
"2|netfence: bad event rate '-1' (0-100000 per second)|isolate --event-rate -1"
"2|netfence: option '--event-rate' needs an argument|isolate --event-rate"
"2|netfence: unknown option '--reject'|release --reject"
"2|netfence: unknown option '--timeout'|release --timeout 5m"
"2|netfence: unexpected argument 'now'|release now"
"2|netfence: renew needs a duration of at least 1s|renew --timeout 0"
"2|netfence: bad duration '1h30m' (use e.g. 90s, 15m, 2h)|renew --timeout 1h30m"
"2|netfence: unknown option '--audit'|renew --audit"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|renew --key-file $TMP/none.key"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|allow add 10.0.0.1 --key-file $TMP/none.key"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|allow del --key-file=$TMP/none.key 10.0.0.1"
"2|netfence: option '--key-file' needs an argument|allow add 10.0.0.1 --key-file"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|allow flush --key-file $TMP/none.key"
"2|netfence: cannot read key file '$TMP/none.key': No such file or directory|restore $TMP/good.policy --key-file $TMP/none.key"
"2|netfence: bad uid range '10-5' (start above end)|allow add uid 10-5"
"2|netfence: unknown user 'nosuchuser-nf' (uid N, N-M or a user name)|allow add uid nosuchuser-nf"
"2|netfence: 'uid' given twice|allow add uid 1 uid 2"
"2|netfence: bad cgroup path 'system.slice/x.service' (must start with '/'|allow add cgroup system.slice/x.service"
"2|netfence: 'cgroup' given twice|isolate -a 'cgroup /a cgroup /b'"
"2|netfence: unterminated quote in rule 'cgroup \"/a b'|isolate -a 'cgroup \"/a b'"
"2|$TMP/badident.policy:1: bad uid range '10-5' (start above end)|restore $TMP/badident.policy"
"2|$TMP/badrate.policy:1: bad event rate 'lots' (0-100000 per second)|isolate -f $TMP/badrate.policy"
"2|netfence: bad --count '0' (a number of events, 1 or more)|monitor --count 0"
"2|netfence: bad --count '-3' (a number of events, 1 or more)|monitor --count -3"
"2|netfence: option '--count' needs an argument|monitor --count"
"2|netfence: unexpected argument 'all'|monitor all"
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
"4|$NOMOD|release --key-file $TMP/key"
"4|$NOMOD|release --key-file - <$TMP/key"
"4|$NOMOD|renew"
"4|$NOMOD|renew --timeout 15m --key-file $TMP/key"
"4|$NOMOD|isolate --timeout 15m"
"4|$NOMOD|isolate --timeout 2h --key-file $TMP/key -a '10.0.0.5 proto tcp port 22 dir in' --reject --log --event-rate 0"
"4|$NOMOD|isolate -f $TMP/ident.policy --key-file=$TMP/key"
"4|$NOMOD|allow add cgroup /system.slice/edr-agent.service --key-file $TMP/key"
"4|$NOMOD|allow add uid root proto tcp port 443"
"4|$NOMOD|allow del --key-file $TMP/key 10.0.0.5"
"4|$NOMOD|allow flush --key-file $TMP/key"
"4|$NOMOD|restore $TMP/ident.policy --key-file $TMP/key"
"4|$NOMOD|monitor"
"4|$NOMOD|-j monitor --count 3"
"4|$NOMOD|save"
"4|$NOMOD|apply $TMP/good.policy"
"4|$NOMOD|apply --check --diff $TMP/good.policy --key-file $TMP/key"
"4|$NOMOD|allow add --exist 10.0.0.5"
"4|$NOMOD|allow del --exist 10.0.0.5 --key-file $TMP/key"
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
	    "stats --help" "save --help" "restore --help" "apply --help" "-j status -h" \
	    "renew --help" "monitor --help" "monitor -h" "allow flush --key-file x --help"; do
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

# Each command's long options, as its --help lists them, are offered by
# the bash completion and documented in the command's man page section.
bad=0
_offered() {	# the completion's candidates after "netfence WORDS... --"
	bash -c '. "$1"; shift; COMP_WORDS=(netfence "$@" --)
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _netfence
		printf "%s\n" "${COMPREPLY[@]}"' _ "$(dirname "$0")/../netfence.bash-completion" "$@"
}
for cmd in status isolate release renew "allow add" "allow del" "allow flush" show \
	   stats save restore apply monitor; do
	# Options of the usage and option lines (not those the text mentions).
	# shellcheck disable=SC2086
	help=$("$NF" $cmd --help)
	if [[ $cmd == allow* ]]; then
		lines=$(grep -E "netfence $cmd( |\$)" <<<"$help")
	else
		lines=$(grep -E '^(Usage:|[[:space:]]+-)' <<<"$help")
	fi
	opts=$(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$lines" | sort -u)
	words=$cmd
	[[ $cmd == "allow add" || $cmd == "allow del" ]] && words+=" 192.0.2.1"
	# shellcheck disable=SC2086
	offered=$(_offered $words)
	section=$(awk -v c="${cmd%% *}" -v sc="${cmd#* }" '
		/^\.S[SH] / { p = 0 }
		/^\.SS / { t = $0; gsub(/"/, "", t); split(t, w, " ")
			    p = (w[2] == c && (sc == c || w[3] == sc)) }
		p' "$(dirname "$0")/../netfence.8")
	for o in $opts; do
		grep -qx -- "$o" <<<"$offered" ||
			{ echo "  $cmd $o: not in the bash completion" >&2; bad=1; }
		grep -qF -- "${o//-/\\-}" <<<"$section" ||
			{ echo "  $cmd $o: not in its netfence.8 section" >&2; bad=1; }
	done
done
report cli_options_docs $bad

# Files for boot persistence: installed under DESTDIR, unit as specified.
bad=0
ctl=$(cd "$(dirname "$0")/.." && pwd)
if make -s -C "$ctl" install DESTDIR="$TMP/root" PREFIX=/usr >"$TMP/install.log" 2>&1; then
	unit=$TMP/root/lib/systemd/system/netfence-restore.service
	for f in "$unit" "$TMP/root/etc/modules-load.d/netfence.conf" \
		 "$TMP/root/etc/modprobe.d/netfence.conf" "$TMP/root/usr/sbin/netfence" \
		 "$TMP/root/usr/share/man/man8/netfence.8" \
		 "$TMP/root/usr/share/bash-completion/completions/netfence"; do
		[[ -f $f ]] || { echo "  not installed: ${f#"$TMP"/root}" >&2; bad=1; }
	done
	for line in Type=oneshot DefaultDependencies=no Before=network-pre.target \
		    Wants=network-pre.target After=systemd-modules-load.service \
		    ConditionPathExists=/etc/netfence/policy RemainAfterExit=yes \
		    'ExecStartPre=/sbin/modprobe netfence' \
		    'ExecStart=/usr/sbin/netfence isolate --boot --file /etc/netfence/policy' \
		    WantedBy=sysinit.target; do
		grep -qxF "$line" "$unit" 2>/dev/null || { echo "  unit lacks: $line" >&2; bad=1; }
	done
	grep -qx netfence "$TMP/root/etc/modules-load.d/netfence.conf" 2>/dev/null || bad=1
	make -s -C "$ctl" install DESTDIR="$TMP/root2" PREFIX=/opt/nf >>"$TMP/install.log" 2>&1
	grep -q '^ExecStart=/opt/nf/sbin/netfence ' \
		"$TMP/root2/lib/systemd/system/netfence-restore.service" 2>/dev/null ||
		{ echo "  unit does not follow SBINDIR" >&2; bad=1; }
else
	cat "$TMP/install.log" >&2
	bad=1
fi
report cli_shipped_files $bad

exit $failed

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence CLI against the real kernel module, in a QEMU guest.
#
#   ctl/tests/vm-smoke.sh [distro|debug]
#
# Builds netfence.ko (in a private directory) and the tool (plain and with
# ASan/UBSan), boots the guest with tests/vm/boot.sh and runs this same
# script there with --guest. Prints one line per check: PASS/FAIL ctl/vm_*.
set -u

guest() {
	NF=/nfresults/netfence
	SAN=/nfresults/netfence-san
	KO=/nfresults/netfence.ko
	export ASAN_OPTIONS=detect_leaks=1 NETFENCE_RESOLV_CONF=/tmp/resolv.conf
	unset SSH_CONNECTION
	failed=0
	check() {	# check NAME COMMAND...: COMMAND must succeed
		local name=$1; shift
		if ( "$@" ) >/tmp/check.log 2>&1; then
			echo "PASS ctl/vm_$name"
		else
			echo "FAIL ctl/vm_$name"; sed 's/^/  /' /tmp/check.log; failed=1
		fi
	}
	# expect RC STDERR-SUBSTRING ARGS...: exit status and message of netfence
	expect() {
		local rc=$1 msg=$2; shift 2
		local err=/tmp/nf-err.$(id -u)
		"$NF" "$@" >/dev/null 2>"$err"; local got=$?
		[ "$got" = "$rc" ] && grep -qF -- "$msg" "$err" && return 0
		echo "netfence $*: exit $got (want $rc), stderr: $(cat "$err")"; return 1
	}
	jq_is() {	# jq_is 'FILTER' EXPECTED ARGS...: jq FILTER of netfence -j ARGS
		local f=$1 want=$2; shift 2
		local got; got=$("$NF" -j "$@" | jq -c "$f") || return 1
		[ "$got" = "$want" ] && return 0
		echo "netfence -j $*: $f = $got, want $want"; return 1
	}

	echo "nameserver 192.0.2.53" >/tmp/resolv.conf
	for d in $(modinfo -F depends "$KO" | tr , ' '); do modprobe "$d"; done
	check no_module expect 4 "netfence: kernel module not loaded (try: modprobe netfence)" status
	insmod "$KO" || { echo "FAIL ctl/vm_insmod"; exit 1; }

	check status_released jq_is '[.isolated,.rules,.flags.nd,.flags.audit,(.counters|length)]' \
		'[false,0,true,false,6]' status
	check status_json_valid sh -c "$NF -j status | python3 -m json.tool"

	cat >/tmp/p.policy <<-'P'
	# jump host and EDR server
	198.51.100.7 proto tcp port 22 dir in
	192.0.2.10 proto tcp port 443   # EDR
	option dhcp6 off
	P
	check isolate_policy "$NF" isolate -f /tmp/p.policy -a 'any4 proto icmp' \
		-a '2001:db8::/32 dir both' --dns auto
	check status_isolated jq_is '[.isolated,.rules,.flags.dhcp6,.hooks_registered>0]' \
		'[true,6,false,true]' status
	check show_rules jq_is '[.[].rule]' '["any4 proto icmp","192.0.2.10 proto tcp port 443","192.0.2.53 proto tcp port 53","192.0.2.53 proto udp port 53","198.51.100.7 proto tcp port 22 dir in","2001:db8::/32 dir both"]' show
	check show_fields jq_is '.[4]|[.family,.address,.prefix_length,.proto,.port_min,.port_max,.dir]' \
		'["ipv4","198.51.100.7",32,"tcp",22,22,"in"]' show
	check allow_list_text sh -c "$NF allow list | grep -qx '2001:db8::/32 dir both'"

	check allow_add_twice sh -c "$NF allow add 203.0.113.20 proto tcp port 22 dir in &&
		$NF allow add 203.0.113.20 proto tcp port 22 dir in &&
		[ \$($NF allow list | wc -l) = 7 ]"
	check allow_del "$NF" allow del 203.0.113.20 proto tcp port 22 dir in
	check allow_del_absent_extack expect 1 "netfence: allow del: " \
		allow del 203.0.113.20 proto tcp port 22 dir in
	check rejected_change_keeps_policy jq_is '.rules' 6 status

	check save_restore sh -c "$NF save /tmp/s1 && $NF allow flush &&
		[ \$($NF -j status | jq .rules) = 0 ] && $NF restore /tmp/s1 &&
		$NF save >/tmp/s2 && cmp /tmp/s1 /tmp/s2 && grep -qx 'option dhcp6 off' /tmp/s1"
	check restore_keeps_isolation jq_is '.isolated' true status

	ip netns add peer
	ip link add v0 type veth peer name v1 netns peer
	ip addr add 10.9.0.1/24 dev v0 && ip link set v0 up
	ip -n peer addr add 10.9.0.2/24 dev v1 && ip -n peer link set v1 up
	"$NF" allow add 10.9.0.2 proto udp port 9
	"$NF" stats --reset >/dev/null
	python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in [9] * 5 + [10] * 3:
    try: s.sendto(b"x" * 100, ("10.9.0.2", port))
    except OSError: pass'
	check rule_hits jq_is '.[]|select(.rule=="10.9.0.2 proto udp port 9")|.hits' 5 show
	check drop_counters jq_is '.counters[]|select(.family=="ipv4" and .hook=="local_out")|.dropped_packets' 3 stats
	# IPv4 only: IPv6 neighbour discovery on the new link may still flow.
	check stats_reset sh -c "$NF stats --reset >/dev/null &&
		[ \$($NF -j stats | jq '[.counters[]|select(.family==\"ipv4\")|.accepted_packets+.dropped_packets]|add') = 0 ] &&
		[ \$($NF -j show | jq '[.[].hits]|add') = 0 ]"

	check ssh_warning sh -c "SSH_CONNECTION='198.51.100.99 50022 10.9.0.1 22' $NF isolate --keep 2>&1 |
		grep -q 'warning: no rule lets this SSH session in (198.51.100.99 to tcp port 22)'"
	check ssh_no_warning sh -c "[ -z \"\$(SSH_CONNECTION='198.51.100.7 50022 10.9.0.1 22' $NF isolate --keep 2>&1)\" ]"

	check audit_keep sh -c "$NF isolate --keep --audit && [ \$($NF -j status | jq -c '[.flags.audit,.rules]') = '[true,7]' ]"
	check release sh -c "$NF release && $NF release && [ \$($NF -j status | jq -c '[.isolated,.rules]') = '[false,7]' ]"

	# NETFENCE_SMOKE_QUICK=1: skip the slow 100,000-rule checks.
	[ -n "${NETFENCE_SMOKE_QUICK:-}" ] || { python3 -c "
for i in range(100000):
    print('10.%d.%d.%d proto tcp port %d' % (i >> 16, (i >> 8) & 255, i & 255, 1 + i % 60000))
" >/tmp/big.policy
	check restore_100k sh -c "$NF restore /tmp/big.policy && [ \$($NF -j status | jq .rules) = 100000 ] &&
		[ \$($NF allow list | wc -l) = 100000 ] && [ \$($NF -j show | jq length) = 100000 ]"
	check isolate_100k sh -c "$NF isolate --keep && $NF release && $NF allow flush"
	}

	ip netns add blue
	check netns_isolate "$NF" -n blue isolate -a '10.0.0.1 proto tcp port 22 dir in'
	check netns_status sh -c "[ \$($NF -n blue -j status | jq -c '[.isolated,.rules]') = '[true,1]' ] &&
		[ \"\$($NF --netns /run/netns/blue -j show | jq -r '.[0].rule')\" = '10.0.0.1 proto tcp port 22 dir in' ] &&
		[ \$($NF -j status | jq .isolated) = false ]"
	check netns_missing expect 1 "netfence: cannot open network namespace /run/netns/nosuch" -n nosuch status
	"$NF" -n blue release

	check permission setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash -c "$(declare -f expect); NF=$NF; expect 3 'netfence: permission denied: need CAP_NET_ADMIN' status"

	# ---- deadline, release key, events, reject, identity ----
	# Checks run in a subshell of this shell: they can call these functions.
	send_udp() {	# send_udp PORT COUNT: datagrams of 100 bytes to 10.9.0.2:PORT
		python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    try: s.sendto(b"x" * 100, ("10.9.0.2", int(sys.argv[1])))
    except OSError: pass' "$1" "$2"
	}
	mon_start() {	# mon_start FILE ARGS...: netfence ARGS in the background
		local out=$1; shift
		"$NF" "$@" >"$out" 2>"$out.err" &
		MON=$!
		sleep 2		# subscribed by then, even under TCG
	}
	mon_wait() {	# waits up to 20 s for the monitor to exit by itself
		for _ in $(seq 100); do kill -0 "$MON" 2>/dev/null || break; sleep 0.2; done
		kill "$MON" 2>/dev/null
		wait "$MON"
	}
	hits_of() { "$NF" -j show | jq --arg r "$1" '.[]|select(.rule==$r)|.hits'; }
	drops_out() {
		"$NF" -j stats |
			jq '.counters[]|select(.family=="ipv4" and .hook=="local_out")|.dropped_packets'
	}
	json_is() {	# json_is FILE 'FILTER' EXPECTED: jq -s -c FILTER of a JSON Lines file
		local got; got=$(jq -s -c "$2" "$1") || { cat "$1" "$1.err"; return 1; }
		[ "$got" = "$3" ] && return 0
		echo "$1: $2 = $got, want $3"; cat "$1" "$1.err" 2>/dev/null; return 1
	}
	status_is() { jq_is "$1" "$2" status; }

	check status_safety_fields status_is \
		'[.timeout_left_ms,.key_required,.event_rate,(.features.cgroup|type),.flags.reject,.flags.log]' \
		'[null,false,10,"boolean",false,false]'

	# monitor: policy and state events, JSON Lines then human
	printf '10.9.0.2 proto udp port 9\n' >/tmp/mon.policy
	mon_start /tmp/mon.json -j monitor --count 3
	"$NF" restore /tmp/mon.policy
	"$NF" isolate
	"$NF" release
	mon_wait
	check monitor_json_state json_is /tmp/mon.json \
		'[map(.event), .[0].rules, .[1].rules, (.[1].policy_generation|type), .[2].reason]' \
		'[["committed","isolated","released"],1,1,"number","user"]'
	t_lines() {
		local l
		[ "$(wc -l </tmp/mon.json)" = 3 ] || return 1
		while read -r l; do echo "$l" | python3 -m json.tool >/dev/null || return 1; done </tmp/mon.json
	}
	check monitor_json_lines t_lines
	mon_start /tmp/mon.txt monitor --count 2
	"$NF" isolate
	"$NF" release
	mon_wait
	t_human_state() {
		grep -qE '^isolated policy [0-9]+ \(1 rule\)$' /tmp/mon.txt &&
			grep -qx 'released (reason: user)' /tmp/mon.txt || { cat /tmp/mon.txt; return 1; }
	}
	check monitor_human_state t_human_state

	# drop events
	"$NF" isolate --event-rate 100 -f /tmp/mon.policy
	check event_rate_status status_is .event_rate 100
	mon_start /tmp/drop.json -j monitor --count 1
	send_udp 10 1
	mon_wait
	check monitor_drop_json json_is /tmp/drop.json \
		'.[0]|[.event,.family,.hook,.proto,.saddr,.daddr,.dport,(.sport|type),.len,.reason,.audit,.suppressed]' \
		'["drop","ipv4","local_out","udp","10.9.0.1","10.9.0.2",10,"number",128,"no-rule",false,0]'
	mon_start /tmp/drop.txt monitor --count 1
	send_udp 10 1
	mon_wait
	t_drop_human() {
		grep -qE '^drop ipv4 local_out udp 10\.9\.0\.1:[0-9]+ -> 10\.9\.0\.2:10 len 128 \(no rule\)$' \
			/tmp/drop.txt || { cat /tmp/drop.txt; return 1; }
	}
	check monitor_drop_human t_drop_human
	"$NF" isolate --keep --audit
	mon_start /tmp/audit.json -j monitor --count 1
	send_udp 10 1
	mon_wait
	check monitor_drop_audit json_is /tmp/audit.json '.[0]|[.audit,.dport]' '[true,10]'
	"$NF" isolate --event-rate 2 -f /tmp/mon.policy
	mon_start /tmp/rate.json -j monitor --count 3
	send_udp 10 20
	sleep 1.5
	send_udp 10 1
	mon_wait
	check monitor_suppressed json_is /tmp/rate.json '(map(.suppressed)|add) > 0' true
	"$NF" isolate --event-rate 0 -f /tmp/mon.policy
	timeout 5 "$NF" -j monitor >/tmp/none.json 2>&1 &
	sleep 2
	send_udp 10 3
	wait
	check event_rate_zero test ! -s /tmp/none.json
	"$NF" release

	# deadline (commit-confirmed)
	t_timeout_set() {
		"$NF" isolate --timeout 15m -f /tmp/mon.policy &&
		"$NF" -j status | jq -e '.timeout_left_ms > 880000 and .timeout_left_ms <= 900000' &&
		"$NF" status | grep '^deadline: releases in 14m [0-9]*s (renew with: netfence renew)$'
	}
	check timeout_set t_timeout_set
	t_renew() {
		"$NF" renew "$@" && "$NF" -j status | jq -e '.timeout_left_ms > 7100000'
	}
	check renew_longer t_renew --timeout 2h
	check renew_default t_renew
	t_timeout_zero() {
		"$NF" isolate --timeout 0 && "$NF" -j status | jq -e '.timeout_left_ms == null and .isolated'
	}
	check timeout_zero t_timeout_zero
	check renew_without_deadline expect 1 "netfence: renew: " renew
	"$NF" release
	mon_start /tmp/expire.json -j monitor --count 2
	"$NF" isolate --timeout 3
	mon_wait
	check timeout_expires json_is /tmp/expire.json '[map(.event), .[1].reason]' \
		'[["isolated","released"],"timeout"]'
	check timeout_released status_is '[.isolated,.timeout_left_ms]' '[false,null]'

	# release key
	# At least 16 bytes (NETFENCE_KEY_MIN); k2 lacks k1's newline.
	printf 'first key, long enough\n' >/tmp/k1
	printf 'first key, long enough' >/tmp/k2
	printf 'fifteen bytes!!' >/tmp/k3
	check key_too_short expect 2 \
		"netfence: key file '/tmp/k3': 15 bytes, a release key needs at least 16 bytes" \
		isolate --key-file /tmp/k3
	t_key_isolate() {
		"$NF" isolate --key-file /tmp/k1 -f /tmp/mon.policy &&
		"$NF" -j status | jq -e .key_required && "$NF" status | grep -x 'release key: required'
	}
	check key_isolate t_key_isolate
	check key_release_without expect 1 \
		"netfence: release: a release key is set: give it with --key-file" release
	check key_release_wrong expect 1 "netfence: release: wrong release key" \
		release --key-file /tmp/k2
	check key_change_without expect 1 \
		"netfence: allow add: a release key is set: give it with --key-file" \
		allow add 10.9.0.2 proto udp port 5
	check key_flush_without expect 1 "a release key is set" allow flush
	check key_restore_wrong expect 1 "netfence: restore: wrong release key" \
		restore /tmp/mon.policy --key-file /tmp/k2
	check key_timeout_without expect 1 "netfence: isolate: a release key is set" \
		isolate --timeout 10m
	check key_still_isolated status_is '[.isolated,.rules,.key_required]' '[true,1,true]'
	t_key_change() {
		"$NF" allow add 10.9.0.2 proto udp port 5 --key-file /tmp/k1 &&
		"$NF" allow del --key-file=/tmp/k1 10.9.0.2 proto udp port 5 &&
		"$NF" restore /tmp/mon.policy --key-file /tmp/k1
	}
	check key_change_with t_key_change
	t_key_renew() {
		"$NF" isolate --timeout 10m --key-file /tmp/k1 && "$NF" renew --key-file /tmp/k1 &&
		! "$NF" renew
	}
	check key_renew t_key_renew
	t_key_release() {
		"$NF" release --key-file - </tmp/k1 &&
		[ "$("$NF" -j status | jq -c '[.isolated,.key_required,.timeout_left_ms]')" = \
		  '[false,false,null]' ] &&
		"$NF" isolate && "$NF" release
	}
	check key_release_stdin t_key_release

	# reject mode: local senders fail at once, and the packet was dropped
	"$NF" isolate --reject -f /tmp/mon.policy
	check reject_flag status_is .flags.reject true
	"$NF" stats --reset >/dev/null
	check reject_tcp python3 -c '
import socket, time
s = socket.socket(); s.settimeout(10); t = time.time()
try:
    s.connect(("10.9.0.2", 80)); raise SystemExit("connected")
except ConnectionRefusedError:
    pass
assert time.time() - t < 5, "refused only after %.1fs" % (time.time() - t)'
	# UDP: the send itself fails (EPERM), or the port unreachable refuses
	# the next receive; never a wait.
	check reject_udp python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.connect(("10.9.0.2", 10))
try:
    s.send(b"x"); s.recv(10); raise SystemExit("answer")
except (ConnectionRefusedError, PermissionError):
    pass'
	t_reject_counted() { [ "$(drops_out)" -ge 2 ]; }
	check reject_counted t_reject_counted
	"$NF" release

	# identity rules: uid and cgroup
	mkdir -p /sys/fs/cgroup/nfagent
	cat >/tmp/ident.policy <<-'P'
	option event-rate 5
	option log on
	10.9.0.2 proto udp port 11 uid 65534
	cgroup /nfagent proto udp port 12
	uid 65534-65534 proto udp port 13
	P
	check ident_isolate "$NF" isolate -f /tmp/ident.policy
	check ident_show jq_is '[.[]|[.rule,.family,.uid_min,.uid_max,.cgroup,(.cgroup_id|type)]]|sort' \
		'[["10.9.0.2 proto udp port 11 uid 65534","ipv4",65534,65534,null,"null"],["cgroup /nfagent proto udp port 12","any",null,null,"/nfagent","number"],["uid 65534 proto udp port 13","any",65534,65534,null,"null"]]' show
	"$NF" stats --reset >/dev/null
	send_udp 11 3
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash -c "$(declare -f send_udp); send_udp 11 2; send_udp 13 4"
	send_udp 12 1
	bash -c "echo \$\$ >/sys/fs/cgroup/nfagent/cgroup.procs; $(declare -f send_udp); send_udp 12 5"
	t_hits() { [ "$(hits_of "$1")" = "$2" ] || { "$NF" show; return 1; }; }
	check ident_uid_hits t_hits '10.9.0.2 proto udp port 11 uid 65534' 2
	check ident_uid_range_hits t_hits 'uid 65534 proto udp port 13' 4
	check ident_cgroup_hits t_hits 'cgroup /nfagent proto udp port 12' 5
	t_others_dropped() { [ "$(drops_out)" -ge 4 ]; }
	check ident_others_dropped t_others_dropped
	check ident_cgroup_dotdot expect 1 "netfence: allow add: " allow add cgroup /nfagent/../x
	t_ident_save() {
		"$NF" save /tmp/i1 && "$NF" allow flush && "$NF" restore /tmp/i1 &&
		"$NF" save >/tmp/i2 && cmp /tmp/i1 /tmp/i2 &&
		grep -qx 'option event-rate 5' /tmp/i1 && grep -qx 'option log on' /tmp/i1 &&
		grep -qx 'cgroup /nfagent proto udp port 12' /tmp/i1
	}
	check ident_save_restore t_ident_save
	t_flush_keeps() {
		"$NF" allow flush &&
		[ "$("$NF" -j status | jq -c '[.event_rate,.flags.log,.rules]')" = '[5,true,0]' ]
	}
	check flush_keeps_rate t_flush_keeps
	"$NF" release
	"$NF" restore /dev/null

	san_clean() {
		local args
		for args in "status" "-j status" "show" "-j show" "allow list" "stats" "save" \
			"isolate -f /tmp/p.policy --dns auto" "allow add 10.1.1.1 port 80" \
			"allow del 10.1.1.1 port 80" "allow del 10.1.1.1 port 80" "stats --reset" \
			"release" "restore ${NETFENCE_SMOKE_QUICK:+/tmp/p.policy}${NETFENCE_SMOKE_QUICK:-/tmp/big.policy}" \
			"allow flush" "-n blue status" \
			"isolate --timeout 10m --key-file /tmp/k1 -f /tmp/ident.policy" "status" \
			"-j status" "-j show" "release" "release --key-file /tmp/k2" \
			"renew --key-file /tmp/k1" "allow add uid 0 --key-file /tmp/k1" \
			"release --key-file /tmp/k1" "renew" "restore /dev/null"; do
			# shellcheck disable=SC2086
			$SAN $args >/dev/null 2>/tmp/san.err
			if grep -q -e Sanitizer -e 'runtime error' /tmp/san.err; then
				echo "netfence $args:"; cat /tmp/san.err; return 1
			fi
		done
		$SAN -j monitor --count 2 >/dev/null 2>/tmp/san.err &
		sleep 2
		"$NF" isolate && "$NF" release
		wait $!
		if grep -q -e Sanitizer -e 'runtime error' /tmp/san.err; then
			echo "netfence monitor:"; cat /tmp/san.err; return 1
		fi
	}
	# Samples of what the monitor printed, for the record.
	for f in /tmp/mon.txt /tmp/drop.txt /tmp/mon.json /tmp/drop.json /tmp/audit.json \
		 /tmp/rate.json /tmp/expire.json; do
		[ -s "$f" ] && sed "s|^|# ${f#/tmp/}: |" "$f"
	done
	check sanitizers san_clean
	check rmmod rmmod netfence
	exit $failed
}

if [ "${1:-}" = --guest ]; then
	guest
fi

flavor=${1:-distro}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/vm/common.sh"
work=$(mktemp -d /tmp/netfence-ctl-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s -C "$root/ctl" netfence build-san/netfence || exit 1
kdir=$(nf_kdir "$flavor") || exit 1
NF_BUILD=$work/build nf_build_module "$flavor" "$kdir" ||
	{ cat "$work/build/logs/$flavor/module-build.log"; exit 1; }
mkdir "$work/run"
cp "$work/build/$flavor/netfence.ko" "$root/ctl/netfence" "$work/run/"
cp "$root/ctl/build-san/netfence" "$work/run/netfence-san"
cp "$0" "$work/run/vm-smoke.sh"
printf 'exec bash /nfresults/vm-smoke.sh --guest\n' >"$work/run/job.sh"
[ -n "${NETFENCE_SMOKE_QUICK:-}" ] && echo "NETFENCE_SMOKE_QUICK=1" >"$work/run/job.env"
"$root/tests/vm/boot.sh" "$flavor" "$work/run" "${NETFENCE_VM_TIMEOUT:-900}"
rc=$?
cat "$work/run/job.out" 2>/dev/null
[ "$rc" = 0 ] || { echo "ctl/vm-smoke: guest exit $rc (console: last lines)"; tail -20 "$work/run/console.log"; }
exit "$rc"

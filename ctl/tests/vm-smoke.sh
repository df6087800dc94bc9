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
	check stats_reset sh -c "$NF stats --reset >/dev/null &&
		[ \$($NF -j stats | jq '[.counters[]|.accepted_packets+.dropped_packets]|add') = 0 ] &&
		[ \$($NF -j show | jq '[.[].hits]|add') = 0 ]"

	check ssh_warning sh -c "SSH_CONNECTION='198.51.100.99 50022 10.9.0.1 22' $NF isolate --keep 2>&1 |
		grep -q 'warning: no rule lets this SSH session in (198.51.100.99 to tcp port 22)'"
	check ssh_no_warning sh -c "[ -z \"\$(SSH_CONNECTION='198.51.100.7 50022 10.9.0.1 22' $NF isolate --keep 2>&1)\" ]"

	check audit_keep sh -c "$NF isolate --keep --audit && [ \$($NF -j status | jq -c '[.flags.audit,.rules]') = '[true,7]' ]"
	check release sh -c "$NF release && $NF release && [ \$($NF -j status | jq -c '[.isolated,.rules]') = '[false,7]' ]"

	python3 -c "
for i in range(100000):
    print('10.%d.%d.%d proto tcp port %d' % (i >> 16, (i >> 8) & 255, i & 255, 1 + i % 60000))
" >/tmp/big.policy
	check restore_100k sh -c "$NF restore /tmp/big.policy && [ \$($NF -j status | jq .rules) = 100000 ] &&
		[ \$($NF allow list | wc -l) = 100000 ] && [ \$($NF -j show | jq length) = 100000 ]"
	check isolate_100k sh -c "$NF isolate --keep && $NF release && $NF allow flush"

	ip netns add blue
	check netns_isolate "$NF" -n blue isolate -a '10.0.0.1 proto tcp port 22 dir in'
	check netns_status sh -c "[ \$($NF -n blue -j status | jq -c '[.isolated,.rules]') = '[true,1]' ] &&
		[ \"\$($NF --netns /run/netns/blue -j show | jq -r '.[0].rule')\" = '10.0.0.1 proto tcp port 22 dir in' ] &&
		[ \$($NF -j status | jq .isolated) = false ]"
	check netns_missing expect 1 "netfence: cannot open network namespace /run/netns/nosuch" -n nosuch status
	"$NF" -n blue release

	check permission setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash -c "$(declare -f expect); NF=$NF; expect 3 'netfence: permission denied: need CAP_NET_ADMIN' status"

	san_clean() {
		local args
		for args in "status" "-j status" "show" "-j show" "allow list" "stats" "save" \
			"isolate -f /tmp/p.policy --dns auto" "allow add 10.1.1.1 port 80" \
			"allow del 10.1.1.1 port 80" "allow del 10.1.1.1 port 80" "stats --reset" \
			"release" "restore /tmp/big.policy" "allow flush" "-n blue status"; do
			# shellcheck disable=SC2086
			$SAN $args >/dev/null 2>/tmp/san.err
			if grep -q -e Sanitizer -e 'runtime error' /tmp/san.err; then
				echo "netfence $args:"; cat /tmp/san.err; return 1
			fi
		done
	}
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
"$root/tests/vm/boot.sh" "$flavor" "$work/run" "${NETFENCE_VM_TIMEOUT:-900}"
rc=$?
cat "$work/run/job.out" 2>/dev/null
[ "$rc" = 0 ] || { echo "ctl/vm-smoke: guest exit $rc (console: last lines)"; tail -20 "$work/run/console.log"; }
exit "$rc"

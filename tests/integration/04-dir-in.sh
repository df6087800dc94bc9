#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "dir in": SSH from a jump host. The host runs dropbear; its policy holds
# only "JUMP proto tcp port 22 dir in". The jump host logs in with a key and
# runs a command; another peer cannot reach port 22; the jump host cannot
# reach any other local port; the host cannot open connections to the jump
# host (an outbound SYN through a dir in rule is dropped).
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new J jump
ns_new X other
veth "$H" j0 "$J" eth0
veth "$H" x0 "$X" eth0
addr "$H" j0 10.0.3.1/24 fd00:3::1/64
addr "$J" eth0 10.0.3.2/24 fd00:3::2/64
addr "$H" x0 10.0.2.1/24 fd00:2::1/64
addr "$X" eth0 10.0.2.2/24 fd00:2::2/64
serve jtcp22 "$J" tcp 22
serve jtcp "$J" tcp 8080
serve htcp "$H" tcp 8080

expect_ok "isolate: ssh from the jump host only" nf "$H" isolate \
	-a '10.0.3.2 proto tcp port 22 dir in' -a 'fd00:3::2 proto tcp port 22 dir in'
expect_eq "rules listed in canonical form" \
	"$(printf '%s\n' '10.0.3.2 proto tcp port 22 dir in' 'fd00:3::2 proto tcp port 22 dir in')" \
	"$(nf_rules "$H")"

log "outbound SYN through the dir in rule: dropped"
for v in 4 6; do
	src=10.0.3.1 dst=10.0.3.2 fam=ipv4
	[ $v = 6 ] && src=fd00:3::1 dst=fd00:3::2 fam=ipv6
	d=$(nf_counter "$H" $fam local_out dropped_packets)
	n=$(hits jtcp)
	expect_fail "host cannot connect from local port 22 to jump tcp 8080 (v$v)" \
		tcp "$H" "$dst" 8080 --src "$src" --sport 22
	expect_eq "jump's listener on 8080 saw nothing (v$v)" "$n" "$(hits jtcp)"
	expect_drop_delta "the SYN from port 22 was counted as dropped" "$H" $fam local_out "$d" 1
	n=$(hits jtcp22)
	expect_fail "host cannot connect to jump tcp 22 (v$v)" tcp "$H" "$dst" 22
	expect_eq "jump's listener on 22 saw nothing (v$v)" "$n" "$(hits jtcp22)"
done

log "dropbear on the host, key login from the jump host"
dropbearkey -t ed25519 -f "$T/hostkey" >/dev/null 2>&1 || die "dropbearkey (host key)"
dropbearkey -t ed25519 -f "$T/id" 2>/dev/null | grep '^ssh-ed25519' >"$T/authorized_keys" ||
	die "dropbearkey (client key)"
chmod 755 "$T"
chmod 644 "$T/authorized_keys"
# dropbear reads ~root/.ssh/authorized_keys: give it a private /root.
bg sshd "$H" unshare -m --propagation private sh -c "
	mount -t tmpfs -o mode=700 tmpfs /root &&
	mkdir -m 700 /root/.ssh &&
	cp '$T/authorized_keys' /root/.ssh/authorized_keys &&
	chmod 600 /root/.ssh/authorized_keys &&
	exec dropbear -F -E -s -p 22 -r '$T/hostkey'"
wait_listen "$H" tcp 22 || die "dropbear did not start: $(cat "$T/sshd.log")"

ssh_cmd() {
	nsx "$J" timeout 120 dbclient -y -y -i "$T/id" -p 22 "root@$1" \
		echo netfence-ssh-ok </dev/null
}
for v in 4 6; do
	dst=10.0.3.1 src=10.0.3.2
	[ $v = 6 ] && dst=fd00:3::1 src=fd00:3::2
	h=$(nf_hits "$H" "$src proto tcp port 22 dir in")
	_run ssh_cmd "$dst"
	if grep -q netfence-ssh-ok "$T/last.out"; then
		pass "jump host runs a command over ssh (v$v)"
	else
		fail "jump host runs a command over ssh (v$v)" "dbclient output:" "$(_tail)" \
			"dropbear log:" "$(tail -n 5 "$T/sshd.log")"
	fi
	expect_ge "hits of the ssh rule grew (v$v)" $((h + 10)) \
		"$(nf_hits "$H" "$src proto tcp port 22 dir in")"
done

log "nobody else reaches port 22, the jump host reaches nothing else"
for v in 4 6; do
	xdst=10.0.2.1 jdst=10.0.3.1 fam=ipv4
	[ $v = 6 ] && xdst=fd00:2::1 jdst=fd00:3::1 fam=ipv6
	p=$(snmp "$H" TcpPassiveOpens)
	d=$(nf_counter "$H" $fam local_in dropped_packets)
	expect_fail "other cannot connect to host tcp 22 (v$v)" tcp "$X" "$xdst" 22
	expect_eq "host's TCP saw no passive open from other (v$v)" "$p" "$(snmp "$H" TcpPassiveOpens)"
	expect_drop_delta "other's SYN counted as dropped" "$H" $fam local_in "$d" 1
	n=$(hits htcp)
	expect_fail "jump host cannot connect to host tcp 8080 (v$v)" tcp "$J" "$jdst" 8080
	expect_eq "host's listener on 8080 saw nothing (v$v)" "$n" "$(hits htcp)"
	expect_fail "jump host cannot ping the host (v$v)" ping$v "$J" "$jdst"
done
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Policy swaps are atomic under traffic. Two policies that differ in every
# rule but both allow flow A (udp 7000 to peer A, v4 and v6, echoed back)
# and both deny flow B (udp 7000 to peer B): while numbered datagrams flow,
# 1,000 commits alternate between them on one netlink socket, then more via
# "netfence restore". Not one datagram of A may be lost (each must arrive
# and its echo come back), not one of B may arrive.
# timeout: 1200
. "$(dirname "$0")/lib.sh"
nf_init

COMMITS=${NF_TEST_COMMITS:-1000}
CLI_COMMITS=${NF_TEST_CLI_COMMITS:-100}
RATE=${NF_TEST_RATE:-50}

ns_new H host
ns_new A peera
ns_new B peerb
veth "$H" a0 "$A" eth0
veth "$H" b0 "$B" eth0
addr "$H" a0 10.0.1.1/24 fd00:1::1/64
addr "$A" eth0 10.0.1.2/24 fd00:1::2/64
addr "$H" b0 10.0.2.1/24 fd00:2::1/64
addr "$B" eth0 10.0.2.2/24 fd00:2::2/64
# Neighbours resolved up front: no ND or ARP delay can look like a loss.
ip -n "$H" neigh replace 10.0.1.2 lladdr "$(ip -n "$A" -j link show eth0 | jq -r '.[0].address')" dev a0
ip -n "$H" neigh replace fd00:1::2 lladdr "$(ip -n "$A" -j link show eth0 | jq -r '.[0].address')" dev a0
serve arx "$A" udp 7000 --echo
serve brx "$B" udp 7000 --echo

cat >"$T/p1" <<'EOP'
10.0.1.2 proto udp port 7000
fd00:1::2 proto udp port 7000
10.0.2.2 proto udp port 7001
10.0.3.0/24
fd00:2::2 proto tcp port 7000
EOP
cat >"$T/p2" <<'EOP'
10.0.1.0/24 proto udp port 6999-7000
fd00:1::/64 proto udp port 7000-7002
10.0.2.2 proto tcp port 7000
10.0.2.3
fd00:2::2 proto udp port 7001 dir in
EOP
expect_ok "isolate with policy 1" nf "$H" isolate -f "$T/p1"
expect_ok "flow A works before the test" udp "$H" 10.0.1.2 7000 --expect-reply
expect_fail "flow B dropped before the test" udp "$H" 10.0.2.2 7000
nf "$H" stats --reset >/dev/null
gen0=$(nf_get "$H" .policy_generation)
db=$(nf_counter "$H" ipv4 local_out dropped_packets)

log "sender: 4 flows (A4 A6 B4 B6) at $RATE rounds/s"
bg sender "$H" $PYPROBE stream --rate "$RATE" --until "$T/stop" \
	--flow A4,10.0.1.2,7000 --flow A6,fd00:1::2,7000 \
	--flow B4,10.0.2.2,7000 --flow B6,fd00:2::2,7000
sleep 2

s=$(date +%s%N)
_run nsx "$H" $NLCLIENT flip "$COMMITS" "$T/p1" "$T/p2"
rc=$?
expect_eq "$COMMITS alternating commits over one netlink socket" 0 "$rc"
log "nlclient: $(cat "$T/last.out") ($((($(date +%s%N) - s) / 1000000)) ms)"

s=$(date +%s%N)
clifail=0
for i in $(seq 1 "$CLI_COMMITS"); do
	p=$T/p$((i % 2 + 1))
	nf "$H" restore "$p" >/dev/null 2>&1 || clifail=$((clifail + 1))
done
ms=$((($(date +%s%N) - s) / 1000000))
expect_eq "$CLI_COMMITS alternating 'netfence restore' all succeeded" 0 "$clifail"
log "CLI: $CLI_COMMITS restores in $ms ms ($((ms / CLI_COMMITS)) ms each)"
sleep 2
touch "$T/stop"
wait_for 60 grep -q '^{' "$T/sender.log" || die "sender did not finish: $(cat "$T/sender.log")"
res=$(grep '^{' "$T/sender.log")
log "sender: $res"

expect_eq "generation advanced by every commit" $((gen0 + COMMITS + CLI_COMMITS)) \
	"$(nf_get "$H" .policy_generation)"
rounds=$(jq .rounds <<<"$res")
expect_ge "enough datagrams during the commits" 200 "$rounds"
for f in A4 A6; do
	expect_eq "$f: every send succeeded" 0 "$(jq ".$f.send_errors" <<<"$res")"
	expect_eq "$f: every datagram echoed (missing: $(jq -c ".$f.first_missing" <<<"$res"))" \
		0 "$(jq ".$f.missing_echoes" <<<"$res")"
	got=$(grep " $f " "$T/arx.log" | awk '{print $NF}' | sort -un | wc -l)
	expect_eq "$f: peer A received all $rounds numbered datagrams" "$rounds" "$got"
done
for f in B4 B6; do
	expect_eq "$f: peer B received nothing" 0 "$(grep -c " $f " "$T/brx.log")"
	expect_eq "$f: every send refused locally" "$rounds" "$(jq ".$f.send_errors" <<<"$res")"
done
expect_ge "B4 datagrams counted as dropped" $((db + rounds)) \
	"$(nf_counter "$H" ipv4 local_out dropped_packets)"
expect_ge "A's rule hits counted in the final policy" 1 \
	"$("$NF" -j -n "$H" show | jq '[.[] | select(.rule | test("port 6999-7000|port 7000$")) | .hits] | add // 0')"
finish

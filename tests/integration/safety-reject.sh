#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What happens to dropped packets, policy option by option:
# - drop (default): a local connect() to a peer that is not allowed hangs
#   until its own timeout;
# - reject: it fails at once with ECONNREFUSED (TCP RST to the local
#   socket), a connected UDP sender gets ECONNREFUSED on its next call
#   (ICMP port unreachable), IPv4 and IPv6; inbound drops stay silent (the
#   remote peer gets neither RST nor ICMP and times out);
# - drop events: "netfence monitor -j" reports the dropped packets that the
#   test sent (addresses, ports, hook), rate-limited (--event-rate);
# - log: a "netfence: drop ..." kernel log line with --log, none without;
#   from a namespace other than the host's only while the host allows it
#   (net.netfilter.nf_log_all_netns=1, as for the LOG target); at most 5
#   lines in 5 s per namespace;
# - audit: nothing is dropped, the would-be drops are counted and reported
#   with "audit": true.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new X other
veth "$H" eth0 "$X" eth0
addr "$H" eth0 10.0.73.1/24 fd00:73::1/64
addr "$X" eth0 10.0.73.2/24 fd00:73::2/64
serve xtcp "$X" tcp 80
serve xudp "$X" udp 5000
serve htcp "$H" tcp 8080

# tcpc NS DEST PORT TIMEOUT: "RESULT SECONDS" of a TCP connect (connected,
# timeout or an errno name). udpc NS DEST PORT: result of 3 sends on a
# connected socket, 0.5 s apart ("sent" or an errno name each).
tcpc() {
	local out
	out=$("$PROBE" -n "$1" tcp "$2" "$3" --timeout "$4")
	case "$out" in
	connected*) echo "connected ${out##* }" ;;
	*) echo "${out#*: }" ;;
	esac
}
udpc() { "$PROBE" -n "$1" udp "$2" "$3" --connect --count 3 --interval 0.5; }
secs() { echo "${1##* }"; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

log "drop (default): connect() hangs"
expect_ok "isolate, no rule" nf "$H" isolate
r=$(tcpc "$H" 10.0.73.2 80 3)
log "tcp connect, drop: $r"
expect_match "connect times out without reject" '^timeout' "$r"
r=$(udpc "$H" 10.0.73.2 5000)
log "udp sends, drop: $r"
expect_nomatch "no ECONNREFUSED without reject" 'ECONNREFUSED' "$r"

log "reject: connect() refused at once, UDP refused on the next call"
bg mon "$H" "$NF" monitor -j
sleep 2
expect_ok "isolate --reject" nf "$H" isolate --reject
expect_eq "flags: reject" true "$(nf_get "$H" .flags.reject)"
for dst in 10.0.73.2 fd00:73::2; do
	r=$(tcpc "$H" "$dst" 80 3)
	log "tcp connect to $dst, reject: $r"
	expect_match "connect to $dst: ECONNREFUSED" '^ECONNREFUSED' "$r"
	if lt "$(secs "$r")" 0.5; then pass "connect to $dst refused in $(secs "$r") s (< 0.5 s)"
	else fail "connect to $dst refused in under 0.5 s" "got: $r"; fi
	r=$(udpc "$H" "$dst" 5000)
	log "udp sends to $dst, reject: $r"
	expect_match "udp to $dst: ECONNREFUSED on a later call" \
		'^[A-Za-z]+ (ECONNREFUSED|[A-Za-z]+ ECONNREFUSED)' "$r"
done
expect_eq "other's tcp server saw nothing" 0 "$(hits xtcp)"
expect_eq "other's udp server saw nothing" 0 "$(hits xudp)"

log "reject mode: inbound drops stay silent"
r=$(tcpc "$X" 10.0.73.1 8080 3)
log "other connects to host, reject mode: $r"
expect_match "inbound connect times out (no RST back)" '^timeout' "$r"
r=$(tcpc "$X" fd00:73::1 8080 3)
expect_match "inbound connect times out, IPv6" '^timeout' "$r"
expect_eq "host's server saw nothing" 0 "$(hits htcp)"

log "drop events"
sleep 1
kill "$mon_pid" 2>/dev/null
mon=$(cat "$T/mon.log")
log "monitor: $(grep -c '"drop"' <<<"$mon") drop events, e.g. $(grep -m1 '"drop"' <<<"$mon")"
ev_match() {
	jq -e -s --arg s "$1" --arg d "$2" --argjson p "$3" --arg h "$4" --arg pr "$5" \
		'map(select(.event == "drop" and .saddr == $s and .daddr == $d and
			.dport == $p and .hook == $h and .proto == $pr)) | length > 0' \
		"$T/mon.log" >/dev/null
}
expect_ok "event: outbound tcp 10.0.73.1 -> 10.0.73.2:80 at local_out" \
	ev_match 10.0.73.1 10.0.73.2 80 local_out tcp
expect_ok "event: outbound udp to fd00:73::2 port 5000" \
	ev_match fd00:73::1 fd00:73::2 5000 local_out udp
expect_ok "event: inbound tcp 10.0.73.2 -> 10.0.73.1:8080 at local_in" \
	ev_match 10.0.73.2 10.0.73.1 8080 local_in tcp
expect_ok "events carry the reason" jq -e -s 'map(select(.event == "drop")) |
	all(.reason == "no-rule" and .audit == false)' "$T/mon.log"

log "event rate limit: 2/s, a burst of 30 drops"
expect_ok "isolate --event-rate 2" nf "$H" isolate --event-rate 2
expect_eq "status: event_rate 2" 2 "$(nf_get "$H" .event_rate)"
bg mon2 "$H" "$NF" monitor -j
sleep 2
udp "$H" 10.0.73.2 5001 --count 30 >/dev/null 2>&1
sleep 1.5
udp "$H" 10.0.73.2 5002 >/dev/null 2>&1
sleep 1
kill "$mon2_pid" 2>/dev/null
evcount() { jq -s --argjson p "$2" 'map(select(.event == "drop" and .dport == $p)) | length' "$1"; }
n=$(evcount "$T/mon2.log" 5001)
log "events for the burst: $n; later event: $(grep '5002' "$T/mon2.log")"
expect_le "at most 2 events in the burst's second (+2 at a window edge)" 4 "$n"
expect_ge "at least one event for the burst" 1 "$n"
sup=$(jq -s 'map(select(.event == "drop" and .dport == 5002)) | .[0].suppressed // 0' "$T/mon2.log")
expect_ge "the next event reports the suppressed ones" 20 "$sup"
expect_ok "isolate --event-rate 0" nf "$H" isolate --event-rate 0
bg mon3 "$H" "$NF" monitor -j
sleep 2
udpc "$H" 10.0.73.2 5003 >/dev/null
sleep 1
kill "$mon3_pid" 2>/dev/null
expect_eq "no drop event at rate 0" 0 "$(evcount "$T/mon3.log" 5003)"

log "log line: the kernel log is the host's"
all_netns=$(sysctl -n net.netfilter.nf_log_all_netns)
sysctl -qw net.netfilter.nf_log_all_netns=0
expect_ok "isolate --log" nf "$H" isolate --log --event-rate 10
mark=$(dmesg_mark)
before=$(nf_counter "$H" ipv4 local_out dropped_packets)
tcpc "$H" 10.0.73.2 81 1 >/dev/null
sleep 0.5
expect_drop_delta "--log, nf_log_all_netns=0: dropped" "$H" ipv4 local_out "$before" 1
expect_eq "--log, nf_log_all_netns=0: no line from a namespace not the host's" 0 \
	"$(dmesg_since "$mark" | grep 'netfence: drop ' | grep -c 'DPT=81')"
sysctl -qw net.netfilter.nf_log_all_netns=1
tcpc "$H" 10.0.73.2 83 1 >/dev/null
sleep 0.5
line=$(dmesg_since "$mark" | grep 'netfence: drop ' | grep 'DPT=83' | tail -n1)
log "kernel log: $line"
expect_match "--log, nf_log_all_netns=1: log line" \
	'netfence: drop IN= OUT=eth0 SRC=10\.0\.73\.1 DST=10\.0\.73\.2 LEN=[0-9]+ PROTO=TCP SPT=[0-9]+ DPT=83' "$line"
log "log lines: at most 5 per namespace in 5 s, a burst of 30 drops"
udp "$H" 10.0.73.2 5010 --count 30 >/dev/null 2>&1
sleep 0.5
n=$(dmesg_since "$mark" | grep 'netfence: drop ' | grep -c 'DPT=5010')
log "log lines for the burst: $n"
expect_ge "at least one line for the burst" 1 "$n"
expect_le "at most 5 lines for the burst" 5 "$n"
expect_ok "isolate --event-rate 10 (a new policy, without log)" nf "$H" isolate --event-rate 10
tcpc "$H" 10.0.73.2 82 1 >/dev/null
sleep 0.5
expect_eq "no log line without --log" 0 "$(dmesg_since "$mark" | grep 'netfence: drop ' | grep -c 'DPT=82')"
sysctl -qw net.netfilter.nf_log_all_netns="$all_netns"

log "audit: nothing dropped, drops counted and reported"
bg mon4 "$H" "$NF" monitor -j
sleep 2
expect_ok "isolate --audit (no rule)" nf "$H" isolate --audit
before=$(nf_counter "$H" ipv4 local_out dropped_packets)
n=$(hits xtcp)
r=$(tcpc "$H" 10.0.73.2 80 5)
log "connect in audit mode: $r"
expect_match "connect works in audit mode" '^connected' "$r"
expect_drop_delta "would-be drops counted" "$H" ipv4 local_out "$before" 1
expect_ok "ping works in audit mode" ping4 "$H" 10.0.73.2
sleep 1
kill "$mon4_pid" 2>/dev/null
expect_ok "audit events say audit" jq -e -s 'map(select(.event == "drop" and .dport == 80)) |
	length > 0 and all(.audit == true)' "$T/mon4.log"
expect_ok "release" nf "$H" release

finish

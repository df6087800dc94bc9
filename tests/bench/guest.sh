#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark inside the guest (job of vm.sh, one CPU, -icount shift=0).
# Environment (job.env): NETFENCE_KO, NETFENCE (the tool), EMPTYHOOK_KO,
# BENCH_DATA (allowlists from gen.py), BENCH_SIZES, BENCH_ROUNDS,
# BENCH_COUNT (packets per measurement), BENCH_MODES (single, multi),
# BENCH_MULTI_SIZES (sizes for many prefix lengths), BENCH_SWEEP_ROUNDS
# (rounds of each allowlist measurement), BENCH_NF_VARIANTS (nf, nfport),
# BENCH_IPT_MAX (largest iptables chain), BENCH_OUT (results directory).
#
# Writes BENCH_OUT/packets.csv:
#   variant,family,mode,size,case,round,ns_per_packet,pps,forwarded
# and BENCH_OUT/commit.csv:
#   tool,family,mode,size,step,guest_ms,policy_memory,memfree_kb,slab_kb,
#   vmalloc_kb,percpu_kb
set -uo pipefail

out=${BENCH_OUT:-/nfresults}
data=${BENCH_DATA:?}
count=${BENCH_COUNT:-200000}
rounds=${BENCH_ROUNDS:-3}
sizes=${BENCH_SIZES:-10 100 1000 10000 100000}
ipt_max=${BENCH_IPT_MAX:-10000}
nf=${NETFENCE:?}
pkts=$out/packets.csv
commit=$out/commit.csv
echo "variant,family,mode,size,case,round,ns_per_packet,pps,forwarded" >"$pkts"
echo "tool,family,mode,size,step,guest_ms,policy_memory,memfree_kb,slab_kb,vmalloc_kb,percpu_kb" \
	>"$commit"

log() { echo "bench: ${EPOCHREALTIME%.*} $*"; }
die() { echo "bench: $*" >&2; exit 1; }

# Until the kernel's random generator is seeded, every random number costs
# thousands of instructions (pktgen draws one per packet for its IPv4
# sources): wait for it, which /dev/random does.
head -c 1 /dev/random >/dev/null
dmesg | grep -q 'crng init done' || die "the random generator is not seeded"

modprobe pktgen && modprobe veth && modprobe dummy || die "cannot load pktgen/veth/dummy"
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 10.9.0.1/24 dev v0
ip -6 addr add fd00:9::1/64 dev v0 nodad
ip link add dummy0 type dummy
ip link set dummy0 up
ip route add 10.99.0.0/16 dev dummy0
ip -6 route add fd00:99::/64 dev dummy0
sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.v0.rp_filter=0 \
	net.ipv6.conf.all.forwarding=1
mac=$(cat /sys/class/net/v0/address)
# The hit entry's addresses as destinations (case dhit).
ip route add 64.0.0.0/29 dev dummy0
ip -6 route add 2001:db8:8000::5/128 dev dummy0
lsmod | grep -E '^(nf_conntrack|nf_tables|ip_tables|ip6_tables) ' &&
	die "conntrack or a firewall is loaded before the benchmark"
# Loaded for every variant, tracking only where one asks (netfence's
# stateful mode, nftables' ct expression): costs nothing per packet else.
modprobe nf_conntrack || die "cannot load nf_conntrack"

pg() { echo "$1" >/proc/net/pktgen/v0 || die "pktgen: $1 refused"; }
# Builtins only from here to the end of measure(): every program started
# in the guest costs more than the measurement itself.
tx() { read -r TX </sys/class/net/dummy0/statistics/tx_packets; }
# inrx FAMILY: IP packets received so far in RX (proves the family sent).
inrx() {
	local k v rest
	RX=0
	if [ "$1" = 4 ]; then
		while read -r k v rest; do
			[ "$k" = Ip: ] && [ "$v" != Forwarding ] && { read -r RX _ <<<"${rest#* }"; return; }
		done </proc/net/snmp
	else
		while read -r k v; do
			[ "$k" = Ip6InReceives ] && { RX=$v; return; }
		done </proc/net/snmp6
	fi
}
echo "add_device v0" >/proc/net/pktgen/kpktgend_0 || die "pktgen: cannot add v0"

# measure VARIANT FAMILY MODE SIZE CASE ROUND: one pktgen run into v0's
# receive path; CASE hit sends from allowed sources, miss from others,
# dhit from those others to an allowed destination (what a stateful
# filter accepts from a flow's first packet: a source hit is a reply).
measure() {
	local fam=$2 case=$5 n=${cnt:-$count} tx0 rx0 line usec sent pps fwd ns
	pg "clone_skb 0"
	pg "xmit_mode netif_receive"
	pg "count $n"
	pg "pkt_size 60"
	pg "dst_mac $mac"
	if [ "$fam" = 4 ]; then
		pg "flag !IPV6"
		pg "dst 10.99.0.1"
		[ "$case" = dhit ] && pg "dst 64.0.0.1"
		if [ "$case" != hit ]; then
			pg "src_min 48.0.0.0"
			pg "src_max 48.0.0.7"
		else
			pg "src_min 64.0.0.0"
			pg "src_max 64.0.0.7"
		fi
		pg "flag IPSRC_RND"
	else
		# pktgen draws random sources for IPv4 only: one IPv6 source.
		pg "dst6 fd00:99::1"
		[ "$case" = dhit ] && pg "dst6 2001:db8:8000::5"
		if [ "$case" != hit ]; then
			pg "src6 2001:db8:4000::5"
		else
			pg "src6 2001:db8:8000::5"
		fi
	fi
	tx; tx0=$TX
	inrx "$fam"; rx0=$RX
	echo start >/proc/net/pktgen/pgctrl
	tx; fwd=$((TX - tx0))
	inrx "$fam"
	[ $((RX - rx0)) -ge "$n" ] || log "WARNING: $* received $((RX - rx0)) IPv$fam packets, sent $n"
	usec= pps=
	while read -r line; do
		case "$line" in
		"Result: OK: "*)
			usec=${line#Result: OK: }
			sent=${usec#*usec, }
			sent=${sent%% *}
			usec=${usec%%(*}
			;;
		*pps*) [ -n "$usec" ] && [ -z "$pps" ] && pps=${line%%pps*} ;;
		esac
	done </proc/net/pktgen/v0
	[ -n "$usec" ] && [ "$sent" = "$n" ] || die "pktgen failed: $(cat /proc/net/pktgen/v0)"
	ns=$((usec * 10000 / sent))
	echo "$1,$fam,$3,$4,$case,$6,$((ns / 10)).$((ns % 10)),$pps,$fwd" >>"$pkts"
	if [ "$case" = miss ] && [ "$fwd" != 0 ]; then
		log "WARNING: $* forwarded $fwd packets"
	elif [ "$case" != miss ] && [ "$fwd" != "$n" ]; then
		log "WARNING: $* forwarded only $fwd of $n packets"
	fi
}

meminfo() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^(MemFree|Slab|VmallocUsed|Percpu):/ { printf "%s ", $2 }' /proc/meminfo
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# commit_row TOOL FAM MODE SIZE STEP MS POLICYMEM "MEMINFO_BEFORE" "AFTER"
commit_row() {
	local a=($8) b=($9)
	echo "$1,$2,$3,$4,$5,$6,$7,$((a[0] - b[0])),$((b[1] - a[1])),$((b[2] - a[2])),$((b[3] - a[3]))" \
		>>"$commit"
}

nf_load() { "$NETFENCE_ROOT/tests/vm/load-module.sh" "$NETFENCE_KO"; }

# Phase 1: nothing, released netfence, empty hook; interleaved rounds.
log "baselines"
for ((r = 1; r <= rounds; r++)); do
	for fam in 4 6; do
		measure V0-none "$fam" - 0 hit "$r"
		insmod "$EMPTYHOOK_KO" || die "cannot load the empty hook"
		measure V6-emptyhook "$fam" - 0 hit "$r"
		rmmod nf_emptyhook
		nf_load || die "cannot load netfence"
		"$nf" isolate -a 10.9.0.0/24 >/dev/null && "$nf" release >/dev/null ||
			die "netfence isolate/release failed"
		measure V1-released "$fam" - 0 hit "$r"
		rmmod netfence
	done
done

# Phase 2: allowlists of every size.
nf_load || die "cannot load netfence"
fw_clean() {
	nft flush ruleset 2>/dev/null
	iptables-legacy -P FORWARD ACCEPT 2>/dev/null
	iptables-legacy -F 2>/dev/null
	ip6tables-legacy -P FORWARD ACCEPT 2>/dev/null
	ip6tables-legacy -F 2>/dev/null
	ipset destroy 2>/dev/null
	rmmod iptable_filter ip6table_filter 2>/dev/null
	rmmod xt_set ip_set_hash_net ip_set 2>/dev/null
	true
}

# hitmiss VARIANT FAM MODE SIZE [CASES]: the rounds of each case (default
# hit, miss and dhit).
hitmiss() {
	local r c
	for ((r = 1; r <= ${BENCH_SWEEP_ROUNDS:-$rounds}; r++)); do
		for c in ${5:-hit miss dhit}; do
			measure "$1" "$2" "$3" "$4" "$c" "$r"
		done
	done
}

for fam in 4 6; do
	for mode in ${BENCH_MODES:-single multi}; do
		msizes=$sizes
		[ "$mode" = multi ] && msizes=${BENCH_MULTI_SIZES:-$sizes}
		for n in $msizes; do
			tag=$fam-$mode-$n
			# BENCH_CONFIGS: only these FAMILY-MODE or FAMILY-MODE-SIZE.
			if [ -n "${BENCH_CONFIGS:-}" ] && [[ " $BENCH_CONFIGS " != *" $fam-$mode "* ]] &&
				[[ " $BENCH_CONFIGS " != *" $tag "* ]]; then
				continue
			fi
			log "allowlists $tag"
			for v in ${BENCH_NF_VARIANTS:-nf nfct}; do
				# nf: stateless mode; nfct: stateful (the default),
				# which accepts no source hit (a reply of nothing).
				name=V2-netfence cases=
				[ $v = nfport ] && name=V2-netfence-port
				[ $v = nfct ] && name=V2-netfence-stateful cases="miss dhit"
				b=$(meminfo)
				t0=$(now_ms)
				if ! "$nf" isolate -f "$data/$v-$tag.policy" >/dev/null; then
					log "WARNING: isolate -f $v-$tag failed, skipped"
					continue
				fi
				t1=$(now_ms)
				a=$(meminfo)
				pm=$("$nf" -j status | jq .policy_memory)
				rules=$("$nf" -j status | jq .rules)
				[ "$rules" = "$n" ] || log "WARNING: $v-$tag has $rules rules, want $n"
				[ "$("$nf" -j status | jq .stateful)" = "$([ $v = nfct ] && echo true || echo false)" ] ||
					log "WARNING: $v-$tag: not in the expected mode"
				commit_row "$v" "$fam" "$mode" "$n" isolate $((t1 - t0)) "$pm" "$b" "$a"
				t0=$(now_ms)
				"$nf" restore "$data/$v-$tag.policy" >/dev/null ||
					log "WARNING: restore $v-$tag failed"
				t1=$(now_ms)
				commit_row "$v" "$fam" "$mode" "$n" restore $((t1 - t0)) "$pm" "$a" "$a"
				hitmiss "$name" "$fam" "$mode" "$n" "$cases"
				"$nf" release >/dev/null || die "release failed"
				log "$v-$tag done"
			done
			nftv="nft nftct nftcat"
			# The concatenation costs the same whatever the prefix lengths;
			# its set (pipapo) takes minutes to load beyond 10k entries.
			[ "$mode" = single ] && [ "$n" -le 10000 ] || nftv="nft nftct"
			for v in $nftv; do
				name=V3-nft-set cases=
				[ $v = nftcat ] && name=V3-nft-concat
				[ $v = nftct ] && name=V3-nft-ct cases="miss dhit"
				b=$(meminfo)
				t0=$(now_ms)
				if ! nft -f "$data/$v-$tag.nft"; then
					log "WARNING: nft -f $v-$tag failed, skipped"
					fw_clean
					continue
				fi
				t1=$(now_ms)
				a=$(meminfo)
				commit_row "$v" "$fam" "$mode" "$n" load $((t1 - t0)) 0 "$b" "$a"
				hitmiss "$name" "$fam" "$mode" "$n" "$cases"
				fw_clean
			done
			ipt=iptables-legacy
			[ "$fam" = 6 ] && ipt=ip6tables-legacy
			if [ "$n" -le "$ipt_max" ]; then
				if "$ipt-restore" <"$data/ipt-$tag.rules"; then
					# A chain costs in proportion to its length: fewer
					# packets (the cost per packet does not vary).
					cnt=$((count * 100 / n))
					[ "$cnt" -gt "$count" ] && cnt=$count
					[ "$cnt" -lt 1000 ] && cnt=1000
					hitmiss V4-iptables "$fam" "$mode" "$n" "hit miss"
					cnt=
				else
					log "WARNING: $ipt-restore $tag failed, skipped"
				fi
				fw_clean
			fi
			if ipset restore -f "$data/ipset-$tag.ipset" &&
				"$ipt" -P FORWARD DROP &&
				"$ipt" -A FORWARD -m set --match-set a dst -j ACCEPT &&
				"$ipt" -A FORWARD -m set --match-set a src -j ACCEPT; then
				hitmiss V5-ipset "$fam" "$mode" "$n"
			else
				log "WARNING: ipset $tag failed, skipped"
			fi
			fw_clean
		done
	done
done
rmmod netfence

# The machine is as it was: nothing left behind.
for fam in 4 6; do
	measure V0-none-end "$fam" - 0 hit 1
done
log "done"

# SPDX-License-Identifier: GPL-2.0
# System scenario (systemd guest, real reboots; see tests/system/lib.sh):
# netfence-restore.service isolates the host at boot under the saved
# policy, and fails visibly when that policy is invalid.
#   boot 1  isolate with rules, save /etc/netfence/policy, enable the unit
#   boot 2  the unit is active, the same state is in force (status, save),
#           and real packets through a veth pair obey it; then an invalid
#           policy is written
#   boot 3  the unit failed, its status and the journal name the bad line
# timeout: 600

HOST=10.77.0.1
PEER=10.77.0.2
PORT_IN=7001      # allowed: PEER may connect to this host's port 7001
PORT_IN_DENIED=7002
PORT_OUT=7101     # allowed: this host may connect to PEER's port 7101
PORT_OUT_DENIED=7102
RULES=(
	"$PEER proto tcp port $PORT_IN dir in"
	"$PEER proto tcp port $PORT_OUT"
)
POLICY=/etc/netfence/policy

# saved_state: "netfence save -" without what legitimately changes between
# two readings (a deadline's remaining time).
saved_state() {
	"$NETFENCE" save - | grep -v '^timeout '
}

# isolated: netfence status says this namespace is isolated.
isolated() {
	"$NETFENCE" status | head -n1 | grep -q '^netfence: isolated '
}

stage_1() {
	local a=() r
	check "netfence.ko loaded at boot (modules-load.d)" test -d /sys/module/netfence
	check_fail "not isolated before the test" isolated
	for r in "${RULES[@]}"; do
		a+=(--allow "$r")
	done
	check "netfence isolate ${a[*]}" "$NETFENCE" isolate "${a[@]}"
	check "status: isolated" isolated
	mkdir -p "${POLICY%/*}"
	check "netfence save $POLICY" "$NETFENCE" save "$POLICY"
	check "systemctl enable netfence-restore.service" \
		systemctl enable netfence-restore.service
	keep state "$(saved_state)"
	log "saved state:"
	kept state
	then_reboot
}

# traffic_checks: real packets through a veth pair to a namespace obey the
# rules: allowed connections open both ways, denied ones never reach the
# listener.
traffic_checks() {
	check "veth pair to namespace peer" peer_netns peer "$HOST" "$PEER" || return 1
	check "listeners" eval "listen in $PORT_IN && listen in-denied $PORT_IN_DENIED &&
		listen out $PORT_OUT peer && listen out-denied $PORT_OUT_DENIED peer"
	check "peer -> host tcp $PORT_IN (dir in rule) connects" \
		tcp_connect "$HOST" "$PORT_IN" 5 peer
	check_fail "peer -> host tcp $PORT_IN_DENIED (no rule) is dropped" \
		tcp_connect "$HOST" "$PORT_IN_DENIED" 3 peer
	check "host -> peer tcp $PORT_OUT (dir out rule) connects" \
		tcp_connect "$PEER" "$PORT_OUT" 5
	check_fail "host -> peer tcp $PORT_OUT_DENIED (no rule) is dropped" \
		tcp_connect "$PEER" "$PORT_OUT_DENIED" 3
	sleep 0.5
	check_eq "listener on $PORT_IN got 1 connection" 1 "$(received in)"
	check_eq "listener on $PORT_IN_DENIED got none" 0 "$(received in-denied)"
	check_eq "listener on $PORT_OUT got 1 connection" 1 "$(received out)"
	check_eq "listener on $PORT_OUT_DENIED got none" 0 "$(received out-denied)"
	stop_listeners
	log "status after traffic:"
	"$NETFENCE" status
}

stage_2() {
	local bad
	check "netfence-restore.service is active" \
		systemctl is-active netfence-restore.service
	check "status: isolated" isolated
	check_eq "save - equals boot 1's" "$(kept state)" "$(saved_state)"
	traffic_checks
	# An invalid policy for the next boot: the saved one plus a bad line.
	cp "$POLICY" "$POLICY.good"
	echo "allow bogus" >>"$POLICY"
	bad=$(wc -l <"$POLICY")
	keep bad_line "$bad"
	log "policy for boot 3 (line $bad invalid):"
	cat -n "$POLICY"
	sync
	then_reboot
}

stage_3() {
	local bad st journal
	bad=$(kept bad_line)
	check "netfence-restore.service is failed" \
		systemctl is-failed netfence-restore.service
	st=$(systemctl status --no-pager -l netfence-restore.service 2>&1)
	log "systemctl status netfence-restore.service:"
	printf '%s\n' "$st"
	check_match "systemctl status names $POLICY:$bad" "$POLICY:$bad:" "$st"
	journal=$(journalctl -b --no-pager -o cat -u netfence-restore.service 2>&1)
	log "journal of netfence-restore.service:"
	printf '%s\n' "$journal"
	check_match "the journal names $POLICY:$bad" "netfence: .*$POLICY:$bad:" "$journal"
	note "netfence status: $("$NETFENCE" status 2>&1 | head -n1)"
	then_poweroff
}

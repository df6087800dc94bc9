# SPDX-License-Identifier: GPL-2.0
# System scenario (systemd guest, real reboots; see tests/system/lib.sh):
# netfence-restore.service isolates the host at boot under the policy that
# "isolate --persist" saved, with its release key and the time left before
# its deadline, fails visibly when the policy cannot work at boot, and
# "release --persist" keeps the next boot released.
#   boot 1  isolate --persist with rules, a key and a 30 min deadline: the
#           policy file (key digest, time left), the unit enabled
#   boot 2  the unit is active, the same state is in force (status, save),
#           the key is required, the deadline counts the time that was
#           left, real packets through a veth pair obey the rules; then a
#           policy naming a host (no resolver before the network) is saved
#   boot 3  the unit failed, its status and the journal name the line and
#           the reason; the good policy is put back by hand, then
#           release --persist
#   boot 4  the unit did not isolate (no policy file): released
# timeout: 900

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

KEY=/root/netfence.key

# saved_state: "netfence save -" without what legitimately changes between
# two readings (a deadline's remaining time).
saved_state() {
	"$NETFENCE" save - --key-file "$KEY" | grep -v '^timeout '
}

# isolated: netfence status says this namespace is isolated.
isolated() {
	"$NETFENCE" status | head -n1 | grep -q '^netfence: isolated '
}

# left_secs: seconds before the deadline, from netfence -j status.
left_secs() {
	"$NETFENCE" -j status | sed -n 's/.*"timeout_left_ms":\([0-9]*\).*/\1/p' |
		awk '{ print int($1 / 1000) }'
}

stage_1() {
	local a=() r pol
	check "netfence.ko loaded at boot (modules-load.d)" test -d /sys/module/netfence
	check_fail "not isolated before the test" isolated
	for r in "${RULES[@]}"; do
		a+=(--allow "$r")
	done
	head -c 32 /dev/urandom >"$KEY"
	check "netfence isolate --persist --key-file $KEY --timeout 30m ${a[*]}" \
		"$NETFENCE" isolate --persist --key-file "$KEY" --timeout 30m "${a[@]}"
	check "status: isolated" isolated
	check "netfence-restore.service enabled by --persist" \
		systemctl is-enabled netfence-restore.service
	pol=$(cat "$POLICY")
	log "$POLICY:"
	printf '%s\n' "$pol"
	check_eq "policy file mode 0600" 600 "$(stat -c %a "$POLICY")"
	check_match "policy file: the key's digest" \
		"^key sha256:$(sha256sum <"$KEY" | cut -d' ' -f1)\$" "$pol"
	check_match "policy file: the time left (30 min)" '^timeout 1(79[0-9]|800)s$' "$pol"
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
	local left
	check "netfence-restore.service is active" \
		systemctl is-active netfence-restore.service
	check "status: isolated" isolated
	check_eq "save - equals boot 1's" "$(kept state)" "$(saved_state)"
	check_match "the release key is back" '^release key: required' "$("$NETFENCE" status)"
	check_fail "release without the key is refused" "$NETFENCE" release
	left=$(left_secs)
	note "deadline after the reboot: ${left:-none} s left"
	# The time left at save, counted again from the boot: 1800 s at most,
	# and no less than 30 min minus this boot's few minutes.
	check "the deadline counts the time that was left (1500-1800 s)" \
		test "${left:-0}" -ge 1500 -a "${left:-0}" -le 1800
	traffic_checks
	# For the next boot: a policy naming a host, which --boot refuses.
	cp "$POLICY" "$POLICY.good"
	echo "peer.example proto tcp port 443" >>"$POLICY"
	keep bad_line "$(wc -l <"$POLICY")"
	log "policy for boot 3 (line $(kept bad_line) names a host):"
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
	check_match "the journal names $POLICY:$bad and why" \
		"netfence: .*$POLICY:$bad: 'peer.example' is a hostname: at boot it cannot be resolved" \
		"$journal"
	note "netfence status: $("$NETFENCE" status 2>&1 | head -n1)"
	mv "$POLICY.good" "$POLICY"
	check "the good policy by hand (isolate --boot --file)" \
		"$NETFENCE" isolate --boot --file "$POLICY"
	check "isolated again" isolated
	check "release --persist --key-file" "$NETFENCE" release --persist --key-file "$KEY"
	check_fail "the policy file is gone" test -e "$POLICY"
	sync
	then_reboot
}

stage_4() {
	check_fail "netfence-restore.service did not run (no policy)" \
		systemctl is-active netfence-restore.service
	check_fail "not isolated after release --persist and a reboot" isolated
	then_poweroff
}

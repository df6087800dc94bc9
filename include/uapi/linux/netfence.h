/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netfence: network isolation with an allowlist, controlled over generic
 * netlink.
 *
 * This header is the protocol's manual. It is shared by the kernel module
 * (netfence.ko) and the command-line tool (netfence).
 *
 * Family, version, multicast group
 * --------------------------------
 * Generic-netlink family NETFENCE_GENL_NAME ("netfence"), family version
 * NETFENCE_GENL_VERSION. Multicast group NETFENCE_MCGRP_EVENTS ("events").
 *
 * Every request carries NETFENCE_A_PROTO (u32) equal to NETFENCE_PROTO_VERSION;
 * a request without it, or with another value, is refused with
 * -EPROTONOSUPPORT and an extack message. Every command requires
 * CAP_NET_ADMIN in the user namespace that owns the target network namespace
 * (GENL_UNS_ADMIN_PERM). A command acts on the network namespace of the
 * netlink socket that sends it (open the socket inside another netns to
 * target it, as "ip -n" does).
 *
 * State
 * -----
 * Each network namespace has one *policy* (an allowlist of rules plus option
 * flags, initially empty with NETFENCE_POLICY_F_DEFAULT) and is either
 * *released* (nothing is filtered, no netfilter hook is registered) or
 * *isolated* (every IPv4/IPv6 packet at LOCAL_IN, LOCAL_OUT and FORWARD is
 * dropped unless the policy allows it). A policy is immutable: a commit
 * builds a complete new one and publishes it with one pointer swap, so no
 * packet ever sees a half-applied policy. A rejected request changes
 * nothing.
 *
 * Commands (request attributes; "-> reply")
 * ------------------------------------------
 * NETFENCE_CMD_STATUS_GET: NETFENCE_A_PROTO.
 *	-> NETFENCE_CMD_STATUS_GET with NETFENCE_A_ISOLATED, NETFENCE_A_POLICY_FLAGS,
 *	NETFENCE_A_POLICY_GEN, NETFENCE_A_RULE_COUNT, NETFENCE_A_FEATURES,
 *	NETFENCE_A_ISOLATED_NETNS, NETFENCE_A_HOOKS_REGISTERED, NETFENCE_A_STATS,
 *	NETFENCE_A_POLICY_MEM, NETFENCE_A_STATEFUL (1 while the namespace is
 *	isolated and conntrack checks its replies, see "Semantics" below; 0
 *	when released or isolated statelessly), NETFENCE_A_ISOLATED_BY and
 *	NETFENCE_A_LAST_CHANGE (see "Audit trail" below, each once recorded).
 *
 * NETFENCE_CMD_TXN_BEGIN: NETFENCE_A_PROTO, optional NETFENCE_A_TXN_FLAGS,
 *	optional NETFENCE_A_POLICY_FLAGS.
 *	Opens a policy transaction owned by the sending socket (one per socket
 *	and netns; -EBUSY if that socket already has one open). With
 *	NETFENCE_TXN_F_APPEND it starts from a copy of the current policy's
 *	rules and flags, otherwise from an empty rule set. NETFENCE_A_POLICY_FLAGS,
 *	if present, sets the new policy's flags (otherwise: the current policy's
 *	with APPEND, NETFENCE_POLICY_F_DEFAULT without). The transaction is
 *	discarded when the socket closes. At most NETFENCE_MAX_TXNS transactions
 *	are open in one namespace at a time: -ENOSPC beyond.
 *
 * NETFENCE_CMD_TXN_ADD: NETFENCE_A_PROTO, NETFENCE_A_RULES.
 *	Adds every NETFENCE_A_RULE nested in NETFENCE_A_RULES to the open
 *	transaction. Either all rules of the message are added or none
 *	(-EINVAL with the offending rule's attribute in extack). Send as many
 *	messages as needed; at most NETFENCE_MAX_RULES in all, or
 *	NETFENCE_MAX_RULES_USERNS in a namespace owned by a user namespace other
 *	than the initial one (-E2BIG, and nothing of the message added). A rule
 *	identical to one already present is not added twice.
 *
 * NETFENCE_CMD_TXN_DEL: NETFENCE_A_PROTO, NETFENCE_A_RULES.
 *	Removes each rule identical to a nested NETFENCE_A_RULE from the open
 *	transaction; -ENOENT (and nothing removed) if one is not present. A
 *	rule named twice in one message is removed once. In a transaction
 *	begun with NETFENCE_TXN_F_DEL_ABSENT, rules not present are skipped
 *	instead ("allow del --exist": a rule removed by someone else between
 *	a dump and this transaction is not an error).
 *
 * NETFENCE_CMD_TXN_COMMIT: NETFENCE_A_PROTO, optional NETFENCE_A_COMMIT_FLAGS.
 *	Builds the policy from the transaction, publishes it and closes the
 *	transaction. With NETFENCE_COMMIT_F_ISOLATE the namespace is isolated
 *	under the new policy in the same step (no window where either the old
 *	policy or no policy is in force). -ENOENT without an open transaction.
 *	On failure the transaction stays open and the current policy stays in
 *	force.
 *
 * NETFENCE_CMD_TXN_ABORT: NETFENCE_A_PROTO. Discards the open transaction
 *	(-ENOENT if none).
 *
 * NETFENCE_CMD_ISOLATE: NETFENCE_A_PROTO, optional NETFENCE_A_ISOLATE_FLAGS.
 *	Isolates the namespace under its current policy. Idempotent: isolating
 *	an isolated namespace succeeds and changes nothing.
 *
 * NETFENCE_CMD_RELEASE: NETFENCE_A_PROTO. Releases the namespace: its hooks
 *	are unregistered, the policy is kept (a later ISOLATE uses it again).
 *	Idempotent.
 *
 * NETFENCE_CMD_RULES_GET (dump): NETFENCE_A_PROTO.
 *	-> one NETFENCE_CMD_RULES_GET message per rule of the current policy:
 *	NETFENCE_A_POLICY_GEN, NETFENCE_A_RULE (with NETFENCE_RULE_A_INDEX and
 *	NETFENCE_RULE_A_HITS). If a commit happens during the dump, the dump is
 *	flagged NLM_F_DUMP_INTR and must be restarted.
 *
 * NETFENCE_CMD_COUNTERS_RESET: NETFENCE_A_PROTO. Zeroes the namespace's
 *	counters and every rule's hit counter.
 *
 * Limits and user namespaces
 * --------------------------
 * Any user may create a user namespace and a network namespace it owns,
 * and isolate that namespace (CAP_NET_ADMIN there is enough). Such a
 * namespace gets the same commands with tighter limits, so that it cannot
 * take more than its share of the kernel:
 * - every rule, transaction and policy is charged to the memory cgroup of
 *   the task that sent the request (GFP_KERNEL_ACCOUNT);
 * - at most NETFENCE_MAX_TXNS open transactions per namespace, for every
 *   namespace (NETFENCE_CMD_TXN_BEGIN: -ENOSPC);
 * - at most NETFENCE_MAX_RULES_USERNS rules per policy in a namespace whose
 *   owner (the user namespace it was created in) is not the initial user
 *   namespace; NETFENCE_MAX_RULES elsewhere (NETFENCE_CMD_TXN_ADD: -E2BIG).
 * Each refusal carries an extack message; the policy in force stays.
 * Module pinning: while a namespace owned by the initial user namespace is
 * isolated, netfence.ko cannot be unloaded (tamper resistance). A namespace
 * owned by another user namespace does not pin it: when root unloads the
 * module, each such isolated namespace is released, gets
 * NETFENCE_CMD_EVT_RELEASED with NETFENCE_REASON_MODULE_UNLOAD (sent before
 * the family goes away) and a kernel log line. Requests to isolate that
 * arrive during the unload fail with -ESHUTDOWN. Kernel log lines about
 * such namespaces (e.g. deadline releases) are rate-limited.
 *
 * Deadline and release key (lock-out protection, tamper resistance)
 * ------------------------------------------------------------------
 * NETFENCE_CMD_ISOLATE and NETFENCE_CMD_TXN_COMMIT with
 *	NETFENCE_COMMIT_F_ISOLATE also take optional NETFENCE_A_TIMEOUT (seconds,
 *	1..31536000; the namespace is released by itself at the deadline unless
 *	renewed; 0 removes the deadline) and NETFENCE_A_KEY (the release key's
 *	secret, NETFENCE_KEY_MIN..NETFENCE_KEY_MAX bytes: only its SHA-256
 *	digest is kept, never readable back).
 * NETFENCE_CMD_RENEW: NETFENCE_A_PROTO, optional NETFENCE_A_TIMEOUT.
 *	Moves the deadline to now + timeout (default: the duration last given).
 *	-ENOENT when no deadline is set.
 * While a release key is set, every request that could end or weaken
 *	isolation (RELEASE, TXN_COMMIT, RENEW, ISOLATE with NETFENCE_A_TIMEOUT or
 *	NETFENCE_A_KEY) must carry NETFENCE_A_KEY with the secret: without it
 *	-ENOKEY, with a wrong one -EKEYREJECTED (compared in constant time);
 *	nothing changes. The key is cleared on release. The deadline, if any,
 *	still releases a keyed namespace.
 * NETFENCE_A_KEY_DIGEST (exactly NETFENCE_KEY_DIGEST_LEN bytes), accepted
 *	where NETFENCE_A_KEY sets a key, sets the key by the SHA-256 digest of
 *	its secret instead: what a saved policy keeps, so that the key
 *	survives a reboot without its secret being written down. Replacing a
 *	key set before this way needs NETFENCE_A_KEY with the current secret.
 * A NETFENCE_A_KEY shorter than NETFENCE_KEY_MIN is refused by every command
 *	with -EINVAL and an extack message naming the attribute, before
 *	anything is checked or changed: the key is the only barrier against a
 *	local attacker who may send as many RELEASE requests as it likes.
 * Status adds NETFENCE_A_TIMEOUT_LEFT (only while a deadline is set),
 *	NETFENCE_A_KEY_REQUIRED, NETFENCE_A_EVENT_RATE.
 *
 * Drop events, reject, log
 * ------------------------
 * NETFENCE_CMD_TXN_BEGIN takes optional NETFENCE_A_EVENT_RATE (drop events
 *	per second for this namespace, 0..NETFENCE_EVENT_RATE_MAX; default
 *	NETFENCE_EVENT_RATE_DEFAULT, or the current value with APPEND).
 * NETFENCE_CMD_EVT_DROP (multicast "events"): NETFENCE_A_FLOW (the dropped
 *	packet: family, hook, protocol, addresses, ports or ICMP type/code,
 *	length, reason, audit) and NETFENCE_A_EVENTS_SUPPRESSED (events lost to
 *	the rate limit since the previous event). Only where joining the
 *	group needs CAP_NET_ADMIN (NETFENCE_FEAT_DROP_EVENTS): elsewhere any
 *	local user could read the addresses, and none is sent.
 * NETFENCE_POLICY_F_REJECT: packets of local senders (LOCAL_OUT) that are
 *	dropped are answered with a TCP RST (TCP) or an ICMP/ICMPv6 port
 *	unreachable (others) so programs fail at once; inbound and forwarded
 *	packets are still dropped silently.
 * NETFENCE_POLICY_F_LOG: one kernel log line per drop, at most 5 lines in
 *	5 seconds per namespace (and within the kernel's net_ratelimit()). The
 *	kernel log is the host's: a namespace other than the initial one writes
 *	to it only while net.netfilter.nf_log_all_netns is 1, as for the LOG
 *	target; otherwise its drops are not logged (events and counters still
 *	report them).
 * NETFENCE_POLICY_F_STATELESS: the namespace does not run conntrack for
 *	netfence and replies are matched statelessly, as on a kernel without
 *	conntrack (see "Stateful replies"). Cheaper per packet and uses no
 *	conntrack table entries; weaker. A commit while isolated may switch
 *	either way: connections are then picked up mid-stream.
 *
 * DHCP clients (NETFENCE_POLICY_F_DHCP4, NETFENCE_POLICY_F_DHCP6)
 * ---------------------------------------------------------------
 * Besides the rules, the flags allow the exchanges of the namespace's DHCP
 *	client with its servers, and nothing else on those ports; never on
 *	FORWARD.
 * Outbound (LOCAL_OUT): DHCPv4, udp 68 -> 67, a BOOTREQUEST (op 1) of at
 *	least the 236-byte BOOTP header and the magic cookie 99.130.83.99, with
 *	htype non-zero and hlen <= 16; DHCPv6, udp 546 -> 547, a client message
 *	(SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE, DECLINE,
 *	INFORMATION-REQUEST). The destination is 255.255.255.255 or ff02::1:2,
 *	or a learned server. The message's transaction id (DHCPv4 xid,
 *	DHCPv6 transaction-id) is recorded: 8 per namespace, the oldest
 *	overwritten, each valid 60 s after the last request that carried it.
 * Inbound (LOCAL_IN): DHCPv4, udp 67 -> 68, a BOOTREPLY (op 2) with the
 *	cookie; DHCPv6, udp 547 -> 546, an ADVERTISE or REPLY; from any source
 *	(relay agents answer from their own address), when its transaction id
 *	is a recorded, unexpired one of the same family. Accepting it learns
 *	the server: DHCPv4 option 54 (server identifier) if present, else the
 *	packet's source; DHCPv6 the packet's source. 8 learned servers per
 *	namespace (the one confirmed longest ago makes room), kept until the
 *	namespace is released, since leases last long.
 * Release forgets requests and servers. Consequences: broadcast and
 *	multicast DHCP remain a local-link channel (a process that can bind
 *	port 68 or 546 can still exchange well-formed DHCP messages with the
 *	hosts of the local link, and a host that answers a request, from
 *	anywhere, with its xid becomes a server the namespace may send
 *	requests to). A host isolated while holding a lease, or whose client
 *	gets its lease over packet sockets (busybox udhcpc, dhclient,
 *	systemd-networkd: those frames never cross the IP hooks), has its first
 *	unicast RENEW dropped until the server is learned; the client then
 *	falls back to a broadcast REBIND, which goes through (and, sent from a
 *	UDP socket, learns the server for the next RENEW). A rule naming the
 *	server (udp port 67 or 547) allows the unicast exchange at once.
 *	Replies a rule allows, and requests to a server a rule names, do not
 *	record or learn anything. DHCPv6 RECONFIGURE is not a reply: dropped.
 *
 * Identity rules
 * --------------
 * NETFENCE_RULE_A_UID_MIN/UID_MAX and NETFENCE_RULE_A_CGROUP restrict a rule
 *	to packets of local sockets owned by that uid range or belonging to that
 *	cgroup v2 path (or a descendant); with both, both must hold. Within
 *	those sockets the rule's other fields apply exactly as for any rule
 *	(remote prefix, proto, ports, and dir: "dir out" = connections the
 *	socket opens and their replies, "dir in" = connections to the socket,
 *	e.g. a listener; family AF_UNSPEC and no address = any remote). The
 *	remote never becomes allowed for other sockets.
 *	The packet's socket: outbound, the sending socket (a TCP request socket
 *	stands for its listener); inbound, the socket early demux attached, else
 *	the socket a lookup finds (NETFENCE_FEAT_SOCKET4/6; without it such
 *	inbound packets match no identity rule). Time-wait sockets and kernel
 *	sockets (which send the ACK/RST of TIME_WAIT and closed ports) carry no
 *	identity: their packets match no identity rule. Forwarded packets never
 *	match identity rules.
 *	uid: the socket's owner (the uid that created it) in the user namespace
 *	that owns the network namespace; an owner not mapped there matches no
 *	uid rule. cgroup (NETFENCE_FEAT_CGROUP): the cgroup the socket was
 *	created in. The rule follows a path, not a cgroup: the path is
 *	anchored at the root of the cgroup namespace of the task that sends
 *	TXN_ADD (or TXN_DEL), and a socket matches when its cgroup is, at the
 *	time of the packet, at that path below that root, or below it. So a
 *	cgroup removed and created again (a service restarted by systemd gets
 *	a new cgroup id) matches again without a new commit, and a path that
 *	does not exist yet is accepted and matches from the moment a cgroup is
 *	created there. A cgroup namespace rooted elsewhere (a container) has
 *	another anchor: the same names created inside it do not match the
 *	rule, and a rule given from inside it covers its own subtree only; if
 *	the anchor cgroup is removed, the rule matches nothing any more.
 *	The path is given its canonical form "/NAME/NAME..." (repeated and
 *	trailing "/" dropped, a relative path taken from the root; "/" is the
 *	anchor itself); a component "." or "..", or one longer than 255 bytes,
 *	is refused with -EINVAL and extack. Rules compare by anchor and
 *	canonical path. The verdict for a socket's cgroup is computed once, by
 *	comparing the names of its ancestors, and cached per CPU by cgroup id
 *	(cgroup ids are never reused, cgroup v2 directories never renamed); a
 *	commit starts with an empty cache. A policy names at most
 *	NETFENCE_MAX_CGROUP_PATHS distinct (anchor, path) pairs: TXN_COMMIT
 *	refuses more with -E2BIG and extack (the transaction stays open).
 *	Dumps report the canonical path (NETFENCE_RULE_A_CGROUP) and, only when
 *	the dumping task's cgroup namespace root is the rule's anchor and a
 *	cgroup exists at the path now, that cgroup's id
 *	(NETFENCE_RULE_A_CGROUP_ID); the attribute is absent otherwise.
 *
 * Events (multicast group "events", in the namespace they concern)
 * -----------------------------------------------------------------
 * NETFENCE_CMD_EVT_ISOLATED: NETFENCE_A_POLICY_GEN, NETFENCE_A_RULE_COUNT.
 * NETFENCE_CMD_EVT_RELEASED: NETFENCE_A_REASON (NETFENCE_REASON_*: a RELEASE
 *	request, the deadline, the namespace's destruction, or the module's
 *	unload for namespaces of user namespaces, see "Limits" above).
 * NETFENCE_CMD_EVT_COMMITTED: NETFENCE_A_POLICY_GEN, NETFENCE_A_RULE_COUNT.
 * NETFENCE_CMD_EVT_RENEWED: NETFENCE_A_TIMEOUT_LEFT (milliseconds). The
 *	deadline moved: RENEW, or ISOLATE of an isolated namespace with
 *	NETFENCE_A_TIMEOUT.
 *
 * Rules (NETFENCE_A_RULE, nested)
 * -------------------------------
 * A rule names a remote endpoint and who may open the connection.
 * NETFENCE_RULE_A_FAMILY (u8, required): AF_INET or AF_INET6, or AF_UNSPEC
 *	for a rule without address (it then applies to both families).
 * NETFENCE_RULE_A_ADDR (binary, 4 bytes for AF_INET, 16 for AF_INET6):
 *	remote prefix; absent means any address. Host bits beyond the prefix
 *	length must be zero. Not allowed with AF_UNSPEC.
 * NETFENCE_RULE_A_PREFIXLEN (u8): 0..32 or 0..128; default full length
 *	when NETFENCE_RULE_A_ADDR is present, 0 otherwise.
 * NETFENCE_RULE_A_PROTO (u8): 0 (any), IPPROTO_TCP, IPPROTO_UDP,
 *	IPPROTO_ICMP (AF_INET only), IPPROTO_ICMPV6 (AF_INET6 only).
 * NETFENCE_RULE_A_PORT_MIN, NETFENCE_RULE_A_PORT_MAX (u16, host order):
 *	remote port range for "dir out", local port range for "dir in"; only
 *	with IPPROTO_TCP, IPPROTO_UDP or 0 (then the rule covers TCP and UDP
 *	only). MAX defaults to MIN; MIN <= MAX.
 * NETFENCE_RULE_A_DIR (u8): NETFENCE_DIR_OUT (default), NETFENCE_DIR_IN,
 *	NETFENCE_DIR_BOTH.
 * NETFENCE_RULE_A_INDEX (u32, dump only): position in the policy.
 * NETFENCE_RULE_A_HITS (u64, dump only): packets accepted by this rule.
 *
 * Semantics: "dir out" allows packets to (addr, port) and their replies
 * from (addr, port); a reply-direction TCP SYN without ACK is dropped.
 * "dir in" allows packets from addr to local port and their replies; an
 * outbound SYN without ACK through it is dropped. "dir both": either side.
 * Forwarded packets: matched as outbound on (daddr, dport) or as a reply on
 * (saddr, sport). Loopback is always allowed: packets received from a
 * loopback device (LOCAL_IN) and sent to one (LOCAL_OUT); a forwarded
 * packet never is, even from or to lo. IPv4-mapped IPv6 addresses never
 * match IPv4 rules.
 *
 * Addresses are the ones nftables' filter chains see: outbound after
 * destination NAT (a DNAT'ed destination is checked as rewritten, e.g. a
 * Kubernetes service is allowed by its backends' addresses), inbound and
 * forwarded after destination NAT and before source NAT.
 *
 * Stateful replies (NETFENCE_A_STATEFUL): where the kernel has conntrack,
 * an isolated namespace runs it (nf_conntrack is loaded on demand; netfence
 * does not depend on it), and a packet that matches a rule only as a reply,
 * in any hook and direction, must belong to a connection conntrack tracked
 * before that packet (established or related, in either orientation).
 * Untracked and invalid packets never pass as replies. A TCP segment of a
 * connection conntrack did not know (opened before isolation) passes as a
 * reply while the kernel holds an established TCP socket for it. Without
 * conntrack, or with NETFENCE_POLICY_F_STATELESS, replies are matched
 * statelessly: a spoofed reply from an allowed endpoint, or a send from a
 * "dir in" port, then passes.
 *
 * Link-layer stage (NETFENCE_FEAT_LINK, NETFENCE_A_LINK_DEVICES)
 * ----------------------------------------------------------------
 * Packet sockets (AF_PACKET), other non-IP senders and bridged frames never
 * cross the IPv4/IPv6 hooks. While isolated, every device of the namespace
 * (those created or moved in later too) gets a netdev egress hook and, on
 * Ethernet devices, an ingress hook. Frames are classified from their own
 * bytes (VLAN tags unwrapped, 802.3/LLC recognised), never from
 * skb->protocol, which a packet socket chooses.
 * Egress: a packet this namespace's IP stack routed (LOCAL_OUT or FORWARD
 *	already judged it) passes without a second look. Any other IPv4/IPv6
 *	frame is judged by the rules: as a local packet (stateful mode: no
 *	reply without a tracked connection) when it was built on this host,
 *	as a forwarded one (statelessly) when it was received and bridged or
 *	redirected, or sent by another namespace's stack through this one's
 *	device (macvlan, ipvlan).
 * Ingress: IPv4/IPv6 frames pass on to the IP hooks (or to the egress
 *	stage of the device they are bridged to).
 * Both: well-formed ARP (Ethernet/IPv4, request or reply), frames to the
 *	link-control addresses 01:80:c2:00:00:00-0f (STP, LACP, LLDP, 802.1X
 *	EAPOL) and the EtherTypes of NETFENCE_A_ETHERTYPES pass; everything
 *	else is dropped (NETFENCE_DROP_LINK), counted under AF_PACKET.
 * NETFENCE_CMD_TXN_BEGIN takes optional NETFENCE_A_ETHERTYPES (up to
 *	NETFENCE_ETHERTYPES_MAX, network order; default none, or the current
 *	policy's with APPEND); status reports them.
 *
 * Default allowances (policy flags):
 * NETFENCE_POLICY_F_ND: ICMPv6 neighbour discovery (133-137) with hop limit
 *	255, unfragmented, router advertisements and redirects from a
 *	link-local source; MLD (130, 131, 132, 143) with hop limit 1, from a
 *	link-local or the unspecified address to a link-local or link-scope
 *	multicast address. LOCAL_IN and LOCAL_OUT only, never forwarded.
 * NETFENCE_POLICY_F_ICMP_ERR: ICMP/ICMPv6 errors quoting a packet of a flow
 *	the rules allow, addressed to the quoted packet's source (from any
 *	router on the path); in stateful mode also related to a tracked
 *	connection.
 */
#ifndef _UAPI_LINUX_NETFENCE_H
#define _UAPI_LINUX_NETFENCE_H

#include <linux/types.h>

#define NETFENCE_GENL_NAME	"netfence"
#define NETFENCE_GENL_VERSION	1
#define NETFENCE_MCGRP_EVENTS	"events"
#define NETFENCE_PROTO_VERSION	1

/* Upper bound of rules in one policy. */
#define NETFENCE_MAX_RULES	(1U << 20)
/*
 * Upper bound of rules in one policy of a namespace owned by a user
 * namespace other than the initial one (see "Limits" above).
 */
#define NETFENCE_MAX_RULES_USERNS	(1U << 16)
/* Distinct cgroup paths (with their anchors) in one policy. */
#define NETFENCE_MAX_CGROUP_PATHS	64
/* Open transactions in one namespace, all sockets together. */
#define NETFENCE_MAX_TXNS	16

enum netfence_cmd {
	NETFENCE_CMD_UNSPEC,
	NETFENCE_CMD_STATUS_GET,
	NETFENCE_CMD_TXN_BEGIN,
	NETFENCE_CMD_TXN_ADD,
	NETFENCE_CMD_TXN_DEL,
	NETFENCE_CMD_TXN_COMMIT,
	NETFENCE_CMD_TXN_ABORT,
	NETFENCE_CMD_ISOLATE,
	NETFENCE_CMD_RELEASE,
	NETFENCE_CMD_RULES_GET,
	NETFENCE_CMD_COUNTERS_RESET,
	NETFENCE_CMD_EVT_ISOLATED,
	NETFENCE_CMD_EVT_RELEASED,
	NETFENCE_CMD_EVT_COMMITTED,
	NETFENCE_CMD_RENEW,
	NETFENCE_CMD_EVT_DROP,
	NETFENCE_CMD_EVT_RENEWED,

	__NETFENCE_CMD_MAX
};
#define NETFENCE_CMD_MAX (__NETFENCE_CMD_MAX - 1)

enum netfence_attr {
	NETFENCE_A_UNSPEC,
	NETFENCE_A_PROTO,		/* u32: NETFENCE_PROTO_VERSION */
	NETFENCE_A_ISOLATED,		/* u8: 1 isolated, 0 released */
	NETFENCE_A_POLICY_FLAGS,	/* u32: NETFENCE_POLICY_F_* */
	NETFENCE_A_POLICY_GEN,		/* u32: bumped by every commit */
	NETFENCE_A_RULE_COUNT,		/* u32 */
	NETFENCE_A_FEATURES,		/* u32: NETFENCE_FEAT_* of this kernel */
	NETFENCE_A_ISOLATED_NETNS,	/* u32: isolated namespaces, all of them */
	NETFENCE_A_HOOKS_REGISTERED,	/* u32: netfence hooks in this netns */
	NETFENCE_A_STATS,		/* nest of NETFENCE_A_STATS_ENTRY */
	NETFENCE_A_TXN_FLAGS,		/* u32: NETFENCE_TXN_F_* */
	NETFENCE_A_COMMIT_FLAGS,	/* u32: NETFENCE_COMMIT_F_* */
	NETFENCE_A_ISOLATE_FLAGS,	/* u32: NETFENCE_ISOLATE_F_* */
	NETFENCE_A_RULES,		/* nest of NETFENCE_A_RULE */
	NETFENCE_A_RULE,		/* nest of NETFENCE_RULE_A_* */
	NETFENCE_A_REASON,		/* u8: NETFENCE_REASON_* */
	NETFENCE_A_POLICY_MEM,		/* u64: bytes of kernel memory of the policy */
	NETFENCE_A_PAD,
	NETFENCE_A_TIMEOUT,		/* u32: seconds until automatic release, 0 none */
	NETFENCE_A_TIMEOUT_LEFT,	/* u64: milliseconds left before the deadline */
	NETFENCE_A_KEY,			/* binary: release key secret, NETFENCE_KEY_MIN..MAX */
	NETFENCE_A_KEY_REQUIRED,	/* u8: 1 when a release key is set */
	NETFENCE_A_EVENT_RATE,		/* u32: drop events per second, 0 none */
	NETFENCE_A_FLOW,		/* nest of NETFENCE_FLOW_A_* (drop events) */
	NETFENCE_A_EVENTS_SUPPRESSED,	/* u32: drop events lost to the rate limit */
	NETFENCE_A_STATEFUL,		/* u8: 1 when replies are checked by conntrack */
	NETFENCE_A_LINK_DEVICES,	/* u32: devices under the link-layer stage */
	NETFENCE_A_ETHERTYPES,		/* binary: __be16 array, EtherTypes allowed */
	NETFENCE_A_COMMENT,		/* string: why (ISOLATE, RELEASE, RENEW, TXN_COMMIT) */
	NETFENCE_A_ISOLATED_BY,		/* nest of NETFENCE_AUDIT_A_*: the isolation */
	NETFENCE_A_LAST_CHANGE,		/* nest of NETFENCE_AUDIT_A_*: the latest change */
	NETFENCE_A_KEY_DIGEST,		/* binary: SHA-256 of a release key, 32 bytes */

	__NETFENCE_A_MAX
};
#define NETFENCE_A_MAX (__NETFENCE_A_MAX - 1)

/*
 * Audit trail
 * -----------
 * Every isolate, commit, release and renew records who made
 * it and why: STATUS_GET reports the record of the change that isolated
 * the namespace (NETFENCE_A_ISOLATED_BY, while isolated) and of the latest
 * change (NETFENCE_A_LAST_CHANGE), and each is one kernel log line
 * (rate-limited for namespaces of user namespaces). NETFENCE_A_COMMENT,
 * at most NETFENCE_COMMENT_MAX - 1 bytes with no control character, is
 * kept with the record. Identities are those of the sending process, as
 * the reader sees them: a uid its user namespace cannot map reads as the
 * overflow uid (65534), a pid outside its pid namespace is left out. A
 * change the kernel made itself (deadline, isolate_on_load) has no pid,
 * uid or comm.
 */
#define NETFENCE_COMMENT_MAX	256

enum netfence_action {
	NETFENCE_ACTION_ISOLATE = 1,	/* isolated (ISOLATE, or commit with F_ISOLATE) */
	NETFENCE_ACTION_COMMIT,		/* new policy, isolation unchanged */
	NETFENCE_ACTION_RELEASE,	/* released by a user */
	NETFENCE_ACTION_RENEW,		/* deadline renewed, or set again by ISOLATE */
	NETFENCE_ACTION_DEADLINE,	/* released by the kernel at the deadline */
	__NETFENCE_ACTION_MAX
};

enum netfence_audit_attr {
	NETFENCE_AUDIT_A_UNSPEC,
	NETFENCE_AUDIT_A_ACTION,	/* u8: NETFENCE_ACTION_* */
	NETFENCE_AUDIT_A_TIME,		/* u64: nanoseconds since the epoch (CLOCK_REALTIME) */
	NETFENCE_AUDIT_A_UID,		/* u32: effective uid of the sender */
	NETFENCE_AUDIT_A_LOGINUID,	/* u32: login uid of the sender, when set */
	NETFENCE_AUDIT_A_PID,		/* u32: thread group id of the sender */
	NETFENCE_AUDIT_A_COMM,		/* string: command name of the sender */
	NETFENCE_AUDIT_A_COMMENT,	/* string: NETFENCE_A_COMMENT, when given */
	NETFENCE_AUDIT_A_POLICY_GEN,	/* u32: policy generation after the change */
	NETFENCE_AUDIT_A_PAD,

	__NETFENCE_AUDIT_A_MAX
};
#define NETFENCE_AUDIT_A_MAX (__NETFENCE_AUDIT_A_MAX - 1)

/*
 * NETFENCE_A_STATS holds one NETFENCE_A_STATS_ENTRY nest per (family, hook):
 * AF_INET and AF_INET6 with every hook, and AF_PACKET (link-layer frames
 * that carry neither, e.g. ARP) with the LINK hooks.
 */
enum netfence_stats_attr {
	NETFENCE_STATS_A_UNSPEC,
	NETFENCE_STATS_A_ENTRY,		/* nest of the below */
	NETFENCE_STATS_A_FAMILY,	/* u8: AF_INET or AF_INET6 */
	NETFENCE_STATS_A_HOOK,		/* u8: NETFENCE_HOOK_* */
	NETFENCE_STATS_A_ACCEPT_PKTS,	/* u64 */
	NETFENCE_STATS_A_ACCEPT_BYTES,	/* u64 */
	NETFENCE_STATS_A_DROP_PKTS,	/* u64 */
	NETFENCE_STATS_A_DROP_BYTES,	/* u64 */
	NETFENCE_STATS_A_PAD,

	__NETFENCE_STATS_A_MAX
};
#define NETFENCE_STATS_A_MAX (__NETFENCE_STATS_A_MAX - 1)

enum netfence_hook {
	NETFENCE_HOOK_LOCAL_IN,
	NETFENCE_HOOK_LOCAL_OUT,
	NETFENCE_HOOK_FORWARD,
	NETFENCE_HOOK_LINK_IN,		/* link-layer stage, netdev ingress */
	NETFENCE_HOOK_LINK_OUT,		/* link-layer stage, netdev egress */

	__NETFENCE_HOOK_MAX
};

enum netfence_rule_attr {
	NETFENCE_RULE_A_UNSPEC,
	NETFENCE_RULE_A_FAMILY,		/* u8 */
	NETFENCE_RULE_A_ADDR,		/* binary: 4 or 16 bytes */
	NETFENCE_RULE_A_PREFIXLEN,	/* u8 */
	NETFENCE_RULE_A_PROTO,		/* u8 */
	NETFENCE_RULE_A_PORT_MIN,	/* u16 */
	NETFENCE_RULE_A_PORT_MAX,	/* u16 */
	NETFENCE_RULE_A_DIR,		/* u8: NETFENCE_DIR_* */
	NETFENCE_RULE_A_INDEX,		/* u32, dump only */
	NETFENCE_RULE_A_HITS,		/* u64, dump only */
	NETFENCE_RULE_A_PAD,
	NETFENCE_RULE_A_UID_MIN,	/* u32: owner uid range of the local socket */
	NETFENCE_RULE_A_UID_MAX,	/* u32: defaults to UID_MIN */
	NETFENCE_RULE_A_CGROUP,		/* string: cgroup v2 path of the local socket */
	NETFENCE_RULE_A_CGROUP_ID,	/* u64, dump only: id of the cgroup at the path now */

	__NETFENCE_RULE_A_MAX
};
#define NETFENCE_RULE_A_MAX (__NETFENCE_RULE_A_MAX - 1)

enum netfence_dir {
	NETFENCE_DIR_OUT = 1,	/* this host opens connections to the remote */
	NETFENCE_DIR_IN = 2,	/* the remote opens connections to this host */
	NETFENCE_DIR_BOTH = 3,	/* either side opens */
};

/* Policy flags: what is allowed besides the rules (defaults on). */
enum netfence_policy_flags {
	NETFENCE_POLICY_F_ND = 1U << 0,		/* IPv6 neighbour discovery, ICMPv6 133-137 */
	NETFENCE_POLICY_F_DHCP4 = 1U << 1,	/* DHCPv4 client exchanges (see above) */
	NETFENCE_POLICY_F_DHCP6 = 1U << 2,	/* DHCPv6 client exchanges (see above) */
	NETFENCE_POLICY_F_ICMP_ERR = 1U << 3,	/* ICMP errors quoting an allowed flow */
	NETFENCE_POLICY_F_AUDIT = 1U << 4,	/* count and report, never drop */
	NETFENCE_POLICY_F_REJECT = 1U << 5,	/* answer local senders: TCP RST, ICMP unreachable */
	NETFENCE_POLICY_F_LOG = 1U << 6,	/* rate-limited kernel log line per drop */
	NETFENCE_POLICY_F_STATELESS = 1U << 7,	/* no conntrack: replies unproven (weaker) */
	__NETFENCE_POLICY_F_ALL = (1U << 8) - 1,
};
#define NETFENCE_POLICY_F_DEFAULT (NETFENCE_POLICY_F_ND | NETFENCE_POLICY_F_DHCP4 | \
				   NETFENCE_POLICY_F_DHCP6 | NETFENCE_POLICY_F_ICMP_ERR)

enum netfence_txn_flags {
	NETFENCE_TXN_F_APPEND = 1U << 0,	/* start from the current policy */
	NETFENCE_TXN_F_DEL_ABSENT = 1U << 1,	/* TXN_DEL: an absent rule is no error */
	__NETFENCE_TXN_F_ALL = (1U << 2) - 1,
};

enum netfence_commit_flags {
	NETFENCE_COMMIT_F_ISOLATE = 1U << 0,	/* isolate under the new policy */
	__NETFENCE_COMMIT_F_ALL = (1U << 1) - 1,
};

enum netfence_isolate_flags {
	__NETFENCE_ISOLATE_F_ALL = 0,
};

/* What the running kernel offers netfence (NETFENCE_A_FEATURES). */
enum netfence_features {
	NETFENCE_FEAT_DEFRAG4 = 1U << 0,	/* nf_defrag_ipv4: ports of fragments seen */
	NETFENCE_FEAT_DEFRAG6 = 1U << 1,	/* nf_defrag_ipv6 */
	NETFENCE_FEAT_CONNTRACK = 1U << 2,	/* conntrack state consulted for replies */
	NETFENCE_FEAT_SOCKET4 = 1U << 3,	/* inbound socket lookup, IPv4 */
	NETFENCE_FEAT_SOCKET6 = 1U << 4,	/* inbound socket lookup, IPv6 */
	NETFENCE_FEAT_REJECT4 = 1U << 5,	/* TCP RST / ICMP unreachable, IPv4 */
	NETFENCE_FEAT_REJECT6 = 1U << 6,	/* TCP RST / ICMPv6 unreachable, IPv6 */
	NETFENCE_FEAT_CGROUP = 1U << 7,		/* cgroup v2 identity of sockets */
	NETFENCE_FEAT_LINK = 1U << 8,		/* link-layer stage (netdev egress/ingress) */
	NETFENCE_FEAT_DROP_EVENTS = 1U << 9,	/* drop events (group needs CAP_NET_ADMIN) */
};

/* Drop events (NETFENCE_CMD_EVT_DROP): NETFENCE_A_FLOW holds these. */
enum netfence_flow_attr {
	NETFENCE_FLOW_A_UNSPEC,
	NETFENCE_FLOW_A_FAMILY,		/* u8: AF_INET or AF_INET6 */
	NETFENCE_FLOW_A_HOOK,		/* u8: NETFENCE_HOOK_* */
	NETFENCE_FLOW_A_PROTO,		/* u8: transport protocol */
	NETFENCE_FLOW_A_SADDR,		/* binary: 4 or 16 bytes */
	NETFENCE_FLOW_A_DADDR,		/* binary: 4 or 16 bytes */
	NETFENCE_FLOW_A_SPORT,		/* u16, TCP/UDP only */
	NETFENCE_FLOW_A_DPORT,		/* u16, TCP/UDP only */
	NETFENCE_FLOW_A_ICMP_TYPE,	/* u8, ICMP/ICMPv6 only */
	NETFENCE_FLOW_A_ICMP_CODE,	/* u8, ICMP/ICMPv6 only */
	NETFENCE_FLOW_A_LEN,		/* u32: packet length */
	NETFENCE_FLOW_A_REASON,		/* u8: NETFENCE_DROP_* */
	NETFENCE_FLOW_A_AUDIT,		/* u8: 1 when audit mode let it pass */
	NETFENCE_FLOW_A_ETHERTYPE,	/* u16: link-layer frames (family AF_PACKET) */

	__NETFENCE_FLOW_A_MAX
};
#define NETFENCE_FLOW_A_MAX (__NETFENCE_FLOW_A_MAX - 1)

enum netfence_drop_reason {
	NETFENCE_DROP_NO_RULE = 1,	/* no rule allows the packet */
	NETFENCE_DROP_MALFORMED = 2,	/* headers could not be parsed */
	NETFENCE_DROP_LINK = 3,		/* link-layer frame of a kind not allowed */
};

/* Most EtherTypes in NETFENCE_A_ETHERTYPES. */
#define NETFENCE_ETHERTYPES_MAX		16

/* Shortest and longest release key secret, bytes. */
#define NETFENCE_KEY_MIN		16
#define NETFENCE_KEY_MAX		4096
#define NETFENCE_KEY_DIGEST_LEN		32	/* SHA-256 */
/* Default and largest NETFENCE_A_EVENT_RATE. */
#define NETFENCE_EVENT_RATE_DEFAULT	10
#define NETFENCE_EVENT_RATE_MAX		100000

enum netfence_reason {
	NETFENCE_REASON_USER = 1,	/* NETFENCE_CMD_RELEASE */
	NETFENCE_REASON_TIMEOUT = 2,	/* the isolation deadline passed */
	NETFENCE_REASON_NETNS_EXIT = 3,	/* the namespace was destroyed */
	NETFENCE_REASON_MODULE_UNLOAD = 4, /* netfence.ko was unloaded (user namespaces) */
};

#endif /* _UAPI_LINUX_NETFENCE_H */

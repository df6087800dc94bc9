// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: generic-netlink requests. Every request carries
 * NETFENCE_A_PROTO; the socket asks for extended acks so the kernel's
 * message reaches the user.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Attribute bytes per TXN_ADD/TXN_DEL message, and the buffer around it. */
#define NF_BATCH_BYTES (32 * 1024)
#define NF_MSG_SIZE (NF_BATCH_BYTES + 4096)
/* One rule nest at most: nest + family + addr(16) + 5 small attributes. */
#define NF_RULE_MAX_BYTES 96
#define NF_DUMP_TRIES 5

struct exchange {
	struct nf_sock *s;
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int err;		/* negative errno */
	int parse_err;
	bool done;
	bool intr;
	bool gen_seen;
	uint32_t gen;
};

int nf_report(const struct nf_sock *s, const char *what, int err)
{
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "netfence: permission denied: need CAP_NET_ADMIN%s%s\n",
			s->extack[0] ? ": " : "", s->extack);
		return EXIT_PERM;
	}
	if (err == -ENOKEY || err == -EKEYREJECTED) {
		const char *msg = err == -ENOKEY ?
			"a release key is set: give it with --key-file" :
			"wrong release key";
		/* The kernel's words too, unless they say the same. */
		bool more = s->extack[0] && !strstr(msg, s->extack);

		fprintf(stderr, "netfence: %s: %s%s%s%s\n", what, msg,
			more ? " (" : "", more ? s->extack : "", more ? ")" : "");
		return EXIT_FAIL;
	}
	fprintf(stderr, "netfence: %s: %s\n", what,
		s->extack[0] ? s->extack : strerror(-err));
	return EXIT_FAIL;
}

int nf_open(struct nf_sock *s)
{
	int one = 1, rc;

	memset(s, 0, sizeof(*s));
	rc = netns_enter();
	if (rc)
		return rc;
	s->sk = nl_socket_alloc();
	if (!s->sk) {
		fprintf(stderr, "netfence: out of memory\n");
		return EXIT_FAIL;
	}
	rc = genl_connect(s->sk);
	if (rc < 0) {
		fprintf(stderr, "netfence: cannot open a generic netlink socket: %s\n",
			nl_geterror(rc));
		goto err;
	}
	/* Best effort: older kernels lack them, messages are then plain errno. */
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl_socket_set_buffer_size(s->sk, 1 << 20, 1 << 20);
	nl_socket_set_msg_buf_size(s->sk, 64 * 1024);
	nl_socket_enable_msg_peek(s->sk);

	rc = genl_ctrl_resolve(s->sk, NETFENCE_GENL_NAME);
	if (rc < 0) {
		if (rc == -NLE_OBJ_NOTFOUND) {
			fprintf(stderr, "netfence: kernel module not loaded (try: modprobe netfence)\n");
			nf_close(s);
			return EXIT_NOMODULE;
		}
		fprintf(stderr, "netfence: cannot resolve the netfence family: %s\n",
			nl_geterror(rc));
		goto err;
	}
	s->family = rc;
	return EXIT_OK;
err:
	nf_close(s);
	return EXIT_FAIL;
}

void nf_close(struct nf_sock *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
}

static struct nl_msg *nf_msg(struct nf_sock *s, uint8_t cmd, int flags,
			     size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family, 0, flags,
			 cmd, NETFENCE_GENL_VERSION) ||
	    nla_put_u32(msg, NETFENCE_A_PROTO, NETFENCE_PROTO_VERSION) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Pulls NLMSGERR_ATTR_MSG out of an extended ack. */
static void read_extack(struct nf_sock *s, const struct nlmsghdr *nlh,
			const struct nlmsgerr *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	const char *msg;
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + off), len, NULL) < 0)
		return;
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
	len = nla_len(tb[NLMSGERR_ATTR_MSG]);
	if (len <= 0)
		return;
	snprintf(s->extack, sizeof(s->extack), "%.*s", len, msg);
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exchange *x = arg;
	/* libnl hands us the payload; the header sits right before it. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	(void)nla;
	x->err = e->error < 0 ? e->error : -EPROTO;
	read_extack(x->s, nlh, e);
	x->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	/* A dump that failed midway reports its errno in NLMSG_DONE. */
	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		int err;

		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0 && !x->err)
			x->err = err;
	}
	x->done = true;
	return NL_STOP;
}

static int intr_cb(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->intr = true;
	return NL_OK;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlattr *tb[NETFENCE_A_MAX + 1];
	int rc;

	if (!x->parse || x->parse_err)
		return NL_SKIP;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NETFENCE_A_MAX, NULL) < 0) {
		x->parse_err = -EPROTO;
		return NL_SKIP;
	}
	/* All messages of one dump must come from one policy. */
	if (tb[NETFENCE_A_POLICY_GEN]) {
		uint32_t gen = nla_get_u32(tb[NETFENCE_A_POLICY_GEN]);

		if (x->gen_seen && gen != x->gen)
			x->intr = true;
		x->gen_seen = true;
		x->gen = gen;
	}
	rc = x->parse(tb, x->arg);
	if (rc < 0)
		x->parse_err = rc;
	return NL_SKIP;
}

/* Sends msg (consumed) and reads until its ack, error or end of dump. */
static int nf_exchange(struct nf_sock *s, struct nl_msg *msg,
		       int (*parse)(struct nlattr **, void *), void *arg,
		       bool *intr)
{
	struct exchange x = { .s = s, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int rc;

	s->extack[0] = '\0';
	if (!msg)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &x);

	rc = nl_send_auto(s->sk, msg);
	/* It may carry a release key. */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (rc < 0) {
		snprintf(s->extack, sizeof(s->extack), "send: %s", nl_geterror(rc));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!x.done) {
		rc = nl_recvmsgs(s->sk, cb);
		if (rc < 0 && !x.done) {
			snprintf(s->extack, sizeof(s->extack), "receive: %s",
				 nl_geterror(rc));
			x.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	if (intr)
		*intr = x.intr;
	if (x.err)
		return x.err;
	return x.parse_err;
}

int nf_simple(struct nf_sock *s, uint8_t cmd, int attr, uint32_t val)
{
	struct nl_msg *msg = nf_msg(s, cmd, 0, 0);

	if (msg && attr && nla_put_u32(msg, attr, val) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return nf_exchange(s, msg, NULL, NULL, NULL);
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? nla_get_u64((struct nlattr *)a) : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? nla_get_u32((struct nlattr *)a) : 0;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a ? nla_get_u8((struct nlattr *)a) : 0;
}

static void get_str(char *dst, size_t size, const struct nlattr *a)
{
	dst[0] = '\0';
	if (a)
		nla_strlcpy(dst, a, size);
}

static int parse_audit(struct nf_audit *a, const struct nlattr *nest)
{
	struct nlattr *tb[NETFENCE_AUDIT_A_MAX + 1];

	memset(a, 0, sizeof(*a));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, NETFENCE_AUDIT_A_MAX, (struct nlattr *)nest, NULL) < 0)
		return -EPROTO;
	a->set = true;
	a->action = get_u8(tb[NETFENCE_AUDIT_A_ACTION]);
	a->time_ns = get_u64(tb[NETFENCE_AUDIT_A_TIME]);
	a->policy_gen = get_u32(tb[NETFENCE_AUDIT_A_POLICY_GEN]);
	a->by_kernel = !tb[NETFENCE_AUDIT_A_UID];
	a->uid = get_u32(tb[NETFENCE_AUDIT_A_UID]);
	a->has_loginuid = tb[NETFENCE_AUDIT_A_LOGINUID] != NULL;
	a->loginuid = get_u32(tb[NETFENCE_AUDIT_A_LOGINUID]);
	a->has_pid = tb[NETFENCE_AUDIT_A_PID] != NULL;
	a->pid = get_u32(tb[NETFENCE_AUDIT_A_PID]);
	get_str(a->comm, sizeof(a->comm), tb[NETFENCE_AUDIT_A_COMM]);
	get_str(a->comment, sizeof(a->comment), tb[NETFENCE_AUDIT_A_COMMENT]);
	return 0;
}

static int parse_status(struct nlattr **tb, void *arg)
{
	struct nf_status *st = arg;
	struct nlattr *e;
	int rem;

	st->isolated = get_u8(tb[NETFENCE_A_ISOLATED]);
	st->flags = get_u32(tb[NETFENCE_A_POLICY_FLAGS]);
	st->policy_gen = get_u32(tb[NETFENCE_A_POLICY_GEN]);
	st->rule_count = get_u32(tb[NETFENCE_A_RULE_COUNT]);
	st->features = get_u32(tb[NETFENCE_A_FEATURES]);
	st->isolated_netns = get_u32(tb[NETFENCE_A_ISOLATED_NETNS]);
	st->hooks_registered = get_u32(tb[NETFENCE_A_HOOKS_REGISTERED]);
	st->stateful = get_u8(tb[NETFENCE_A_STATEFUL]);
	st->link_devices = get_u32(tb[NETFENCE_A_LINK_DEVICES]);
	st->n_ethertypes = 0;
	if (tb[NETFENCE_A_ETHERTYPES]) {
		const uint16_t *be = nla_data(tb[NETFENCE_A_ETHERTYPES]);
		size_t n = (size_t)nla_len(tb[NETFENCE_A_ETHERTYPES]) / sizeof(*be);

		for (size_t i = 0; i < n && i < NETFENCE_ETHERTYPES_MAX; i++)
			st->ethertypes[st->n_ethertypes++] = ntohs(be[i]);
	}
	st->policy_mem = get_u64(tb[NETFENCE_A_POLICY_MEM]);
	st->has_timeout_left = tb[NETFENCE_A_TIMEOUT_LEFT] != NULL;
	st->timeout_left_ms = get_u64(tb[NETFENCE_A_TIMEOUT_LEFT]);
	st->key_required = get_u8(tb[NETFENCE_A_KEY_REQUIRED]);
	st->has_event_rate = tb[NETFENCE_A_EVENT_RATE] != NULL;
	st->event_rate = st->has_event_rate ? get_u32(tb[NETFENCE_A_EVENT_RATE]) :
		NETFENCE_EVENT_RATE_DEFAULT;
	if (parse_audit(&st->isolated_by, tb[NETFENCE_A_ISOLATED_BY]) ||
	    parse_audit(&st->last_change, tb[NETFENCE_A_LAST_CHANGE]))
		return -EPROTO;
	st->ncounters = 0;
	if (!tb[NETFENCE_A_STATS])
		return 0;
	nla_for_each_nested(e, tb[NETFENCE_A_STATS], rem) {
		struct nlattr *sb[NETFENCE_STATS_A_MAX + 1];
		struct nf_counter *c;

		if (nla_type(e) != NETFENCE_STATS_A_ENTRY ||
		    st->ncounters == NF_MAX_COUNTERS)
			continue;
		if (nla_parse_nested(sb, NETFENCE_STATS_A_MAX, e, NULL) < 0)
			return -EPROTO;
		c = &st->counters[st->ncounters++];
		c->family = get_u8(sb[NETFENCE_STATS_A_FAMILY]);
		c->hook = get_u8(sb[NETFENCE_STATS_A_HOOK]);
		c->accept_pkts = get_u64(sb[NETFENCE_STATS_A_ACCEPT_PKTS]);
		c->accept_bytes = get_u64(sb[NETFENCE_STATS_A_ACCEPT_BYTES]);
		c->drop_pkts = get_u64(sb[NETFENCE_STATS_A_DROP_PKTS]);
		c->drop_bytes = get_u64(sb[NETFENCE_STATS_A_DROP_BYTES]);
	}
	return 0;
}

int nf_get_status(struct nf_sock *s, struct nf_status *st)
{
	memset(st, 0, sizeof(*st));
	return nf_exchange(s, nf_msg(s, NETFENCE_CMD_STATUS_GET, 0, 0),
			   parse_status, st, NULL);
}

int nf_get_policy(struct nf_sock *s, struct nf_status *st, struct rule_vec *out)
{
	struct nf_status st2;
	int rc = 0;

	for (int i = 0; i < NF_DUMP_TRIES; i++) {
		rc = nf_get_status(s, st);
		if (!rc)
			rc = nf_get_rules(s, out);
		if (!rc)
			rc = nf_get_status(s, &st2);
		if (rc || st->policy_gen == st2.policy_gen)
			return rc;
	}
	snprintf(s->extack, sizeof(s->extack), "the policy kept changing, try again");
	return -EAGAIN;
}

static int parse_rule(struct nlattr **tb, void *arg)
{
	struct rule_vec *out = arg;
	struct nlattr *rb[NETFENCE_RULE_A_MAX + 1];
	struct nf_rule r = { .dir = NETFENCE_DIR_OUT };

	if (!tb[NETFENCE_A_RULE])
		return 0;
	if (nla_parse_nested(rb, NETFENCE_RULE_A_MAX, tb[NETFENCE_A_RULE], NULL) < 0)
		return -EPROTO;
	r.family = get_u8(rb[NETFENCE_RULE_A_FAMILY]);
	if (rb[NETFENCE_RULE_A_ADDR]) {
		int len = nla_len(rb[NETFENCE_RULE_A_ADDR]);

		if (len > 16)
			return -EPROTO;
		memcpy(r.addr, nla_data(rb[NETFENCE_RULE_A_ADDR]), len);
		r.prefixlen = r.family == AF_INET ? 32 : 128;
	}
	if (rb[NETFENCE_RULE_A_PREFIXLEN])
		r.prefixlen = get_u8(rb[NETFENCE_RULE_A_PREFIXLEN]);
	r.proto = get_u8(rb[NETFENCE_RULE_A_PROTO]);
	r.port_min = rb[NETFENCE_RULE_A_PORT_MIN] ?
		nla_get_u16(rb[NETFENCE_RULE_A_PORT_MIN]) : 0;
	r.port_max = rb[NETFENCE_RULE_A_PORT_MAX] ?
		nla_get_u16(rb[NETFENCE_RULE_A_PORT_MAX]) :
		rb[NETFENCE_RULE_A_PORT_MIN] ? r.port_min : 0xffff;
	if (rb[NETFENCE_RULE_A_DIR])
		r.dir = get_u8(rb[NETFENCE_RULE_A_DIR]);
	r.index = get_u32(rb[NETFENCE_RULE_A_INDEX]);
	r.hits = get_u64(rb[NETFENCE_RULE_A_HITS]);
	if (rb[NETFENCE_RULE_A_UID_MIN]) {
		r.has_uid = true;
		r.uid_min = get_u32(rb[NETFENCE_RULE_A_UID_MIN]);
		r.uid_max = rb[NETFENCE_RULE_A_UID_MAX] ?
			get_u32(rb[NETFENCE_RULE_A_UID_MAX]) : r.uid_min;
	}
	if (rb[NETFENCE_RULE_A_CGROUP]) {
		struct nlattr *a = rb[NETFENCE_RULE_A_CGROUP];
		const char *p = nla_data(a);
		int len = nla_len(a);

		/* A NUL-terminated string. */
		if (len < 1 || p[len - 1] != '\0')
			return -EPROTO;
		r.cgroup = p;
	}
	if (rb[NETFENCE_RULE_A_CGROUP_ID]) {
		r.has_cgroup_id = true;
		r.cgroup_id = get_u64(rb[NETFENCE_RULE_A_CGROUP_ID]);
	}
	return rule_vec_push(out, &r) ? -ENOMEM : 0;
}

int nf_get_rules(struct nf_sock *s, struct rule_vec *out)
{
	for (int i = 0; i < NF_DUMP_TRIES; i++) {
		bool intr = false;
		int rc;

		rule_vec_clear(out);
		rc = nf_exchange(s, nf_msg(s, NETFENCE_CMD_RULES_GET,
					   NLM_F_DUMP, 0),
				 parse_rule, out, &intr);
		if (rc)
			return rc;
		if (!intr)
			return 0;
	}
	snprintf(s->extack, sizeof(s->extack),
		 "the policy kept changing during the dump, try again");
	return -EAGAIN;
}

static int put_rule(struct nl_msg *msg, const struct nf_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED | NETFENCE_A_RULE);
	int alen = r->family == AF_INET ? 4 : 16;

	if (!nest)
		return -1;
	if (nla_put_u8(msg, NETFENCE_RULE_A_FAMILY, r->family) < 0)
		return -1;
	if (r->family != AF_UNSPEC && r->prefixlen &&
	    (nla_put(msg, NETFENCE_RULE_A_ADDR, alen, r->addr) < 0 ||
	     nla_put_u8(msg, NETFENCE_RULE_A_PREFIXLEN, r->prefixlen) < 0))
		return -1;
	if (r->proto && nla_put_u8(msg, NETFENCE_RULE_A_PROTO, r->proto) < 0)
		return -1;
	if (rule_has_ports(r) &&
	    (nla_put_u16(msg, NETFENCE_RULE_A_PORT_MIN, r->port_min) < 0 ||
	     nla_put_u16(msg, NETFENCE_RULE_A_PORT_MAX, r->port_max) < 0))
		return -1;
	if (nla_put_u8(msg, NETFENCE_RULE_A_DIR, r->dir) < 0)
		return -1;
	if (r->has_uid &&
	    (nla_put_u32(msg, NETFENCE_RULE_A_UID_MIN, r->uid_min) < 0 ||
	     nla_put_u32(msg, NETFENCE_RULE_A_UID_MAX, r->uid_max) < 0))
		return -1;
	if (r->cgroup && nla_put_string(msg, NETFENCE_RULE_A_CGROUP, r->cgroup) < 0)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

/* Upper bound of the bytes put_rule adds. */
static size_t rule_msg_bytes(const struct nf_rule *r)
{
	return NF_RULE_MAX_BYTES + (r->has_uid ? 16 : 0) +
		(r->cgroup ? NLA_HDRLEN + NLA_ALIGN(strlen(r->cgroup) + 1) : 0);
}

/* Sends rules [*pos, n) packed into one message; advances *pos. */
static int send_batch(struct nf_sock *s, const struct nf_txn *t, size_t *pos)
{
	struct nl_msg *msg = nf_msg(s, t->op, 0, NF_MSG_SIZE);
	struct nlattr *rules;

	if (!msg)
		return -ENOMEM;
	rules = nla_nest_start(msg, NLA_F_NESTED | NETFENCE_A_RULES);
	if (!rules)
		goto nomem;
	/* The first rule always fits: NF_MSG_SIZE has room for the longest. */
	while (*pos < t->nrules &&
	       (nlmsg_datalen(nlmsg_hdr(msg)) < 64 ||
		nlmsg_datalen(nlmsg_hdr(msg)) + rule_msg_bytes(&t->rules[*pos]) <=
		NF_BATCH_BYTES)) {
		if (put_rule(msg, &t->rules[*pos]) < 0)
			goto nomem;
		(*pos)++;
	}
	nla_nest_end(msg, rules);
	return nf_exchange(s, msg, NULL, NULL, NULL);
nomem:
	nlmsg_free(msg);
	return -ENOMEM;
}

/* A request with the deadline and key of g; NULL if out of memory. */
static struct nl_msg *nf_guard_msg(struct nf_sock *s, uint8_t cmd,
				   const struct nf_guard *g)
{
	struct nl_msg *msg = nf_msg(s, cmd, 0, NETFENCE_KEY_MAX + 1024);

	if (!msg || !g)
		return msg;
	if ((g->has_timeout &&
	     nla_put_u32(msg, NETFENCE_A_TIMEOUT, g->timeout) < 0) ||
	    (g->key && g->key->set &&
	     nla_put(msg, NETFENCE_A_KEY, (int)g->key->len, g->key->data) < 0) ||
	    (g->key_digest && nla_put(msg, NETFENCE_A_KEY_DIGEST, NETFENCE_KEY_DIGEST_LEN,
				      g->key_digest) < 0) ||
	    (g->comment && nla_put_string(msg, NETFENCE_A_COMMENT, g->comment) < 0)) {
		explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int nf_guarded(struct nf_sock *s, uint8_t cmd, const struct nf_guard *g)
{
	return nf_exchange(s, nf_guard_msg(s, cmd, g), NULL, NULL, NULL);
}

static int put_ethertypes(struct nl_msg *msg, const struct nf_txn *t)
{
	uint16_t be[NETFENCE_ETHERTYPES_MAX];

	if (!t->n_ethertypes)
		return 0;
	for (size_t i = 0; i < t->n_ethertypes && i < NETFENCE_ETHERTYPES_MAX; i++)
		be[i] = htons(t->ethertypes[i]);
	return nla_put(msg, NETFENCE_A_ETHERTYPES, (int)(t->n_ethertypes * sizeof(be[0])), be);
}

int nf_txn_run(struct nf_sock *s, const struct nf_txn *t, const char *what)
{
	struct nl_msg *msg;
	size_t pos = 0;
	int rc;

	msg = nf_msg(s, NETFENCE_CMD_TXN_BEGIN, 0, 0);
	if (msg && ((t->txn_flags &&
		     nla_put_u32(msg, NETFENCE_A_TXN_FLAGS, t->txn_flags) < 0) ||
		    (t->set_flags &&
		     nla_put_u32(msg, NETFENCE_A_POLICY_FLAGS, t->policy_flags) < 0) ||
		    (t->has_event_rate &&
		     nla_put_u32(msg, NETFENCE_A_EVENT_RATE, t->event_rate) < 0) ||
		    put_ethertypes(msg, t) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	rc = nf_exchange(s, msg, NULL, NULL, NULL);
	if (rc)
		return nf_report(s, what, rc);

	while (pos < t->nrules) {
		rc = send_batch(s, t, &pos);
		if (rc)
			goto abort;
	}
	if (t->check) {
		/* Every rule passed the kernel's checks; nothing is committed. */
		rc = nf_simple(s, NETFENCE_CMD_TXN_ABORT, 0, 0);
		return rc ? nf_report(s, what, rc) : EXIT_OK;
	}
	msg = nf_guard_msg(s, NETFENCE_CMD_TXN_COMMIT, &t->guard);
	if (msg && t->commit_flags &&
	    nla_put_u32(msg, NETFENCE_A_COMMIT_FLAGS, t->commit_flags) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	rc = nf_exchange(s, msg, NULL, NULL, NULL);
	if (!rc)
		return EXIT_OK;
abort:
	{
		char extack[sizeof(s->extack)];
		int code;

		/* Report the first error, not the abort's outcome. */
		memcpy(extack, s->extack, sizeof(extack));
		nf_simple(s, NETFENCE_CMD_TXN_ABORT, 0, 0);
		memcpy(s->extack, extack, sizeof(extack));
		code = nf_report(s, what, rc);
		return code;
	}
}

static volatile sig_atomic_t monitor_stop;

static void monitor_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

struct monitor {
	int family;
	bool json, stamp;
	const char *netns;
	unsigned long count, seen;
	bool bad_reported;
};

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int rc;

	if (nlh->nlmsg_type != m->family)
		return NL_SKIP;
	if (m->stamp || m->netns) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		rc = print_event_stamped(stdout, nlh, m->json, m->stamp ? &now : NULL,
					 m->netns);
	} else {
		rc = print_event(stdout, nlh, m->json);
	}
	if (rc < 0 && !m->bad_reported) {
		fprintf(stderr, "netfence: monitor: malformed event skipped\n");
		m->bad_reported = true;
	}
	if (rc <= 0)
		return NL_SKIP;
	/* Lines go out at once: readers follow a pipe. */
	fflush(stdout);
	m->seen++;
	if (m->count && m->seen >= m->count)
		return NL_STOP;
	return NL_OK;
}

/* Events are not answers: no sequence number to check. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int nf_monitor(struct nf_sock *s, bool json, bool stamp, const char *netns,
	       unsigned long count)
{
	struct monitor m = {
		.family = s->family, .json = json, .stamp = stamp, .count = count,
		.netns = netns,
	};
	struct sigaction sa = { .sa_handler = monitor_signal };
	struct nl_cb *cb;
	int grp, rc, ret = EXIT_OK;

	grp = genl_ctrl_resolve_grp(s->sk, NETFENCE_GENL_NAME, NETFENCE_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "netfence: monitor: no \"%s\" multicast group: %s\n",
			NETFENCE_MCGRP_EVENTS, nl_geterror(grp));
		return EXIT_FAIL;
	}
	rc = nl_socket_add_membership(s->sk, grp);
	if (rc < 0) {
		if (rc == -NLE_PERM)
			return nf_report(s, "monitor", -EPERM);
		fprintf(stderr, "netfence: monitor: cannot join the events group: %s\n",
			nl_geterror(rc));
		return EXIT_FAIL;
	}
	rc = nl_socket_set_nonblocking(s->sk);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (rc < 0 || !cb) {
		fprintf(stderr, "netfence: monitor: out of memory\n");
		if (cb)
			nl_cb_put(cb);
		return EXIT_FAIL;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, &m);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	/* No SA_RESTART: poll() returns at once with EINTR. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!monitor_stop && !(m.count && m.seen >= m.count)) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(s->sk), .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "netfence: monitor: %s\n", strerror(errno));
			ret = EXIT_FAIL;
			break;
		}
		rc = nl_recvmsgs(s->sk, cb);
		if (rc == -NLE_NOMEM) {
			/* ENOBUFS: the kernel had to drop some for this socket. */
			fprintf(stderr, "netfence: monitor: events lost (receive buffer full)\n");
		} else if (rc < 0 && rc != -NLE_AGAIN && !monitor_stop) {
			fprintf(stderr, "netfence: monitor: receive: %s\n", nl_geterror(rc));
			ret = EXIT_FAIL;
			break;
		}
	}
	nl_cb_put(cb);
	return ret;
}

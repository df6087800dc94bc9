// SPDX-License-Identifier: GPL-2.0
/*
 * nfprobe: traffic endpoints of netfence's integration scenarios.
 *
 * A scenario starts hundreds of these in a QEMU TCG guest, where an
 * interpreter takes a good part of a second to start; this starts in a
 * few milliseconds. The rarer probes (DHCP, DNS, raw UDP, streams) are in
 * probe.py.
 *
 *   nfprobe [-n NETNS] serve tcp|udp PORT [--echo] [--bind ADDR]
 *       Dual-stack server. Prints "listening PROTO PORT", then one line per
 *       accepted TCP connection ("got tcp from ADDR PORT") or received UDP
 *       datagram ("got udp from ADDR PORT len N TEXT"). --echo sends back
 *       what it receives.
 *   nfprobe [-n NETNS] tcp DEST PORT [--src ADDR] [--sport P]
 *                          [--timeout S] [--expect-echo]
 *       Connect (1.5 s at most) and send one line. Prints "connected SRC ->
 *       DEST PORT SECONDS", or "tcp DEST PORT: REASON SECONDS" where REASON
 *       is "timeout" or an errno name (ECONNREFUSED, EPERM, ...).
 *   nfprobe [-n NETNS] udp DEST PORT [--src ADDR] [--sport P] [--count N]
 *                          [--interval S] [--connect] [--expect-reply]
 *                          [--timeout S]
 *       Send N datagrams (one by default). Prints one word per send ("sent"
 *       or an errno name), then the reply if one was expected. --connect
 *       sends on a connected socket, which reports ICMP errors on later
 *       sends.
 *   nfprobe [-n NETNS] exec COMMAND [ARG...]
 *       Run COMMAND (in NETNS).
 *   nfprobe json [PATH]
 *       Read one JSON document on stdin. With PATH (".isolated",
 *       ".flags.nd", ".counters[2].hook", "." ...) print the value there
 *       like "jq -r PATH" (strings unquoted, objects and arrays as they
 *       are written, "null" when absent). Without PATH print one
 *       "PATH VALUE" line per string, number, boolean and null.
 *       jq needs a large part of a second to start in a TCG guest.
 *
 * NETNS is a name under /run/netns or a path. Exit status: 0 success,
 * 1 the network said no (refused, timed out, send failed, no reply or
 * echo), 2 usage error, 3 local setup error (bind, netns), so a test
 * expecting a failure can tell a blocked packet from a broken probe.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NO 1
#define EXIT_USAGE 2
#define EXIT_SETUP 3

struct opts {
	const char *dest;
	const char *src;
	const char *bind;
	int port;
	int sport;
	int count;
	double timeout;
	double interval;
	bool echo;
	bool expect_echo;
	bool expect_reply;
	bool connect;
};

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EADDRINUSE: return "EADDRINUSE";
	case EINVAL: return "EINVAL";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOBUFS: return "ENOBUFS";
	case EPIPE: return "EPIPE";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void usage(void)
{
	fputs("usage: nfprobe [-n NETNS] serve tcp|udp PORT [--echo] [--bind ADDR]\n"
	      "       nfprobe [-n NETNS] tcp DEST PORT [--src A] [--sport P] [--timeout S] [--expect-echo]\n"
	      "       nfprobe [-n NETNS] udp DEST PORT [--src A] [--sport P] [--count N] [--interval S]\n"
	      "                              [--connect] [--expect-reply] [--timeout S]\n"
	      "       nfprobe [-n NETNS] exec COMMAND [ARG...]\n"
	      "       nfprobe json [PATH]\n", stderr);
	exit(EXIT_USAGE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "nfprobe: bad number '%s' (%ld..%ld)\n", s, lo, hi);
		exit(EXIT_USAGE);
	}
	return v;
}

static double secs(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 3600) {
		fprintf(stderr, "nfprobe: bad duration '%s' (seconds)\n", s);
		exit(EXIT_USAGE);
	}
	return v;
}

/* addr: parse ADDR (IPv4 or IPv6) and PORT into ss; false if not an address. */
static bool addr(const char *a, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return true;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return true;
	}
	return false;
}

/* ntop: "ADDR PORT" of ss, IPv4-mapped IPv6 shown as IPv4. */
static const char *ntop(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN + 8];
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s4 = (const void *)ss;
	const struct sockaddr_in6 *s6 = (const void *)ss;
	int port;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
		port = ntohs(s6->sin6_port);
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, sizeof(buf), "%s %d", a, port);
	return buf;
}

static void enter_netns(const char *ns)
{
	char path[512];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "nfprobe: netns %s: %s\n", path, strerror(errno));
		exit(EXIT_SETUP);
	}
	close(fd);
}

/* client_socket: a socket for o->dest, bound to --src/--sport if given. */
static int client_socket(const struct opts *o, int type, struct sockaddr_storage *dst,
			 socklen_t *dlen)
{
	struct sockaddr_storage src;
	socklen_t slen;
	int s, one = 1;

	if (!addr(o->dest, o->port, dst, dlen)) {
		fprintf(stderr, "nfprobe: '%s' is not an IPv4 or IPv6 address\n", o->dest);
		exit(EXIT_USAGE);
	}
	s = socket(dst->ss_family, type | SOCK_CLOEXEC, 0);
	if (s < 0) {
		say("socket: %s", strerror(errno));
		exit(EXIT_SETUP);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o->src || o->sport) {
		const char *a = o->src ? o->src : dst->ss_family == AF_INET6 ? "::" : "0.0.0.0";

		if (!addr(a, o->sport, &src, &slen) || src.ss_family != dst->ss_family) {
			fprintf(stderr, "nfprobe: bad source address '%s'\n", a);
			exit(EXIT_USAGE);
		}
		if (bind(s, (struct sockaddr *)&src, slen) < 0) {
			/* A local setup error, not a network verdict. */
			say("bind %s %d: %s", a, o->sport, strerror(errno));
			exit(EXIT_SETUP);
		}
	}
	return s;
}

/* wait_fd: poll fd for events until deadline; false on timeout. */
static bool wait_fd(int fd, short events, double deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	double left;
	int r;

	for (;;) {
		left = deadline - now();
		if (left <= 0)
			return false;
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static int cmd_tcp(const struct opts *o)
{
	static const char hello[] = "hello from probe\n";
	struct sockaddr_storage dst, me;
	socklen_t dlen, mlen = sizeof(me);
	double t0 = now(), deadline = t0 + o->timeout;
	int s, err = 0;
	socklen_t elen = sizeof(err);
	char buf[128];
	ssize_t n;

	s = client_socket(o, SOCK_STREAM, &dst, &dlen);
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (connect(s, (struct sockaddr *)&dst, dlen) < 0) {
		if (errno != EINPROGRESS) {
			say("tcp %s %d: %s %.3f", o->dest, o->port, errname(errno), now() - t0);
			return EXIT_NO;
		}
		if (!wait_fd(s, POLLOUT, deadline)) {
			say("tcp %s %d: timeout %.3f", o->dest, o->port, now() - t0);
			return EXIT_NO;
		}
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err) {
			say("tcp %s %d: %s %.3f", o->dest, o->port, errname(err), now() - t0);
			return EXIT_NO;
		}
	}
	getsockname(s, (struct sockaddr *)&me, &mlen);
	if (send(s, hello, sizeof(hello) - 1, MSG_NOSIGNAL) < 0) {
		say("tcp %s %d: send: %s", o->dest, o->port, errname(errno));
		return EXIT_NO;
	}
	if (o->expect_echo) {
		if (!wait_fd(s, POLLIN, deadline + 5)) {
			say("connected, no echo");
			return EXIT_NO;
		}
		n = recv(s, buf, sizeof(buf), 0);
		if (n <= 0) {
			say("connected, no echo");
			return EXIT_NO;
		}
	}
	say("connected %s -> %s %d %.3f", ntop(&me), o->dest, o->port, now() - t0);
	close(s);
	return 0;
}

static int cmd_udp(const struct opts *o)
{
	struct sockaddr_storage dst, peer;
	socklen_t dlen, plen = sizeof(peer);
	char msg[32], buf[2048], line[1024] = "";
	size_t used = 0;
	int s, i, rc = 0;
	ssize_t n;

	s = client_socket(o, SOCK_DGRAM, &dst, &dlen);
	if (o->connect && connect(s, (struct sockaddr *)&dst, dlen) < 0) {
		say("udp %s %d: connect: %s", o->dest, o->port, errname(errno));
		return EXIT_NO;
	}
	for (i = 0; i < o->count; i++) {
		int len = snprintf(msg, sizeof(msg), "probe %d\n", i);
		const char *w = "sent";

		if (i && o->interval > 0)
			usleep((useconds_t)(o->interval * 1e6));
		if (sendto(s, msg, len, 0, o->connect ? NULL : (struct sockaddr *)&dst,
			   o->connect ? 0 : dlen) < 0) {
			w = errname(errno);
			rc = EXIT_NO;
		}
		if (used < sizeof(line) - 20)
			used += snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "", w);
	}
	say("%s", line);
	if (rc || !o->expect_reply)
		return rc;
	if (!wait_fd(s, POLLIN, now() + o->timeout)) {
		say("no reply from %s %d: timeout", o->dest, o->port);
		return EXIT_NO;
	}
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
	if (n < 0) {
		say("no reply from %s %d: %s", o->dest, o->port, errname(errno));
		return EXIT_NO;
	}
	say("reply from %s", ntop(&peer));
	return 0;
}

struct json {
	const char *p;		/* next character */
	const char *want;	/* PATH, or NULL to flatten */
	bool found;
	char path[512];
};

static void json_fail(const char *what)
{
	fprintf(stderr, "nfprobe json: %s\n", what);
	exit(EXIT_SETUP);
}

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

/* json_string: parse the string at j->p into out (unescaped, UTF-8). */
static void json_string(struct json *j, char *out, size_t size)
{
	size_t n = 0;
	unsigned int u;

	if (*j->p++ != '"')
		json_fail("string expected");
	while (*j->p != '"') {
		char c = *j->p++;

		if (!c)
			json_fail("unterminated string");
		if (c == '\\') {
			c = *j->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (sscanf(j->p, "%4x", &u) != 1)
					json_fail("bad \\u escape");
				j->p += 4;
				if (u >= 0x80) {
					/* Not produced by netfence: keep it visible. */
					c = '?';
					break;
				}
				c = (char)u;
				break;
			case '"': case '\\': case '/': break;
			default: json_fail("bad escape");
			}
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	j->p++;
	out[n] = 0;
}

static void json_value(struct json *j);

/* json_child: parse the value of member/element SUFFIX of the current path. */
static void json_child(struct json *j, const char *suffix)
{
	size_t len = strlen(j->path);

	if (len + strlen(suffix) + 2 > sizeof(j->path))
		json_fail("path too long");
	if (!len && suffix[0] == '[')
		strcat(j->path, ".");	/* jq's ".[0]" */
	strcat(j->path, suffix);
	json_value(j);
	j->path[len] = 0;
}

static void json_value(struct json *j)
{
	const char *start;
	char buf[4096], key[256];
	bool here;
	int i = 0;

	json_ws(j);
	start = j->p;
	here = j->want && !strcmp(j->path[0] ? j->path : ".", j->want);
	if (*j->p == '{' || *j->p == '[') {
		char close = *j->p == '{' ? '}' : ']';

		j->p++;
		json_ws(j);
		while (*j->p != close) {
			if (close == '}') {
				json_ws(j);
				json_string(j, key, sizeof(key));
				json_ws(j);
				if (*j->p++ != ':')
					json_fail("':' expected");
				snprintf(buf, sizeof(buf), ".%s", key);
			} else {
				snprintf(buf, sizeof(buf), "[%d]", i++);
			}
			json_child(j, buf);
			json_ws(j);
			if (*j->p == ',')
				j->p++;
			else if (*j->p != close)
				json_fail("',' expected");
			json_ws(j);
		}
		j->p++;
		if (here) {
			printf("%.*s\n", (int)(j->p - start), start);
			j->found = true;
		}
		return;
	}
	if (*j->p == '"') {
		json_string(j, buf, sizeof(buf));
	} else {
		while (*j->p && !strchr(",]} \t\r\n", *j->p))
			j->p++;
		if (j->p == start)
			json_fail("value expected");
		snprintf(buf, sizeof(buf), "%.*s", (int)(j->p - start), start);
	}
	if (here) {
		printf("%s\n", buf);
		j->found = true;
	} else if (!j->want) {
		printf("%s %s\n", j->path[0] ? j->path : ".", buf);
	}
}

static int cmd_json(const char *want)
{
	struct json j = { .want = want };
	size_t size = 1 << 16, n = 0;
	char *doc = malloc(size);
	ssize_t r;

	while (doc && (r = read(0, doc + n, size - n - 1)) > 0) {
		n += r;
		if (n + 1 == size)
			doc = realloc(doc, size *= 2);
	}
	if (!doc)
		json_fail("out of memory");
	doc[n] = 0;
	j.p = doc;
	json_ws(&j);
	if (!*j.p)
		json_fail("no document on stdin");
	json_value(&j);
	json_ws(&j);
	if (*j.p)
		json_fail("trailing text after the document");
	if (want && !j.found)
		puts("null");
	free(doc);
	return 0;
}

/* listen_socket: dual-stack (or --bind) socket for serve. */
static int listen_socket(const struct opts *o, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s, one = 1, zero = 0;

	if (!addr(o->bind ? o->bind : "::", o->port, &ss, &len)) {
		fprintf(stderr, "nfprobe: bad --bind address '%s'\n", o->bind);
		exit(EXIT_USAGE);
	}
	s = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (s < 0 && !o->bind && errno == EAFNOSUPPORT) {
		addr("0.0.0.0", o->port, &ss, &len);
		s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	}
	if (s < 0) {
		say("socket: %s", strerror(errno));
		exit(EXIT_SETUP);
	}
	if (ss.ss_family == AF_INET6 && !o->bind)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(s, 128) < 0)) {
		say("bind %s %d: %s", o->bind ? o->bind : "::", o->port, strerror(errno));
		exit(EXIT_SETUP);
	}
	return s;
}

static void serve_udp(const struct opts *o, int s)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	char buf[65536], text[41];
	ssize_t n;
	size_t i, k;

	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			say("recv: %s", strerror(errno));
			exit(EXIT_SETUP);
		}
		for (i = 0, k = 0; i < (size_t)n && k < 40; i++)
			if (buf[i] >= 0x20 && buf[i] < 0x7f)
				text[k++] = buf[i];
		while (k && text[k - 1] == ' ')
			k--;
		text[k] = 0;
		say("got udp from %s len %zd %s", ntop(&peer), n, text);
		if (o->echo && sendto(s, buf, n, 0, (struct sockaddr *)&peer, plen) < 0)
			say("echo failed: %s", strerror(errno));
	}
}

#define MAX_CONN 64

/*
 * serve_tcp: one poll loop for the listener and up to MAX_CONN connections,
 * each closed when its peer closes or after 5 s of silence.
 */
static void serve_tcp(const struct opts *o, int ls)
{
	struct pollfd p[MAX_CONN + 1];
	double idle[MAX_CONN + 1];
	struct sockaddr_storage peer;
	socklen_t plen;
	char buf[4096];
	int n = 1, i, c;
	ssize_t r;

	p[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
	for (;;) {
		if (poll(p, n, 1000) < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			exit(EXIT_SETUP);
		}
		for (i = n - 1; i >= 1; i--) {
			bool done = false;

			if (p[i].revents) {
				r = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (r > 0) {
					idle[i] = now() + 5;
					if (o->echo && send(p[i].fd, buf, r, MSG_NOSIGNAL) < 0)
						done = true;
				} else if (r == 0 || errno != EAGAIN) {
					done = true;
				}
			}
			if (done || now() > idle[i]) {
				close(p[i].fd);
				p[i] = p[--n];
				idle[i] = idle[n];
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		plen = sizeof(peer);
		c = accept4(ls, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		say("got tcp from %s", ntop(&peer));
		if (n > MAX_CONN) {
			close(c);
			continue;
		}
		p[n] = (struct pollfd){ .fd = c, .events = POLLIN };
		idle[n++] = now() + 5;
	}
}

static int cmd_serve(const struct opts *o, const char *proto)
{
	int tcp = !strcmp(proto, "tcp"), s;

	if (!tcp && strcmp(proto, "udp"))
		usage();
	s = listen_socket(o, tcp ? SOCK_STREAM : SOCK_DGRAM);
	say("listening %s %d", proto, o->port);
	if (tcp)
		serve_tcp(o, s);
	else
		serve_udp(o, s);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .timeout = 1.5 };
	const char *cmd, *pos[3];
	int npos = 0, want, i;

	signal(SIGPIPE, SIG_IGN);
	i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-n")) {
		enter_netns(argv[i + 1]);
		i += 2;
	}
	if (i >= argc)
		usage();
	cmd = argv[i++];
	if (!strcmp(cmd, "exec")) {
		if (i >= argc)
			usage();
		execvp(argv[i], argv + i);
		fprintf(stderr, "nfprobe: %s: %s\n", argv[i], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (!strcmp(cmd, "json")) {
		if (argc - i > 1)
			usage();
		return cmd_json(i < argc ? argv[i] : NULL);
	}
	if (!strcmp(cmd, "udp"))
		o.timeout = 2.0;
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--echo")) {
			o.echo = true;
		} else if (!strcmp(a, "--expect-echo")) {
			o.expect_echo = true;
		} else if (!strcmp(a, "--expect-reply")) {
			o.expect_reply = true;
		} else if (!strcmp(a, "--connect")) {
			o.connect = true;
		} else if (!strncmp(a, "--", 2)) {
			if (!v)
				usage();
			if (!strcmp(a, "--src"))
				o.src = v;
			else if (!strcmp(a, "--bind"))
				o.bind = v;
			else if (!strcmp(a, "--sport"))
				o.sport = num(v, 1, 65535);
			else if (!strcmp(a, "--count"))
				o.count = num(v, 1, 100000);
			else if (!strcmp(a, "--timeout"))
				o.timeout = secs(v);
			else if (!strcmp(a, "--interval"))
				o.interval = secs(v);
			else
				usage();
			i++;
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			usage();
		}
	}
	want = !strcmp(cmd, "serve") || !strcmp(cmd, "tcp") || !strcmp(cmd, "udp") ? 2 : -1;
	if (npos != want)
		usage();
	if (!strcmp(cmd, "serve")) {
		o.port = num(pos[1], 0, 65535);
		return cmd_serve(&o, pos[0]);
	}
	o.dest = pos[0];
	o.port = num(pos[1], 1, 65535);
	return !strcmp(cmd, "tcp") ? cmd_tcp(&o) : cmd_udp(&o);
}

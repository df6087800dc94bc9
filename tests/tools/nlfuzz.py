#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random and malformed generic-netlink traffic for the netfence family.

Acts on the network namespace it runs in (and on namespaces its workers
create and abandon). Everything it sends comes from a PRNG seeded with
--seed, so a run that upsets the kernel can be replayed (modulo timing).

  nlfuzz.py [--seed N] [--seconds S] [--workers W] [--label NAME]

Each worker picks, again and again, one of:
  random     a random command (known or not) with random attributes, types,
             lengths, flags (NLM_F_DUMP too), version and reserved bytes
  garbage    raw bytes in a netlink header whose lengths may lie, nests of
             nests of garbage inside NETFENCE_A_RULES
  txn        a valid-looking transaction: BEGIN (random flags), ADD and DEL
             of random rules (some invalid, uid and cgroup ones too), then
             COMMIT (maybe isolating, with a deadline or a key), ABORT, or the
             socket closed in the middle
  control    ISOLATE, RELEASE, RENEW, COUNTERS_RESET, STATUS, a rules dump
             (sometimes abandoned half read), with random keys and deadlines
  netns      a child process in a new network namespace isolates it with
             random rules and exits: the namespace dies isolated
Exit status 0 when the workers ran to the end and netfence still answers
STATUS_GET; the kernel's verdict (warnings, KASAN) is the harness's to read.
"""

import ctypes
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nlclient as nl  # noqa: E402

CMD_RENEW = 14
A_TIMEOUT, A_KEY, A_EVENT_RATE = 18, 20, 22
R_UID_MIN, R_UID_MAX, R_CGROUP = 11, 12, 13
NLA_F_NET_BYTEORDER = 0x4000
CLONE_NEWNET = 0x40000000
# A few keys, so a namespace a worker locked can sometimes be released.
KEYS = [b"k1", b"key-two", b"\0" * 7]


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def rand_attr(rng, depth=0):
    t = rng.choice([rng.randrange(0, 32), rng.randrange(0, 1 << 14)])
    if rng.random() < 0.2:
        t |= nl.NLA_F_NESTED
    if rng.random() < 0.05:
        t |= NLA_F_NET_BYTEORDER
    if depth < 4 and rng.random() < 0.2:
        body = b"".join(rand_attr(rng, depth + 1) for _ in range(rng.randrange(0, 4)))
        return nl.nla(t | nl.NLA_F_NESTED, body)
    n = rng.choice([0, 1, 2, 3, 4, 5, 8, 16, 17, rng.randrange(0, 300)])
    return nl.nla(t, rand_bytes(rng, n))


def rand_rule(rng):
    """A rule, usually valid, sometimes with one field off."""
    fam = rng.choice([nl.AF_INET, nl.AF_INET, nl.AF_INET6, nl.AF_UNSPEC, rng.randrange(256)])
    attrs = [nl.u8(nl.R_FAMILY, fam)]
    if fam == nl.AF_INET:
        plen = rng.randrange(0, 33)
        addr = rng.getrandbits(32) & (((1 << plen) - 1) << (32 - plen)) if plen else 0
        attrs += [nl.nla(nl.R_ADDR, struct.pack("!I", addr)), nl.u8(nl.R_PREFIXLEN, plen)]
    elif fam == nl.AF_INET6:
        plen = rng.randrange(0, 129)
        addr = rng.getrandbits(128) & (((1 << plen) - 1) << (128 - plen)) if plen else 0
        attrs += [nl.nla(nl.R_ADDR, addr.to_bytes(16, "big")), nl.u8(nl.R_PREFIXLEN, plen)]
    proto = rng.choice([0, 6, 17, 1, 58, rng.randrange(256)])
    if rng.random() < 0.7:
        attrs.append(nl.u8(nl.R_PROTO, proto))
    if rng.random() < 0.5:
        lo = rng.randrange(65536)
        attrs.append(nl.u16(nl.R_PORT_MIN, lo))
        if rng.random() < 0.7:
            attrs.append(nl.u16(nl.R_PORT_MAX, min(65535, lo + rng.randrange(0, 100))))
    if rng.random() < 0.5:
        attrs.append(nl.u8(nl.R_DIR, rng.choice([1, 2, 3, rng.randrange(256)])))
    if rng.random() < 0.1:
        lo = rng.randrange(70000)
        attrs.append(nl.u32(R_UID_MIN, lo))
        if rng.random() < 0.5:
            attrs.append(nl.u32(R_UID_MAX, lo + rng.randrange(0, 10)))
    if rng.random() < 0.05:
        path = rng.choice(["/", "/nope", "", "/" + "a" * rng.randrange(0, 300), "../.."])
        attrs.append(nl.nla(R_CGROUP, path.encode() + b"\0"))
    if rng.random() < 0.05:
        attrs.append(rand_attr(rng))
    rng.shuffle(attrs)
    return nl.nest(nl.A_RULE, *attrs)


def valid_rule(rng):
    """A rule the kernel accepts."""
    text = rng.choice(["10.%d.%d.0/24" % (rng.randrange(256), rng.randrange(256)),
                       "fd00:%x::/64" % rng.randrange(65536), "any"])
    if rng.random() < 0.7:
        text += " proto %s port %d" % (rng.choice(["tcp", "udp"]), rng.randrange(1, 65536))
    return nl.rule_attr(text + " dir " + rng.choice(["out", "in", "both"]))


class Worker:
    def __init__(self, rng, label):
        self.rng = rng
        self.label = label
        self.g = None
        self.counts = {}
        self.errnos = {}
        self.pyerrs = 0

    def sock(self):
        if self.g is None:
            self.g = nl.Genl()
            self.g.s.settimeout(10)
        return self.g

    def drop(self):
        if self.g is not None:
            self.g.s.close()
            self.g = None

    def req(self, cmd, payload=b"", **kw):
        g = self.sock()
        try:
            r = g.request(cmd, payload, **kw)
        except (socket.timeout, OSError):
            # ENOBUFS on a flooded socket, or a reply that never came.
            self.drop()
            return None
        self.errnos[r.error] = self.errnos.get(r.error, 0) + 1
        return r

    def opt(self, p, attr):
        return attr if self.rng.random() < p else b""

    def guard(self):
        rng = self.rng
        a = b""
        if rng.random() < 0.3:
            a += nl.u32(A_TIMEOUT, rng.choice([0, 1, 2, 5, 3600, rng.getrandbits(32)]))
        if rng.random() < 0.2:
            a += nl.nla(A_KEY, rng.choice(KEYS + [rand_bytes(rng, rng.randrange(0, 40))]))
        return a

    # ---- actions

    def act_random(self):
        rng = self.rng
        cmd = rng.choice([rng.randrange(0, 20), rng.randrange(256)])
        payload = b""
        if rng.random() < 0.8:
            payload += nl.proto_attr(rng.choice([1, 1, 1, 0, 2, rng.getrandbits(32)]))
        payload += b"".join(rand_attr(rng) for _ in range(rng.randrange(0, 5)))
        flags = nl.NLM_F_REQUEST | nl.NLM_F_ACK
        if rng.random() < 0.2:
            flags |= nl.NLM_F_DUMP
        self.req(cmd, payload, flags=flags, version=rng.choice([1, 1, 0, 2, 255]),
                 reserved=rng.choice([0, 0, 0, rng.randrange(65536)]))

    def act_garbage(self):
        rng = self.rng
        g = self.sock()
        if rng.random() < 0.5:
            body = bytes([rng.randrange(256), rng.randrange(256)]) + rand_bytes(rng, 2)
            body += rand_bytes(rng, rng.randrange(0, 200))
            ln = rng.choice([16 + len(body), rng.randrange(0, 400), 16])
            hdr = struct.pack("=IHHII", ln & 0xffffffff, g.fam,
                              rng.getrandbits(16) | nl.NLM_F_REQUEST, 1, 0)
            try:
                g.s.send(hdr + body)
            except OSError:
                self.drop()
                return
        else:
            def deep(d):
                if d == 0 or rng.random() < 0.3:
                    return rand_attr(rng)
                return nl.nla(rng.choice([nl.A_RULE, nl.A_RULES, rng.randrange(32)])
                              | nl.NLA_F_NESTED,
                              b"".join(deep(d - 1) for _ in range(rng.randrange(1, 3))))
            self.req(rng.choice([nl.CMD_TXN_ADD, nl.CMD_TXN_DEL]),
                     nl.proto_attr() + nl.nest(nl.A_RULES, deep(6)))
        # Whatever came of it, the socket still gets answers.
        self.req(nl.CMD_STATUS_GET, nl.proto_attr())

    def act_txn(self):
        rng = self.rng
        P = nl.proto_attr()
        begin = P + self.opt(0.4, nl.u32(nl.A_TXN_FLAGS, rng.choice([0, 1, 1, 2])))
        begin += self.opt(0.3, nl.u32(nl.A_POLICY_FLAGS, rng.choice([0, 0xf, 0x7f, 0x80])))
        begin += self.opt(0.2, nl.u32(A_EVENT_RATE, rng.choice([0, 10, 100000, 100001])))
        self.req(nl.CMD_TXN_BEGIN, begin)
        added = []
        for _ in range(rng.randrange(0, 6)):
            n = rng.choice([1, 2, 5, 20, 200])
            if rng.random() < 0.03:
                n = 2000
            rules = [rand_rule(rng) for _ in range(n)]
            # An attribute holds at most 64 KiB: 400 rules fit in one.
            for i in range(0, n, 400):
                self.req(nl.CMD_TXN_ADD, P + nl.nest(nl.A_RULES, *rules[i:i + 400]))
            added += rules
            if added and rng.random() < 0.3:
                self.req(nl.CMD_TXN_DEL,
                         P + nl.nest(nl.A_RULES, *rng.sample(added, min(len(added), 3))))
        end = rng.random()
        if end < 0.15:
            self.drop()		# the socket closes with the transaction open
        elif end < 0.3:
            self.req(nl.CMD_TXN_ABORT, P)
        else:
            flags = rng.choice([0, 0, nl.COMMIT_F_ISOLATE, 2])
            self.req(nl.CMD_TXN_COMMIT, P + self.opt(0.7, nl.u32(nl.A_COMMIT_FLAGS, flags))
                     + self.guard())
            self.req(nl.CMD_TXN_ABORT, P)

    def act_control(self):
        rng = self.rng
        P = nl.proto_attr()
        c = rng.randrange(7)
        if c == 0:
            self.req(nl.CMD_ISOLATE, P + self.guard())
        elif c == 1:
            self.req(nl.CMD_RELEASE, P + self.opt(0.7, nl.nla(A_KEY, rng.choice(KEYS))))
        elif c == 2:
            self.req(CMD_RENEW, P + self.guard())
        elif c == 3:
            self.req(nl.CMD_COUNTERS_RESET, P)
        elif c == 4:
            self.req(nl.CMD_STATUS_GET, P)
        elif c == 5:
            self.req(nl.CMD_RULES_GET, P, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_DUMP)
        else:
            # A dump left half read: the socket closes with it pending.
            g = self.sock()
            try:
                g.send(nl.CMD_RULES_GET, P, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_DUMP)
                if rng.random() < 0.5:
                    g.s.recv(4096)
            except (socket.timeout, OSError):
                pass
            self.drop()

    def act_netns(self):
        rng = self.rng
        seed = rng.getrandbits(32)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(CLONE_NEWNET) != 0:
                    os._exit(0)	# not allowed here: nothing to test
                crng = random.Random(seed)
                g = nl.Genl()
                g.s.settimeout(10)
                rules = [valid_rule(crng) for _ in range(crng.randrange(1, 50))]
                r = g.commit_rules(rules, commit_flags=nl.COMMIT_F_ISOLATE)
                if crng.random() < 0.5:
                    # Leave a transaction open too.
                    g.request(nl.CMD_TXN_BEGIN, nl.proto_attr())
                    g.request(nl.CMD_TXN_ADD, nl.proto_attr() + nl.nest(nl.A_RULES, *rules))
                if crng.random() < 0.3:
                    g.request(nl.CMD_ISOLATE, nl.proto_attr()
                              + nl.u32(A_TIMEOUT, 1) + nl.nla(A_KEY, b"child"))
                del r
            except Exception:
                code = 0
            os._exit(code)
        os.waitpid(pid, 0)

    def run(self, until):
        acts = [(self.act_random, 3), (self.act_garbage, 2), (self.act_txn, 4),
                (self.act_control, 3), (self.act_netns, 1)]
        names = [a.__name__[4:] for a, _ in acts]
        weights = [w for _, w in acts]
        while time.time() < until:
            i = self.rng.choices(range(len(acts)), weights)[0]
            try:
                acts[i][0]()
            except (struct.error, ValueError, IndexError, OSError) as e:
                # The fuzzer's own parsing of odd replies: note, go on.
                self.pyerrs += 1
                if self.pyerrs <= 3:
                    print("%s: %s: %r" % (self.label, names[i], e), flush=True)
                self.drop()
            self.counts[names[i]] = self.counts.get(names[i], 0) + 1
        self.drop()


def main():
    args = sys.argv[1:]
    seed, seconds, workers, label = None, 60.0, 2, "fuzz"
    while args:
        a = args.pop(0)
        if a == "--seed":
            seed = int(args.pop(0))
        elif a == "--seconds":
            seconds = float(args.pop(0))
        elif a == "--workers":
            workers = int(args.pop(0))
        elif a == "--label":
            label = args.pop(0)
        else:
            print(__doc__)
            return 2
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    print("%s: seed %d, %d workers, %.0f s" % (label, seed, workers, seconds), flush=True)
    until = time.time() + seconds
    pids = []
    for i in range(workers):
        pid = os.fork()
        if pid == 0:
            w = Worker(random.Random("%d-%d" % (seed, i)), label)
            code = 0
            try:
                w.run(until)
            except Exception as e:  # a bug of the fuzzer, not of the kernel
                print("%s worker %d: %r" % (label, i, e), flush=True)
                code = 1
            print("%s worker %d: actions %s, errnos %s" % (
                label, i, sorted(w.counts.items()), sorted(w.errnos.items())), flush=True)
            os._exit(code)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        bad += st != 0
    # The family still answers, with sane values.
    g = nl.Genl()
    for key in KEYS:
        g.request(nl.CMD_RELEASE, nl.proto_attr() + nl.nla(A_KEY, key))
    st = g.status()
    ok = st.get("isolated") in (0, 1) and "generation" in st
    print("%s: status after the run %s: %s" % (label, st, "ok" if ok else "BAD"), flush=True)
    return 1 if bad or not ok else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic-netlink client for netfence (no libnl): sends well-formed and
deliberately malformed requests and reports the kernel's errno and extack.

Acts on the network namespace it runs in (use "ip netns exec NS").

  nlclient.py status             decoded NETFENCE_CMD_STATUS_GET as JSON
  nlclient.py rules              NETFENCE_CMD_RULES_GET dump as JSON
  nlclient.py malformed          every malformed request; exit 0 when each one
                                 got a negative errno and an extack message and
                                 the policy (generation, rules) is unchanged
  nlclient.py all-or-none        BEGIN, ADD [good], ADD [good, bad] (refused),
                                 DEL [good, absent] (refused),
                                 COMMIT: the policy must hold only the first rule
  nlclient.py flip N FILE_A FILE_B
                                 N commits on one socket, alternating between
                                 the rules of two files (one rule per line)
  nlclient.py hold RULE...|-f FILE
                                 BEGIN, ADD the rules, print "ready", sleep
  nlclient.py begin              BEGIN then ABORT (a transaction can open)
  nlclient.py key isolate|release|renew LEN
                                 the command with a NETFENCE_A_KEY of LEN bytes
                                 ("k" repeated); prints errno, extack and the
                                 offending attribute's type as JSON
  nlclient.py txn-limit N        N sockets each BEGIN a transaction (kept open
                                 until the end): one "begin I: errno=..." line each

Rules use the CLI's syntax subset: ADDR[/LEN]|any|any4|any6 [proto P]
[port A[-B]] [dir out|in|both].
"""

import json
import os
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLA_F_NESTED = 0x8000

# include/uapi/linux/netfence.h
PROTO_VERSION = 1
(CMD_UNSPEC, CMD_STATUS_GET, CMD_TXN_BEGIN, CMD_TXN_ADD, CMD_TXN_DEL, CMD_TXN_COMMIT,
 CMD_TXN_ABORT, CMD_ISOLATE, CMD_RELEASE, CMD_RULES_GET, CMD_COUNTERS_RESET,
 CMD_EVT_ISOLATED, CMD_EVT_RELEASED, CMD_EVT_COMMITTED, CMD_RENEW) = range(15)
(A_UNSPEC, A_PROTO, A_ISOLATED, A_POLICY_FLAGS, A_POLICY_GEN, A_RULE_COUNT, A_FEATURES,
 A_ISOLATED_NETNS, A_HOOKS_REGISTERED, A_STATS, A_TXN_FLAGS, A_COMMIT_FLAGS,
 A_ISOLATE_FLAGS, A_RULES, A_RULE, A_REASON, A_POLICY_MEM, A_PAD, A_TIMEOUT,
 A_TIMEOUT_LEFT, A_KEY) = range(21)
A_COMMENT = 28
(R_UNSPEC, R_FAMILY, R_ADDR, R_PREFIXLEN, R_PROTO, R_PORT_MIN, R_PORT_MAX, R_DIR,
 R_INDEX, R_HITS, R_PAD) = range(11)
DIR_OUT, DIR_IN, DIR_BOTH = 1, 2, 3
TXN_F_APPEND = 1
TXN_F_DEL_ABSENT = 2
COMMIT_F_ISOLATE = 1
AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 10
IPPROTO = {"any": 0, "icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58}
DIRS = {"out": DIR_OUT, "in": DIR_IN, "both": DIR_BOTH}


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def u8(t, v):
    return nla(t, struct.pack("=B", v))


def u16(t, v):
    return nla(t, struct.pack("=H", v))


def u32(t, v):
    return nla(t, struct.pack("=I", v))


def nest(t, *attrs, flag=NLA_F_NESTED):
    return nla(t | flag, b"".join(attrs))


def proto_attr(v=PROTO_VERSION):
    return u32(A_PROTO, v)


def parse_attrs(data):
    attrs, p = [], 0
    while p + 4 <= len(data):
        ln, t = struct.unpack("=HH", data[p:p + 4])
        if ln < 4:
            break
        attrs.append((t & 0x3fff, data[p + 4:p + ln]))
        p += (ln + 3) & ~3
    return attrs


def rule_attr(text):
    """CLI rule syntax subset -> NETFENCE_A_RULE nest."""
    w = text.split()
    target, fam, addr, plen = w[0], AF_UNSPEC, None, 0
    if target == "any4":
        fam = AF_INET
    elif target == "any6":
        fam = AF_INET6
    elif target != "any":
        a, _, ln = target.partition("/")
        fam = AF_INET6 if ":" in a else AF_INET
        addr = socket.inet_pton(fam, a)
        plen = int(ln) if ln else len(addr) * 8
    attrs = [u8(R_FAMILY, fam)]
    if addr is not None:
        attrs += [nla(R_ADDR, addr), u8(R_PREFIXLEN, plen)]
    elif fam != AF_UNSPEC:
        attrs.append(u8(R_PREFIXLEN, 0))
    i = 1
    while i < len(w):
        k, v = w[i], w[i + 1]
        if k == "proto":
            attrs.append(u8(R_PROTO, IPPROTO[v]))
        elif k == "port":
            lo, _, hi = v.partition("-")
            attrs += [u16(R_PORT_MIN, int(lo)), u16(R_PORT_MAX, int(hi or lo))]
        elif k == "dir":
            attrs.append(u8(R_DIR, DIRS[v]))
        else:
            raise ValueError("bad rule word %r in %r" % (k, text))
        i += 2
    return nest(A_RULE, *attrs)


class Reply:
    def __init__(self):
        self.error = 0
        self.extack = None
        self.offset = None
        self.msgs = []
        self.intr = False

    def __repr__(self):
        return "errno=%d (%s) extack=%r" % (
            self.error, os.strerror(-self.error) if self.error else "ok", self.extack)


class Genl:
    def __init__(self, family="netfence"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.s.bind((0, 0))
        self.seq = int(time.time()) & 0xffff
        self.fam = GENL_ID_CTRL
        r = self.request(CTRL_CMD_GETFAMILY, nla(CTRL_ATTR_FAMILY_NAME, family.encode() + b"\0"))
        if r.error:
            sys.exit("family %s not found: %r" % (family, r))
        for t, v in parse_attrs(r.msgs[0][4:]):
            if t == CTRL_ATTR_FAMILY_ID:
                self.fam = struct.unpack("=H", v[:2])[0]

    def send(self, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK, version=1,
             reserved=0, msgtype=None):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, reserved) + payload
        hdr = struct.pack("=IHHII", 16 + len(body), self.fam if msgtype is None else msgtype,
                          flags, self.seq, 0)
        self.s.send(hdr + body)
        return self.seq

    def recv(self, seq):
        r = Reply()
        while True:
            data = self.s.recv(1 << 22)
            p = 0
            while p + 16 <= len(data):
                ln, typ, flags, mseq, _ = struct.unpack("=IHHII", data[p:p + 16])
                msg = data[p + 16:p + ln]
                p += (ln + 3) & ~3
                if mseq != seq:
                    continue
                if flags & NLM_F_DUMP_INTR:
                    r.intr = True
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    r.error = struct.unpack("=i", msg[:4])[0]
                    tlv = msg[4:]
                    if typ == NLMSG_ERROR:
                        olen = struct.unpack("=I", msg[4:8])[0] if len(msg) >= 8 else 16
                        tlv = msg[4 + (16 if flags & NLM_F_CAPPED else olen):]
                    if flags & NLM_F_ACK_TLVS:
                        for t, v in parse_attrs(tlv):
                            if t == NLMSGERR_ATTR_MSG:
                                r.extack = v.rstrip(b"\0").decode(errors="replace")
                            elif t == NLMSGERR_ATTR_OFFS:
                                r.offset = struct.unpack("=I", v[:4])[0]
                    return r
                r.msgs.append(msg)

    def request(self, cmd, payload=b"", **kw):
        return self.recv(self.send(cmd, payload, **kw))

    def dump(self, cmd, payload=b""):
        return self.request(cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)

    # ---- decoded commands

    def status(self):
        r = self.request(CMD_STATUS_GET, proto_attr())
        if r.error:
            raise OSError(-r.error, "status: %r" % r)
        st = {}
        for t, v in parse_attrs(r.msgs[0][4:]):
            if t in (A_ISOLATED,):
                st["isolated"] = v[0]
            elif t == A_POLICY_GEN:
                st["generation"] = struct.unpack("=I", v[:4])[0]
            elif t == A_RULE_COUNT:
                st["rules"] = struct.unpack("=I", v[:4])[0]
            elif t == A_POLICY_FLAGS:
                st["flags"] = struct.unpack("=I", v[:4])[0]
            elif t == A_HOOKS_REGISTERED:
                st["hooks"] = struct.unpack("=I", v[:4])[0]
        return st

    def rules(self):
        for _ in range(5):
            r = self.dump(CMD_RULES_GET, proto_attr())
            if r.error:
                raise OSError(-r.error, "rules: %r" % r)
            if not r.intr:
                break
        out = []
        for m in r.msgs:
            for t, v in parse_attrs(m[4:]):
                if t != A_RULE:
                    continue
                d = {}
                for rt, rv in parse_attrs(v):
                    if rt == R_ADDR:
                        d["addr"] = socket.inet_ntop(AF_INET if len(rv) == 4 else AF_INET6, rv)
                    elif rt in (R_FAMILY, R_PREFIXLEN, R_PROTO, R_DIR):
                        d[{R_FAMILY: "family", R_PREFIXLEN: "prefixlen", R_PROTO: "proto",
                           R_DIR: "dir"}[rt]] = rv[0]
                    elif rt in (R_PORT_MIN, R_PORT_MAX):
                        d["port_min" if rt == R_PORT_MIN else "port_max"] = \
                            struct.unpack("=H", rv[:2])[0]
                out.append(d)
        return out

    def commit_rules(self, rules, commit_flags=0, chunk=1000):
        r = self.request(CMD_TXN_BEGIN, proto_attr())
        if r.error:
            return r
        for i in range(0, len(rules), chunk):
            r = self.request(CMD_TXN_ADD, proto_attr() + nest(A_RULES, *rules[i:i + chunk]))
            if r.error:
                self.request(CMD_TXN_ABORT, proto_attr())
                return r
        payload = proto_attr()
        if commit_flags:
            payload += u32(A_COMMIT_FLAGS, commit_flags)
        return self.request(CMD_TXN_COMMIT, payload)


def read_rules(path):
    with open(path) as f:
        return [rule_attr(line.split("#")[0].strip()) for line in f
                if line.split("#")[0].strip() and not line.startswith(("option", "dns"))]


# ---------------------------------------------------------------- malformed

V4 = socket.inet_pton(AF_INET, "10.1.2.0")
V6 = socket.inet_pton(AF_INET6, "fd00:99::")


def bad_rule(*attrs):
    return proto_attr() + nest(A_RULES, nest(A_RULE, *attrs))


def cmd_malformed(g):
    before = (g.status(), g.rules())
    print("# before: generation %s, %d rules" % (before[0].get("generation"), len(before[1])))
    failures = 0
    P = proto_attr()

    def case(name, cmd, payload=b"", extack=True, cleanup=None, **kw):
        nonlocal failures
        r = g.request(cmd, payload, **kw)
        ok = r.error < 0 and (r.extack or not extack)
        print("%s - %s: %r" % ("ok" if ok else "FAIL", name, r), flush=True)
        if not ok:
            failures += 1
            if r.error == 0 and cleanup:
                g.request(cleanup, P)
        return r

    # Header and version checks.
    case("status without NETFENCE_A_PROTO", CMD_STATUS_GET)
    case("status with NETFENCE_A_PROTO 2 (wrong version)", CMD_STATUS_GET, proto_attr(2))
    case("status with NETFENCE_A_PROTO 0", CMD_STATUS_GET, proto_attr(0))
    case("NETFENCE_A_PROTO of 1 byte (short attribute)", CMD_STATUS_GET, u8(A_PROTO, 1))
    case("NETFENCE_A_PROTO of 2 bytes (wrong type u16)", CMD_STATUS_GET, u16(A_PROTO, 1))
    case("NETFENCE_A_PROTO of 8 bytes (oversize attribute)", CMD_STATUS_GET,
         nla(A_PROTO, struct.pack("=Q", 1)))
    case("unknown attribute type 200", CMD_STATUS_GET, P + u32(200, 1))
    case("release without NETFENCE_A_PROTO", CMD_RELEASE)
    case("isolate with NETFENCE_A_PROTO 2", CMD_ISOLATE, proto_attr(2))
    # Audit comments: one line of printable text, NUL-terminated, bounded.
    case("isolate with a comment holding a control character", CMD_ISOLATE,
         P + nla(A_COMMENT, b"case\x1b[2J\0"), cleanup=CMD_RELEASE)
    case("isolate with a comment holding a newline", CMD_ISOLATE,
         P + nla(A_COMMENT, b"two\nlines\0"), cleanup=CMD_RELEASE)
    case("release with a comment of 256 bytes (oversize)", CMD_RELEASE,
         P + nla(A_COMMENT, b"x" * 256 + b"\0"))
    case("isolate with a comment without its NUL", CMD_ISOLATE, P + nla(A_COMMENT, b"abc"),
         cleanup=CMD_RELEASE)
    # The generic netlink core of 6.1 refuses unknown commands without a
    # message: only the errno is checked there.
    case("unknown command 99", 99, P, extack=False)
    case("event command EVT_ISOLATED sent as a request", CMD_EVT_ISOLATED, P, extack=False)
    case("command 0 (UNSPEC)", CMD_UNSPEC, P, extack=False)
    # Transaction state.
    case("TXN_ADD without TXN_BEGIN", CMD_TXN_ADD, P + nest(A_RULES, rule_attr("10.1.2.3")))
    case("TXN_DEL without TXN_BEGIN", CMD_TXN_DEL, P + nest(A_RULES, rule_attr("10.1.2.3")))
    case("TXN_COMMIT without TXN_BEGIN", CMD_TXN_COMMIT, P)
    case("TXN_COMMIT with ISOLATE without TXN_BEGIN", CMD_TXN_COMMIT,
         P + u32(A_COMMIT_FLAGS, COMMIT_F_ISOLATE))
    case("TXN_ABORT without TXN_BEGIN", CMD_TXN_ABORT, P)
    # Unknown flag bits.
    case("TXN_BEGIN with unknown NETFENCE_A_TXN_FLAGS bit 0x80", CMD_TXN_BEGIN,
         P + u32(A_TXN_FLAGS, 0x80), cleanup=CMD_TXN_ABORT)
    case("TXN_BEGIN with unknown policy flag bit 1<<31", CMD_TXN_BEGIN,
         P + u32(A_POLICY_FLAGS, 1 << 31), cleanup=CMD_TXN_ABORT)
    case("TXN_BEGIN with NETFENCE_A_TXN_FLAGS as u8", CMD_TXN_BEGIN,
         P + u8(A_TXN_FLAGS, 1), cleanup=CMD_TXN_ABORT)
    case("ISOLATE with unknown NETFENCE_A_ISOLATE_FLAGS bit 1", CMD_ISOLATE,
         P + u32(A_ISOLATE_FLAGS, 1))
    # Inside a transaction.
    r = g.request(CMD_TXN_BEGIN, P)
    print("%s - TXN_BEGIN (valid): %r" % ("ok" if r.error == 0 else "FAIL", r), flush=True)
    failures += r.error != 0
    case("second TXN_BEGIN on the same socket", CMD_TXN_BEGIN, P)
    case("TXN_COMMIT with unknown NETFENCE_A_COMMIT_FLAGS bit 2", CMD_TXN_COMMIT,
         P + u32(A_COMMIT_FLAGS, 2))
    case("TXN_ADD without NETFENCE_A_RULES", CMD_TXN_ADD, P)
    case("TXN_ADD without NETFENCE_A_PROTO", CMD_TXN_ADD, nest(A_RULES, rule_attr("10.1.2.3")))
    case("NETFENCE_A_RULES holding garbage bytes", CMD_TXN_ADD,
         P + nla(A_RULES | NLA_F_NESTED, b"\xff\xff\xff\xff\x07\x00\x01"))
    case("NETFENCE_A_RULES holding a u32 instead of NETFENCE_A_RULE", CMD_TXN_ADD,
         P + nest(A_RULES, u32(A_RULE, 5)))
    case("NETFENCE_A_RULES holding a NETFENCE_A_PROTO", CMD_TXN_ADD,
         P + nest(A_RULES, proto_attr()))
    case("NETFENCE_A_RULE with a truncated inner attribute", CMD_TXN_ADD,
         P + nest(A_RULES, nla(A_RULE | NLA_F_NESTED, struct.pack("=HHB", 40, R_FAMILY, 2))))
    case("NETFENCE_A_RULES without NLA_F_NESTED", CMD_TXN_ADD,
         P + nest(A_RULES, rule_attr("10.1.2.3"), flag=0))
    case("rule without NETFENCE_RULE_A_FAMILY", CMD_TXN_ADD,
         bad_rule(nla(R_ADDR, V4), u8(R_PREFIXLEN, 24)))
    case("rule family 99", CMD_TXN_ADD, bad_rule(u8(R_FAMILY, 99)))
    case("rule family as u32", CMD_TXN_ADD, bad_rule(u32(R_FAMILY, AF_INET), nla(R_ADDR, V4)))
    case("ipv4 rule prefix 33", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 33)))
    case("ipv6 rule prefix 129", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET6), nla(R_ADDR, V6), u8(R_PREFIXLEN, 129)))
    case("host bits set (10.1.2.3/8)", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, socket.inet_aton("10.1.2.3")),
                  u8(R_PREFIXLEN, 8)))
    case("host bits set (fd00:99::1/64)", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET6), nla(R_ADDR, socket.inet_pton(AF_INET6, "fd00:99::1")),
                  u8(R_PREFIXLEN, 64)))
    case("ipv4 address of 5 bytes", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4 + b"\0")))
    case("ipv4 address of 3 bytes", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4[:3])))
    case("ipv6 rule with a 4-byte address", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET6), nla(R_ADDR, V4)))
    case("AF_UNSPEC rule with an address", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_UNSPEC), nla(R_ADDR, V4)))
    case("icmp in an ipv6 rule", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET6), nla(R_ADDR, V6), u8(R_PREFIXLEN, 64), u8(R_PROTO, 1)))
    case("icmpv6 in an ipv4 rule", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_PROTO, 58)))
    case("protocol 47 (not tcp/udp/icmp)", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_PROTO, 47)))
    case("ports with proto icmp", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_PROTO, 1),
                  u16(R_PORT_MIN, 80)))
    case("port_min > port_max", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_PROTO, 6),
                  u16(R_PORT_MIN, 90), u16(R_PORT_MAX, 80)))
    case("port as u8", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_PROTO, 6),
                  u8(R_PORT_MIN, 80)))
    case("dir 0", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_DIR, 0)))
    case("dir 4", CMD_TXN_ADD,
         bad_rule(u8(R_FAMILY, AF_INET), nla(R_ADDR, V4), u8(R_PREFIXLEN, 24), u8(R_DIR, 4)))
    case("two rules, the second bad (host bits)", CMD_TXN_ADD,
         P + nest(A_RULES, rule_attr("10.7.0.0/16"),
                  nest(A_RULE, u8(R_FAMILY, AF_INET), nla(R_ADDR, socket.inet_aton("10.1.2.3")),
                       u8(R_PREFIXLEN, 8))))
    case("TXN_DEL of a rule not in the transaction", CMD_TXN_DEL,
         P + nest(A_RULES, rule_attr("10.8.8.8")))
    r = g.request(CMD_TXN_ABORT, P)
    print("%s - TXN_ABORT (valid): %r" % ("ok" if r.error == 0 else "FAIL", r), flush=True)
    failures += r.error != 0
    case("TXN_COMMIT after TXN_ABORT", CMD_TXN_COMMIT, P)
    # Message and header level.
    case("genl header reserved field not 0", CMD_STATUS_GET, P, reserved=7, extack=False)

    after = (g.status(), g.rules())
    print("# after: generation %s, %d rules" % (after[0].get("generation"), len(after[1])))
    for k in ("generation", "rules", "isolated", "flags"):
        same = before[0].get(k) == after[0].get(k)
        print("%s - %s unchanged (%s -> %s)" % ("ok" if same else "FAIL", k,
                                                before[0].get(k), after[0].get(k)))
        failures += not same
    same = before[1] == after[1]
    print("%s - rule dump unchanged" % ("ok" if same else "FAIL"))
    failures += not same
    print("# %d failures" % failures)
    return 1 if failures else 0


def cmd_all_or_none(g):
    P = proto_attr()
    steps = [
        ("TXN_BEGIN", g.request(CMD_TXN_BEGIN, P), 0),
        ("TXN_ADD 10.5.0.0/16", g.request(CMD_TXN_ADD, P + nest(A_RULES, rule_attr("10.5.0.0/16"))), 0),
        ("TXN_ADD [10.6.0.0/16, bad 10.1.2.3/8] refused",
         g.request(CMD_TXN_ADD, P + nest(A_RULES, rule_attr("10.6.0.0/16"),
                                         nest(A_RULE, u8(R_FAMILY, AF_INET),
                                              nla(R_ADDR, socket.inet_aton("10.1.2.3")),
                                              u8(R_PREFIXLEN, 8)))), -1),
        ("TXN_DEL [10.5.0.0/16, absent 10.9.9.9] refused, removes nothing",
         g.request(CMD_TXN_DEL, P + nest(A_RULES, rule_attr("10.5.0.0/16"),
                                         rule_attr("10.9.9.9"))), -1),
        ("TXN_COMMIT", g.request(CMD_TXN_COMMIT, P), 0),
    ]
    bad = 0
    for name, r, want in steps:
        ok = (r.error == 0) if want == 0 else (r.error < 0 and r.extack)
        bad += not ok
        print("%s - %s: %r" % ("ok" if ok else "FAIL", name, r))
    rules = g.rules()
    got = sorted("%s/%d" % (x.get("addr"), x.get("prefixlen")) for x in rules)
    ok = got == ["10.5.0.0/16"]
    bad += not ok
    print("%s - policy holds only the first message's rule: %s" % ("ok" if ok else "FAIL", got))
    # NETFENCE_TXN_F_DEL_ABSENT (allow del --exist): absent rules skipped.
    steps = [
        ("TXN_BEGIN APPEND|DEL_ABSENT",
         g.request(CMD_TXN_BEGIN, P + u32(A_TXN_FLAGS, TXN_F_APPEND | TXN_F_DEL_ABSENT)), 0),
        ("TXN_ADD 10.6.0.0/16", g.request(CMD_TXN_ADD, P + nest(A_RULES, rule_attr("10.6.0.0/16"))), 0),
        ("TXN_DEL [10.5.0.0/16, absent 10.9.9.9] accepted",
         g.request(CMD_TXN_DEL, P + nest(A_RULES, rule_attr("10.5.0.0/16"),
                                         rule_attr("10.9.9.9"))), 0),
        ("TXN_COMMIT", g.request(CMD_TXN_COMMIT, P), 0),
    ]
    for name, r, want in steps:
        ok = r.error == want
        bad += not ok
        print("%s - %s: %r" % ("ok" if ok else "FAIL", name, r))
    got = sorted("%s/%d" % (x.get("addr"), x.get("prefixlen")) for x in g.rules())
    ok = got == ["10.6.0.0/16"]
    bad += not ok
    print("%s - the present rule removed, the added one kept: %s" % ("ok" if ok else "FAIL", got))
    return 1 if bad else 0


def cmd_flip(g, n, fa, fb):
    pols = [read_rules(fa), read_rules(fb)]
    t0 = time.time()
    gen0 = g.status().get("generation")
    for i in range(n):
        r = g.commit_rules(pols[i % 2])
        if r.error:
            print("commit %d failed: %r" % (i, r))
            return 1
    dt = time.time() - t0
    gen1 = g.status().get("generation")
    print(json.dumps({"commits": n, "seconds": round(dt, 2), "generation_before": gen0,
                      "generation_after": gen1}))
    return 0


def cmd_key(g, cmd, n):
    """One keyed request; the attribute the kernel blames, by type."""
    cmds = {"isolate": CMD_ISOLATE, "release": CMD_RELEASE, "renew": CMD_RENEW}
    payload = proto_attr()
    key_at = 16 + 4 + len(payload)  # nlmsghdr, genlmsghdr, NETFENCE_A_PROTO
    payload += nla(A_KEY, b"k" * n)
    r = g.request(cmds[cmd], payload)
    blamed = None
    if r.offset == key_at:
        blamed = "NETFENCE_A_KEY"
    elif r.offset is not None:
        blamed = "offset %d" % r.offset
    print(json.dumps({"errno": r.error, "extack": r.extack, "attr": blamed}))
    return 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) > 1 else 2
    g = Genl()
    cmd = sys.argv[1]
    if cmd == "status":
        print(json.dumps(g.status()))
    elif cmd == "rules":
        print(json.dumps(g.rules()))
    elif cmd == "malformed":
        return cmd_malformed(g)
    elif cmd == "all-or-none":
        return cmd_all_or_none(g)
    elif cmd == "flip":
        return cmd_flip(g, int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif cmd == "key":
        return cmd_key(g, sys.argv[2], int(sys.argv[3]))
    elif cmd == "hold":
        P = proto_attr()
        r = g.request(CMD_TXN_BEGIN, P)
        if r.error:
            print("begin: %r" % r)
            return 1
        if sys.argv[2:3] == ["-f"]:
            rules = read_rules(sys.argv[3])
        else:
            rules = [rule_attr(x) for x in sys.argv[2:]]
        for i in range(0, len(rules), 1000):
            r = g.request(CMD_TXN_ADD, P + nest(A_RULES, *rules[i:i + 1000]))
            if r.error:
                print("add: %r" % r)
                return 1
        print("ready", flush=True)
        while True:
            time.sleep(3600)
    elif cmd == "txn-limit":
        # N sockets each open a transaction, all kept open until the end.
        socks = [g] + [Genl() for _ in range(int(sys.argv[2]) - 1)]
        for i, s in enumerate(socks):
            print("begin %d: %r" % (i + 1, s.request(CMD_TXN_BEGIN, proto_attr())), flush=True)
        return 0
    elif cmd == "begin":
        r = g.request(CMD_TXN_BEGIN, proto_attr())
        print("begin: %r" % r)
        if r.error:
            return 1
        r = g.request(CMD_TXN_ABORT, proto_attr())
        print("abort: %r" % r)
        return 1 if r.error else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

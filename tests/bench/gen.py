#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Allowlists of the netfence benchmark, in every tool's input format.

gen.py OUTDIR SIZE...   writes, for each family (4, 6), each mode (single:
one prefix length, /32 or /128; multi: many distinct lengths) and each SIZE:
  nf-F-M-N.policy        netfence policy file (address rules), stateless
  nfct-F-M-N.policy      the same, stateful (the default mode)
  nfport-F-M-N.policy    the same rules limited to udp port 9, stateless
  nft-F-M-N.nft          nftables: inet table, FORWARD at -350, interval set
  nftct-F-M-N.nft        the set behind "ct state established,related accept"
  nftcat-F-M-N.nft       the same with an "address . udp port" set
  ipt-F-M-N.rules        iptables-restore: one FORWARD rule per entry
  ipset-F-M-N.ipset      ipset restore: one hash:net set

Layout: half the entries below the hit prefix, half above, so that the
entry the traffic hits sits in the middle of the sorted set (and of the
iptables chain). The hit prefix covers the sources pktgen sends from in the
hit case (IPv4 64.0.0.0/29, IPv6 2001:db8:8000::/125); nothing covers the
miss sources (IPv4 48.0.0.0/29, IPv6 2001:db8:4000::5) or the destination.
"""
import ipaddress
import os
import sys

FAM = {
    4: dict(bits=32, lo="32.0.0.0", hit="64.0.0.0", miss="48.0.0.0", multi=range(20, 33),
            nfam="ipv4_addr", sel="ip", ipt="iptables", iset="inet"),
    6: dict(bits=128, lo="2001:db8:1000::", hit="2001:db8:8000::",
            miss="2001:db8:4000::",
            multi=range(64, 129, 4), nfam="ipv6_addr", sel="ip6",
            ipt="ip6tables", iset="inet6"),
}
HIT_LEN = {4: 29, 6: 125}


def prefixes(fam, mode, n):
    f = FAM[fam]
    bits = f["bits"]
    lens = [bits] if mode == "single" else list(f["multi"])
    hit = int(ipaddress.ip_address(f["hit"]))
    if mode == "single":
        hits = [(hit + i, bits) for i in range(min(8, n))]
    else:
        hits = [(hit, HIT_LEN[fam])]
    rest = n - len(hits)
    below, above = rest // 2, rest - rest // 2

    def run(cursor, count, start):
        out = []
        for i in range(count):
            ln = lens[(i + start) % len(lens)]
            size = 1 << (bits - ln)
            cursor = (cursor + size - 1) // size * size
            out.append((cursor, ln))
            cursor += size
        return out

    lo = run(int(ipaddress.ip_address(f["lo"])), below, 0)
    miss = int(ipaddress.ip_address(f["miss"]))
    assert not lo or lo[-1][0] + (1 << (bits - lo[-1][1])) <= miss
    end = hits[-1][0] + (1 << (bits - hits[-1][1]))
    hi = run(end, above, 1)
    return lo + hits + hi


def text(fam, p):
    a, ln = p
    s = str(ipaddress.ip_address(a) if fam == 4 else ipaddress.IPv6Address(a))
    return s if ln == FAM[fam]["bits"] else "%s/%d" % (s, ln)


def write(path, lines):
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for fam in (4, 6):
        f = FAM[fam]
        for mode in ("single", "multi"):
            for n in map(int, sys.argv[2:]):
                ps = [text(fam, p) for p in prefixes(fam, mode, n)]
                tag = "%d-%s-%d" % (fam, mode, n)
                # nf and nfport: stateless mode; nfct: stateful.
                write("%s/nf-%s.policy" % (out, tag),
                      ["option stateless on"] + ps)
                write("%s/nfct-%s.policy" % (out, tag), ps)
                write("%s/nfport-%s.policy" % (out, tag),
                      ["option stateless on"] +
                      [p + " proto udp port 9" for p in ps])
                chain = ("\tchain benchfwd {\n\t\ttype filter hook forward "
                         "priority -350; policy drop;\n")
                write("%s/nft-%s.nft" % (out, tag), [
                    "table inet bench {",
                    "\tset a {\n\t\ttype %s; flags interval;" % f["nfam"],
                    "\t\telements = { " + ",\n".join(ps) + " }\n\t}",
                    chain + "\t\t%s daddr @a accept" % f["sel"],
                    "\t\t%s saddr @a accept\n\t}\n}" % f["sel"]])
                # What quarantine scripts deploy: the same set behind
                # "ct state established,related accept".
                write("%s/nftct-%s.nft" % (out, tag), [
                    "table inet bench {",
                    "\tset a {\n\t\ttype %s; flags interval;" % f["nfam"],
                    "\t\telements = { " + ",\n".join(ps) + " }\n\t}",
                    chain + "\t\tct state established,related accept",
                    "\t\t%s daddr @a accept\n\t}\n}" % f["sel"]])
                write("%s/nftcat-%s.nft" % (out, tag), [
                    "table inet bench {",
                    "\tset c {\n\t\ttype %s . inet_service; flags interval;"
                    % f["nfam"],
                    "\t\telements = { " + ",\n".join(p + " . 9" for p in ps)
                    + " }\n\t}",
                    chain + "\t\t%s daddr . udp dport @c accept" % f["sel"],
                    "\t\t%s saddr . udp sport @c accept\n\t}\n}" % f["sel"]])
                if n <= 10000:
                    write("%s/ipt-%s.rules" % (out, tag),
                          ["*filter", ":FORWARD DROP [0:0]"] +
                          ["-A FORWARD -s %s -j ACCEPT" % p for p in ps] +
                          ["COMMIT"])
                write("%s/ipset-%s.ipset" % (out, tag),
                      ["create a hash:net family %s hashsize 4096 "
                       "maxelem 262144" % f["iset"]] +
                      ["add a %s" % p for p in ps])


if __name__ == "__main__":
    main()

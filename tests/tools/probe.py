#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The rarer traffic endpoints of netfence's integration scenarios (the
common ones, TCP/UDP clients and servers, are in nfprobe.c).

  probe.py rawudp SRC SPORT DEST DPORT [--payload TEXT]
      Send one UDP datagram with any source address and port (raw socket).
  probe.py rawtcp SRC SPORT DEST DPORT [--payload TEXT]
      Send one TCP segment (ACK|PSH, no handshake) from a raw socket, as
      a process with CAP_NET_RAW could forge it.
  probe.py icmperr SRC DEST ISRC ISPORT IDEST IDPORT
      Send an ICMP/ICMPv6 "port unreachable" from SRC to DEST that quotes a
      UDP packet ISRC:ISPORT -> IDEST:IDPORT (raw socket).
  probe.py icmp6 SRC DEST TYPE [--hlim N] [--payload TEXT]
      Send an ICMPv6 message of TYPE (neighbour discovery, MLD...) with hop
      limit N (default 255) from a raw socket.
  probe.py ra IFACE PREFIX
      Send a router advertisement (not a default router) with PREFIX/64 for
      address autoconfiguration to ff02::1 on IFACE.
  probe.py l2send IFACE DSTMAC ETHERTYPE [--vlan ID] [--payload TEXT]
      Send one Ethernet frame from an AF_PACKET socket (CAP_NET_RAW).
  probe.py l2udp IFACE DSTMAC SRC DEST DPORT [--vlan ID] [--payload TEXT]
      Send an IPv4/UDP datagram built by hand in an Ethernet frame from an
      AF_PACKET socket: it never crosses the IP stack's hooks.
  probe.py l2recv IFACE ETHERTYPE [--timeout S]
      Count the frames of ETHERTYPE an AF_PACKET socket bound to it
      receives in S seconds; print "received N".
  probe.py loinject SRC SPORT DEST DPORT [--payload TEXT]
      Put one IPv4 UDP datagram on the loopback device through a packet
      socket: it arrives as if received on lo (no route attached), so a
      host that forwards routes it out of another interface.
  probe.py dns SERVER NAME
      Ask SERVER (udp 53) for the A records of NAME; print them.
  probe.py dhcp4 IFACE
      DHCPv4 DISCOVER/OFFER/REQUEST/ACK over an ordinary UDP socket (so the
      exchange crosses the IP netfilter hooks, unlike raw-socket clients).
  probe.py stream --flow NAME,DEST,PORT... --rate PPS (--duration S | --until FILE)
      Numbered datagrams round-robin to every flow, echoes counted; prints
      one JSON object: per flow sent, send_errors, echoed, missing echoes.
"""

import os
import socket
import struct
import sys
import time

# Startup time matters (TCG guests): heavier modules are imported where used.


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def out(line):
    print(line, flush=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def cmd_rawudp(a):
    fam = family_of(a.dest)
    payload = a.payload.encode()
    length = 8 + len(payload)
    src = socket.inet_pton(fam, a.src)
    dst = socket.inet_pton(fam, a.dest)
    if fam == socket.AF_INET:
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, length)
    else:
        pseudo = src + dst + struct.pack("!I3xB", length, socket.IPPROTO_UDP)
    hdr = struct.pack("!HHHH", a.sport, a.dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xffff
    hdr = struct.pack("!HHHH", a.sport, a.dport, length, c)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, 7, -1)  # IPV6_CHECKSUM off
    s.bind((a.src, 0))
    try:
        s.sendto(hdr + payload, (a.dest, 0))
    except OSError as e:
        out("rawudp: %s" % e)
        return 1
    out("sent udp %s %d -> %s %d" % (a.src, a.sport, a.dest, a.dport))
    return 0


def l4_csum(fam, src, dst, proto, data):
    if fam == socket.AF_INET:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(data))
    else:
        pseudo = src + dst + struct.pack("!I3xB", len(data), proto)
    return csum(pseudo + data)


def raw_send(fam, proto, src, dest, data, hlim=None):
    s = socket.socket(fam, socket.SOCK_RAW, proto)
    if fam == socket.AF_INET6 and proto != socket.IPPROTO_ICMPV6:
        s.setsockopt(socket.IPPROTO_IPV6, 7, -1)  # IPV6_CHECKSUM off
    if hlim is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hlim)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hlim)
    if src:
        s.bind((src, 0))
    dst = dest
    if fam == socket.AF_INET6 and dest.startswith(("fe80:", "ff02:")) and "%" in dest:
        dst, scope = dest.split("%")
        s.sendto(data, (dst, 0, 0, socket.if_nametoindex(scope)))
        return
    s.sendto(data, (dst, 0))


def cmd_rawtcp(a):
    fam = family_of(a.dest)
    src = socket.inet_pton(fam, a.src)
    dst = socket.inet_pton(fam, a.dest)
    payload = a.payload.encode()
    # ACK|PSH, data offset 5 words, arbitrary sequence numbers.
    hdr = struct.pack("!HHIIBBHHH", a.sport, a.dport, 0x1000, 0x2000, 5 << 4, 0x18,
                      65535, 0, 0)
    c = l4_csum(fam, src, dst, socket.IPPROTO_TCP, hdr + payload)
    hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
    try:
        raw_send(fam, socket.IPPROTO_TCP, a.src, a.dest, hdr + payload)
    except OSError as e:
        out("rawtcp: %s" % e)
        return 1
    out("sent tcp %s %d -> %s %d" % (a.src, a.sport, a.dest, a.dport))
    return 0


def cmd_icmperr(a):
    fam = family_of(a.dest)
    isrc = socket.inet_pton(fam, a.isrc)
    idst = socket.inet_pton(fam, a.idest)
    udp = struct.pack("!HHHH", a.isport, a.idport, 8 + 7, 0)
    if fam == socket.AF_INET:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 7, 1, 0, 64,
                         socket.IPPROTO_UDP, 0, isrc, idst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        quote = ip + udp + b"payload"
        msg = struct.pack("!BBHI", 3, 3, 0, 0) + quote
        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        proto = socket.IPPROTO_ICMP
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, 8 + 7, socket.IPPROTO_UDP, 64, isrc, idst)
        quote = ip + udp + b"payload"
        # The kernel fills in the checksum of ICMPv6 raw sockets.
        msg = struct.pack("!BBHI", 1, 4, 0, 0) + quote
        proto = socket.IPPROTO_ICMPV6
    try:
        raw_send(fam, proto, a.src, a.dest, msg)
    except OSError as e:
        out("icmperr: %s" % e)
        return 1
    out("sent icmp error %s -> %s quoting %s %d -> %s %d" %
        (a.src, a.dest, a.isrc, a.isport, a.idest, a.idport))
    return 0


def cmd_icmp6(a):
    typ = int(a.type)
    body = a.payload.encode()
    if typ in (135, 136, 137):
        # Target address (and destination for redirects): ::1, never used.
        body = socket.inet_pton(socket.AF_INET6, "::1") * (2 if typ == 137 else 1) + body
    msg = struct.pack("!BBHI", typ, 0, 0, 0) + body
    try:
        raw_send(socket.AF_INET6, socket.IPPROTO_ICMPV6, a.src or None, a.dest, msg,
                 hlim=int(a.hlim))
    except OSError as e:
        out("icmp6: %s" % e)
        return 1
    out("sent icmpv6 type %d hop limit %s %s -> %s" % (typ, a.hlim, a.src, a.dest))
    return 0


def cmd_ra(a):
    prefix = socket.inet_pton(socket.AF_INET6, a.prefix)
    # Hop limit 64, no flags, router lifetime 0; one prefix information
    # option: /64, on-link and autonomous, valid 3600 s, preferred 1800 s.
    msg = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
    msg += struct.pack("!BBBBIII16s", 3, 4, 64, 0xc0, 3600, 1800, 0, prefix)
    ifindex = socket.if_nametoindex(a.iface)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    try:
        s.sendto(msg, ("ff02::1", 0, 0, ifindex))
    except OSError as e:
        out("ra: %s" % e)
        return 1
    out("sent router advertisement of %s/64 on %s" % (a.prefix, a.iface))
    return 0


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def l2_send(a, ethertype, body):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src = s.getsockname()[4][:6]
    hdr = mac_bytes(a.dstmac) + src
    if a.vlan:
        hdr += struct.pack("!HH", 0x8100, int(a.vlan))
    frame = hdr + struct.pack("!H", ethertype) + body
    frame += b"\0" * max(0, 60 - len(frame))
    try:
        s.send(frame)
    except OSError as e:
        out("l2send: %s" % e)
        return 1
    out("sent frame of type 0x%04x on %s to %s" % (ethertype, a.iface, a.dstmac))
    return 0


def cmd_l2send(a):
    return l2_send(a, int(a.ethertype, 0), a.payload.encode())


def cmd_l2udp(a):
    payload = a.payload.encode()
    udp = struct.pack("!HHHH", 40000, a.dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(a.src), socket.inet_aton(a.dest))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return l2_send(a, 0x0800, ip + udp)


def cmd_l2recv(a):
    etype = int(a.ethertype, 0)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(etype))
    s.bind((a.iface, etype))
    s.settimeout(0.2)
    n = 0
    end = time.monotonic() + a.timeout
    while time.monotonic() < end:
        try:
            _, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING:
            n += 1
    out("received %d" % n)
def cmd_loinject(a):
    payload = a.payload.encode()
    src = socket.inet_aton(a.src)
    dst = socket.inet_aton(a.dest)
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, length)
    hdr = struct.pack("!HHHH", a.sport, a.dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xffff
    udp = struct.pack("!HHHH", a.sport, a.dport, length, c) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth_p_ip = 0x0800
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(eth_p_ip))
    try:
        # lo's address is all zeroes: the frame is for this host (PACKET_HOST).
        s.sendto(ip + udp, ("lo", eth_p_ip, 0, 0, b"\0" * 6))
    except OSError as e:
        out("loinject: %s" % e)
        return 1
    out("injected on lo: udp %s %d -> %s %d" % (a.src, a.sport, a.dest, a.dport))
    return 0


def cmd_dns(a):
    qid = struct.unpack("=H", os.urandom(2))[0]
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in a.name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(family_of(a.server), socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    try:
        s.sendto(q, (a.server, 53))
        d, _ = s.recvfrom(4096)
    except OSError as e:
        out("dns %s: %s" % (a.server, e))
        return 1
    rid, flags, qd, an = struct.unpack("!HHHH", d[:8])
    if rid != qid or flags & 0xf:
        out("dns: bad answer (id %d/%d, rcode %d)" % (rid, qid, flags & 0xf))
        return 1
    p = 12
    for _ in range(qd):
        while d[p]:
            p += d[p] + 1
        p += 5
    addrs = []
    for _ in range(an):
        if d[p] & 0xc0 == 0xc0:
            p += 2
        else:
            while d[p]:
                p += d[p] + 1
            p += 1
        rtype, _, _, rdlen = struct.unpack("!HHIH", d[p:p + 10])
        p += 10
        if rtype == 1:
            addrs.append(socket.inet_ntoa(d[p:p + rdlen]))
        p += rdlen
    out("answer %s" % " ".join(addrs))
    return 0 if addrs else 1


def dhcp_msg(xid, mac, mtype, extra=b""):
    m = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0x8000)
    m += b"\0" * 16 + mac + b"\0" * 10 + b"\0" * 192
    m += b"\x63\x82\x53\x63" + bytes([53, 1, mtype]) + extra + b"\xff"
    return m


def dhcp_opts(d):
    opts, p = {}, 240
    while p < len(d) and d[p] != 255:
        if d[p] == 0:
            p += 1
            continue
        opts[d[p]] = d[p + 2:p + 2 + d[p + 1]]
        p += 2 + d[p + 1]
    return opts


def cmd_dhcp4(a):
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", a.iface.encode()))  # SIOCGIFHWADDR
    mac = ifr[18:24]
    s.close()
    xid = struct.unpack("=I", os.urandom(4))[0]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.bind(("0.0.0.0", 68))
    deadline = time.time() + a.timeout

    def exchange(msg, want):
        try:
            s.sendto(msg, ("255.255.255.255", 67))
        except OSError as e:
            out("dhcp4 send: %s" % e)
            return None
        while time.time() < deadline:
            s.settimeout(max(0.1, deadline - time.time()))
            try:
                d, _ = s.recvfrom(4096)
            except OSError:
                break
            if len(d) < 240 or struct.unpack("!I", d[4:8])[0] != xid:
                continue
            o = dhcp_opts(d)
            if o.get(53, b"\0")[0] == want:
                return d, o
        return None

    r = exchange(dhcp_msg(xid, mac, 1), 2)
    if not r:
        out("dhcp4: no offer")
        return 1
    yiaddr, server = r[0][16:20], r[1].get(54, b"")
    req = bytes([50, 4]) + yiaddr + (bytes([54, 4]) + server if server else b"")
    r = exchange(dhcp_msg(xid, mac, 3, req), 5)
    if not r:
        out("dhcp4: no ack")
        return 1
    out("lease %s from %s" % (socket.inet_ntoa(yiaddr),
                              socket.inet_ntoa(server) if server else "?"))
    return 0


def cmd_stream(a):
    import errno
    import json
    import select
    flows = []
    for spec in a.flow:
        name, dest, port = spec.split(",")
        s = socket.socket(family_of(dest), socket.SOCK_DGRAM)
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        flows.append({"name": name, "dest": (dest, int(port)), "sock": s,
                      "sent": 0, "send_errors": 0, "errors": {}, "echoed": set()})
    interval = 1.0 / a.rate
    start = time.time()
    nxt = start
    seq = 0

    def drain(timeout):
        socks = [f["sock"] for f in flows]
        r, _, _ = select.select(socks, [], [], timeout)
        for f in flows:
            if f["sock"] in r:
                while True:
                    try:
                        d = f["sock"].recv(100)
                    except BlockingIOError:
                        break
                    except OSError:
                        break
                    try:
                        f["echoed"].add(int(d.split()[1]))
                    except (IndexError, ValueError):
                        pass

    while True:
        if a.duration and time.time() - start >= a.duration:
            break
        if a.until and os.path.exists(a.until):
            break
        for f in flows:
            msg = b"%s %d\n" % (f["name"].encode(), seq)
            try:
                f["sock"].sendto(msg, f["dest"])
                f["sent"] += 1
            except OSError as e:
                f["send_errors"] += 1
                n = errno.errorcode.get(e.errno, str(e.errno))
                f["errors"][n] = f["errors"].get(n, 0) + 1
        seq += 1
        nxt += interval
        if nxt < time.time():
            nxt = time.time()
        drain(0)
        while True:
            delay = nxt - time.time()
            if delay <= 0:
                break
            drain(delay)
    end = time.time() + 3
    while time.time() < end:
        drain(0.2)
    res = {"seconds": round(time.time() - start - 3, 1), "rounds": seq}
    for f in flows:
        missing = [i for i in range(seq) if i not in f["echoed"]]
        res[f["name"]] = {"sent": f["sent"], "send_errors": f["send_errors"],
                          "errors": f["errors"], "echoed": len(f["echoed"]),
                          "missing_echoes": len(missing),
                          "first_missing": missing[:10]}
    print(json.dumps(res), flush=True)
    return 0


class Args:
    """Tiny argument parser (argparse costs seconds to import under TCG)."""

    TYPES = {"sport": int, "dport": int, "isport": int, "idport": int, "timeout": float,
             "rate": float, "duration": float}

    def __init__(self, argv, positional, **defaults):
        self.__dict__.update(defaults)
        self.flow = []
        pos = []
        i = 0
        while i < len(argv):
            w = argv[i]
            if w.startswith("--"):
                k = w[2:].replace("-", "_")
                if k == "flow":
                    self.flow.append(argv[i + 1])
                    i += 1
                else:
                    setattr(self, k, self.TYPES.get(k, str)(argv[i + 1]))
                    i += 1
            else:
                pos.append(w)
            i += 1
        if len(pos) != len(positional):
            sys.exit("usage: probe.py %s %s" % (sys.argv[1], " ".join(positional)))
        for k, v in zip(positional, pos):
            setattr(self, k, self.TYPES.get(k, str)(v))


COMMANDS = {
    "rawudp": (cmd_rawudp, ["src", "sport", "dest", "dport"], dict(payload="spoofed\n")),
    "rawtcp": (cmd_rawtcp, ["src", "sport", "dest", "dport"], dict(payload="forged\n")),
    "icmperr": (cmd_icmperr, ["src", "dest", "isrc", "isport", "idest", "idport"], dict()),
    "icmp6": (cmd_icmp6, ["src", "dest", "type"], dict(hlim="255", payload="exfiltrated")),
    "ra": (cmd_ra, ["iface", "prefix"], dict()),
    "l2send": (cmd_l2send, ["iface", "dstmac", "ethertype"], dict(vlan="", payload="l2 frame")),
    "l2udp": (cmd_l2udp, ["iface", "dstmac", "src", "dest", "dport"],
              dict(vlan="", payload="l2 datagram\n")),
    "l2recv": (cmd_l2recv, ["iface", "ethertype"], dict(timeout=3.0)),
    "loinject": (cmd_loinject, ["src", "sport", "dest", "dport"], dict(payload="via lo\n")),
    "dns": (cmd_dns, ["server", "name"], dict(timeout=3.0)),
    "dhcp4": (cmd_dhcp4, ["iface"], dict(timeout=10.0)),
    "stream": (cmd_stream, [], dict(rate=100.0, duration=None, until=None)),
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(0 if sys.argv[1:2] in (["-h"], ["--help"]) else 2)
    fn, positional, defaults = COMMANDS[sys.argv[1]]
    sys.exit(fn(Args(sys.argv[2:], positional, **defaults)))


if __name__ == "__main__":
    main()

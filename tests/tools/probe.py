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
  probe.py dhcp4 IFACE [--mode lease|renew|release] [--server ADDR] [--ciaddr ADDR]
      DHCPv4 over an ordinary UDP socket (so the exchange crosses the IP
      netfilter hooks, unlike raw-socket clients). lease: broadcast
      DISCOVER/OFFER/REQUEST/ACK, prints "lease ADDR from SERVER". renew:
      REQUEST unicast to SERVER for CIADDR (configured on IFACE), waits for
      the ACK. release: RELEASE of CIADDR unicast to SERVER (no answer).
  probe.py bootp DEST DPORT [--sport P] [--op 1|2] [--xid X] [--server-id ADDR]
                 [--iface IFACE] [--listen S]
      Send one well-formed BOOTP/DHCP message (op 1 request, 2 reply) from
      udp SPORT; --listen S: then print "got op N xid 0xX from ADDR" for each
      DHCP message received on SPORT during S seconds.
  probe.py dhcp6 IFACE
      DHCPv6 SOLICIT/ADVERTISE/REQUEST/REPLY over an ordinary UDP socket,
      multicast to ff02::1:2; prints "lease6 ADDR from SERVER".
  probe.py dhcp6msg DEST [--type N] [--xid X] [--sport P] [--dport P] [--iface IFACE]
      Send one DHCPv6 message of type N (default 1, SOLICIT).
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


def dhcp_msg(xid, mac, mtype, extra=b"", ciaddr=b"\0" * 4):
    # A unicast renew or release asks for a unicast answer (no broadcast flag).
    flags = 0 if ciaddr != b"\0" * 4 else 0x8000
    m = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, flags)
    m += ciaddr + b"\0" * 12 + mac + b"\0" * 10 + b"\0" * 192
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


def if_mac(iface):
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", iface.encode()))  # SIOCGIFHWADDR
    s.close()
    return ifr[18:24]


def udp_socket(fam, port, iface=None):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if iface:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    try:
        s.bind(("0.0.0.0" if fam == socket.AF_INET else "::", port))
    except OSError as e:
        out("bind %d: %s" % (port, e))
        sys.exit(3)
    return s


def recv_until(s, deadline, accept):
    """Datagrams until accept(data, peer) returns something, or the deadline."""
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            d, peer = s.recvfrom(4096)
        except OSError:
            break
        r = accept(d, peer)
        if r:
            return r
    return None


def cmd_dhcp4(a):
    mac = if_mac(a.iface)
    xid = struct.unpack("=I", os.urandom(4))[0]
    s = udp_socket(socket.AF_INET, 68, a.iface)
    deadline = time.time() + a.timeout

    def exchange(msg, want, dest="255.255.255.255"):
        try:
            s.sendto(msg, (dest, 67))
        except OSError as e:
            out("dhcp4 send: %s" % e)
            return None

        def accept(d, _):
            if len(d) < 240 or struct.unpack("!I", d[4:8])[0] != xid:
                return None
            o = dhcp_opts(d)
            return (d, o) if o.get(53, b"\0")[0] == want else None
        return recv_until(s, deadline, accept)

    if a.mode in ("renew", "release"):
        ciaddr = socket.inet_aton(a.ciaddr)
        if a.mode == "release":
            extra = bytes([54, 4]) + socket.inet_aton(a.server)
            msg = dhcp_msg(xid, mac, 7, extra, ciaddr)
            try:
                s.sendto(msg, (a.server, 67))
            except OSError as e:
                out("dhcp4 send: %s" % e)
                return 1
            out("released %s to %s" % (a.ciaddr, a.server))
            return 0
        r = exchange(dhcp_msg(xid, mac, 3, b"", ciaddr), 5, a.server)
        if not r:
            out("dhcp4: no ack to the renew")
            return 1
        out("renewed %s from %s" % (socket.inet_ntoa(r[0][16:20]), a.server))
        return 0

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


def cmd_bootp(a):
    xid = int(a.xid, 0)
    if a.op == 2:
        extra = bytes([54, 4]) + socket.inet_aton(a.server_id) if a.server_id else b""
        m = struct.pack("!BBBBIHH", 2, 1, 6, 0, xid, 0, 0) + b"\0" * 224
        m += b"\x63\x82\x53\x63" + bytes([53, 1, 2]) + extra + b"\xff"
    else:
        m = dhcp_msg(xid, b"\x02\0\0\0\0\x01", 1)
    s = udp_socket(socket.AF_INET, a.sport, a.iface)
    try:
        s.sendto(m, (a.dest, a.dport))
    except OSError as e:
        out("bootp send: %s" % e)
        return 1
    out("sent op %d xid %#x to %s %d" % (a.op, xid, a.dest, a.dport))
    if not a.listen:
        return 0

    def show(d, peer):
        if len(d) >= 240:
            out("got op %d xid %#x from %s" % (d[0], struct.unpack("!I", d[4:8])[0], peer[0]))
        else:
            out("got %d bytes from %s" % (len(d), peer[0]))
    recv_until(s, time.time() + a.listen, show)
    return 0


def dhcp6_opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def dhcp6_opts(d):
    opts, p = {}, 4
    while p + 4 <= len(d):
        code, n = struct.unpack("!HH", d[p:p + 4])
        opts[code] = d[p + 4:p + 4 + n]
        p += 4 + n
    return opts


def dhcp6_send(s, iface, dest, dport, mtype, xid, opts):
    msg = bytes([mtype]) + xid.to_bytes(3, "big") + opts
    s.sendto(msg, (dest, dport, 0, socket.if_nametoindex(iface)))


def cmd_dhcp6(a):
    duid = struct.pack("!HH", 3, 1) + if_mac(a.iface)         # DUID-LL
    iaid = b"\0\0\0\1"
    s = udp_socket(socket.AF_INET6, 546, a.iface)
    deadline = time.time() + a.timeout
    xid = struct.unpack("=I", os.urandom(4))[0] & 0xffffff
    base = dhcp6_opt(1, duid) + dhcp6_opt(8, b"\0\0")

    def accept_type(want, x):
        def accept(d, peer):
            if len(d) < 4 or d[0] != want or int.from_bytes(d[1:4], "big") != x:
                return None
            return d, peer
        return accept

    try:
        dhcp6_send(s, a.iface, "ff02::1:2", 547, 1, xid,
                   base + dhcp6_opt(3, iaid + b"\0" * 8))
    except OSError as e:
        out("dhcp6 send: %s" % e)
        return 1
    r = recv_until(s, deadline, accept_type(2, xid))
    if not r:
        out("dhcp6: no advertise")
        return 1
    o = dhcp6_opts(r[0])
    if 2 not in o or 3 not in o:
        out("dhcp6: advertise without server id or IA_NA")
        return 1
    xid = (xid + 1) & 0xffffff
    try:
        dhcp6_send(s, a.iface, "ff02::1:2", 547, 3, xid,
                   base + dhcp6_opt(2, o[2]) + dhcp6_opt(3, o[3]))
    except OSError as e:
        out("dhcp6 send: %s" % e)
        return 1
    r = recv_until(s, deadline, accept_type(7, xid))
    if not r:
        out("dhcp6: no reply")
        return 1
    ia = dhcp6_opts(r[0]).get(3, b"")
    addr = "?"
    p = 12
    while p + 4 <= len(ia):
        code, n = struct.unpack("!HH", ia[p:p + 4])
        if code == 5 and n >= 16:
            addr = socket.inet_ntop(socket.AF_INET6, ia[p + 4:p + 20])
        p += 4 + n
    out("lease6 %s from %s" % (addr, r[1][0]))
    return 0 if addr != "?" else 1


def cmd_dhcp6msg(a):
    s = udp_socket(socket.AF_INET6, a.sport, a.iface)
    try:
        if "%" in a.dest or not a.iface:
            s.sendto(bytes([a.type]) + int(a.xid, 0).to_bytes(3, "big") +
                     dhcp6_opt(8, b"\0\0"), (a.dest, a.dport))
        else:
            dhcp6_send(s, a.iface, a.dest, a.dport, a.type, int(a.xid, 0),
                       dhcp6_opt(8, b"\0\0"))
    except OSError as e:
        out("dhcp6msg send: %s" % e)
        return 1
    out("sent type %d to %s %d" % (a.type, a.dest, a.dport))
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
             "rate": float, "duration": float, "op": int, "listen": float,
             "type": int}

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
    "dhcp4": (cmd_dhcp4, ["iface"], dict(timeout=10.0, mode="lease", server=None,
                                         ciaddr=None)),
    "bootp": (cmd_bootp, ["dest", "dport"], dict(sport=68, op=1, xid="0x12345678",
                                                 server_id=None, iface=None, listen=0.0)),
    "dhcp6": (cmd_dhcp6, ["iface"], dict(timeout=10.0)),
    "dhcp6msg": (cmd_dhcp6msg, ["dest"], dict(type=1, xid="0x123456", sport=546,
                                              dport=547, iface=None)),
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

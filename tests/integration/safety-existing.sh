#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Connections open before isolation: matching is per packet, so a TCP
# session to a peer that the policy does not allow stops passing data the
# moment the namespace is isolated (nothing reaches the peer any more),
# while a session to an allowlisted endpoint goes on untouched.
# timeout: 300
. "$(dirname "$0")/lib.sh"
nf_init

# Topology: mgmt (allowlisted tcp 7000) -- host -- other (not allowed).
ns_new H host
ns_new M mgmt
ns_new X other
veth "$H" m0 "$M" eth0
veth "$H" x0 "$X" eth0
addr "$H" m0 10.0.74.1/24
addr "$M" eth0 10.0.74.2/24
addr "$H" x0 10.0.75.1/24
addr "$X" eth0 10.0.75.2/24

# Echo server: one line per received chunk ("data ...").
cat >"$T/echo.py" <<'PY'
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7000))
s.listen(8)
print("listening", flush=True)
def serve(c):
    while True:
        d = c.recv(100)
        if not d:
            break
        print("data %r" % d, flush=True)
        c.sendall(d)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
# Client: a session to each peer, one echo each, "ready"; once GO exists,
# one more echo on each session (3 s): "NAME ok|timeout|error".
cat >"$T/client.py" <<'PY'
import os, socket, sys, time
go = sys.argv[1]
socks = {}
for name, addr in (("mgmt", "10.0.74.2"), ("other", "10.0.75.2")):
    s = socket.create_connection((addr, 7000), timeout=5)
    s.sendall(b"hello\n")
    assert s.recv(100) == b"hello\n"
    socks[name] = s
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.1)
for name, s in socks.items():
    s.settimeout(3)
    try:
        s.sendall(b"again\n")
        print(name, "ok" if s.recv(100) == b"again\n" else "bad", flush=True)
    except socket.timeout:
        print(name, "timeout", flush=True)
    except OSError as e:
        print(name, "error", e.errno, flush=True)
print("done", flush=True)
PY
bg mecho "$M" $PY "$T/echo.py"
bg xecho "$X" $PY "$T/echo.py"
wait_for 30 grep -q listening "$T/mecho.log" || die "mgmt echo server did not start"
wait_for 30 grep -q listening "$T/xecho.log" || die "other echo server did not start"

bg client "$H" $PY "$T/client.py" "$T/go"
wait_for 30 grep -q ready "$T/client.log" || die "client: $(cat "$T/client.log")"
pass "sessions to mgmt and other open before isolation"
expect_ok "isolate: only mgmt tcp 7000 allowed" nf "$H" isolate -a '10.0.74.2 proto tcp port 7000'
touch "$T/go"
wait_for 30 grep -q done "$T/client.log"
log "client: $(tr '\n' ' ' <"$T/client.log")"
expect_match "allowlisted session goes on" '^mgmt ok' "$(cat "$T/client.log")"
expect_match "session to a peer not allowed stops at once" '^other timeout' "$(cat "$T/client.log")"
expect_match "mgmt got the data sent after isolation" "again" "$(cat "$T/mecho.log")"
expect_nomatch "nothing sent after isolation reached other" "again" "$(cat "$T/xecho.log")"
expect_ok "release" nf "$H" release

finish

# SPDX-License-Identifier: BSD-3-Clause
"""sw_topo_connect's client (scripts/topo.sh): one real Linux connect().

tcp_connect.py ADDR PORT TIMEOUT

Connects to ADDR (IPv4, or IPv6 when it has a colon) on TCP port PORT,
giving up after TIMEOUT seconds. Exit 0 when the three-way handshake
completed; the socket is then closed with an RST (SO_LINGER 0: one
segment, no FIN retransmissions left behind). Exit 1, with the error on
stderr, when it did not.
"""
import socket, struct, sys
addr, port, tmo = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(tmo)
try:
    s.connect((addr, port))
except OSError as e:
    print("connect %s port %d: %s" % (addr, port, e), file=sys.stderr)
    sys.exit(1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()

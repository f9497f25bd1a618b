#!/usr/bin/python3
"""What a NAT does to one client's traffic (tests/e2e/lib/nat.mjs).

  nat-probe.py reflect ADDR UDP1 UDP2 UDP3 TCP
      On the public side. UDP1 and UDP2 answer each datagram with the address
      they saw it come from; UDP1 also sends one datagram from UDP3, a port the
      client never wrote to (a cone NAT that filters by port drops it). TCP
      answers each connection with the address it saw. Prints "ready".
  nat-probe.py probe ADDR UDP1 UDP2 UDP3 TCP
      On the client side. From ONE UDP socket, asks UDP1 then UDP2 for the
      mapped address, watches for the datagram from UDP3, and asks TCP.
      Prints one JSON line: {"local": port, "udp": [m1, m2], "unsolicited": bool, "tcp": m}
      with null where nothing came back.
"""
import json
import select
import socket
import sys
import time


def reflect(addr, udp1, udp2, udp3, tcp):
    s1, s2, s3 = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3))
    for s, port in ((s1, udp1), (s2, udp2), (s3, udp3)):
        s.bind((addr, port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, tcp))
    t.listen(16)
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([s1, s2, t], [], [])
        for s in ready:
            if s is t:
                conn, peer = t.accept()
                conn.sendall(f"{peer[0]}:{peer[1]}".encode())
                conn.close()
                continue
            _, peer = s.recvfrom(2048)
            s.sendto(f"{peer[0]}:{peer[1]}".encode(), peer)
            if s is s1:
                s3.sendto(b"unsolicited", peer)


def probe(addr, udp1, udp2, udp3, tcp):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 0))
    out = {"local": u.getsockname()[1], "udp": [], "unsolicited": False, "tcp": None}

    def ask(port):
        for _ in range(3):
            u.sendto(b"where am I", (addr, port))
            deadline = time.monotonic() + 0.7
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([u], [], [], left)[0]:
                    break
                data, src = u.recvfrom(2048)
                if src[1] == udp3:
                    out["unsolicited"] = True
                elif src[1] == port:
                    return data.decode()
        return None

    out["udp"] = [ask(udp1), ask(udp2)]
    # Anything from UDP3 still on its way.
    while select.select([u], [], [], 0.3)[0]:
        _, src = u.recvfrom(2048)
        out["unsolicited"] = out["unsolicited"] or src[1] == udp3
    try:
        with socket.create_connection((addr, tcp), timeout=3) as c:
            out["tcp"] = c.recv(256).decode() or None
    except OSError:
        pass
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    mode, addr, *ports = sys.argv[1:]
    (reflect if mode == "reflect" else probe)(addr, *map(int, ports))

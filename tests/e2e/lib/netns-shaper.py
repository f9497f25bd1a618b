#!/usr/bin/python3
"""Delay, jitter and loss for one client namespace's link, both directions.

Runs inside the client's namespace (`ip netns exec NS netns-shaper.py UP DOWN`).
iptables there sends the link's outgoing packets to NFQUEUE number UP and its
incoming packets to DOWN; this process holds each packet for its delay and then
accepts it, or drops it. The rate limit is the kernel's (tbf, set by netns.mjs);
this replaces netem, which not every test kernel has.

Reads one JSON object per line on stdin and answers each with one JSON line:
  {"up": DIR, "down": DIR}  sets the directions' shaping, answers {"ok": true}
  {"stats": true}           answers {"up": COUNTS, "down": COUNTS, "cpuSeconds": s}
where DIR = {"delay": ms, "jitter": ms, "loss": percent, "burst": packets}.
A loss "burst" > 1 makes loss bursty (a Gilbert model whose bad state drops
every packet and lasts `burst` packets on average); otherwise losses are
independent. Jitter is uniform in +-jitter, and a packet never leaves before the
one ahead of it (as netem does when it also limits the rate), so the link does
not reorder. Exits when stdin closes: the kernel then drops what is queued.
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time
from collections import deque

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NFNL_SUBSYS_QUEUE = 3
# linux/netfilter/nfnetlink_queue.h
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQNL_MSG_VERDICT_BATCH = 3
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NF_DROP = 0
NF_ACCEPT = 1


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(kind, queue, attributes, flags=NLM_F_REQUEST):
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + b"".join(attributes)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


class Direction:
    """One NFQUEUE: the packets of one direction, held until their time."""

    def __init__(self, queue):
        self.queue = queue
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        # A missed notification must not stop the process: the next batch
        # verdict accepts every earlier packet still queued anyway.
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self.sock.bind((0, 0))
        self.configure([attribute(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, socket.AF_INET))])
        self.configure([attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)),
                        attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 8192))])
        self.sock.setblocking(False)
        self.held = deque()  # (release time, packet id), in id order
        self.last_release = 0.0
        self.delay = self.jitter = self.loss = 0.0
        self.burst = 1.0
        self.bad = False
        self.counts = {"packets": 0, "dropped": 0}

    def configure(self, attributes):
        self.sock.send(message(NFQNL_MSG_CONFIG, self.queue, attributes, NLM_F_REQUEST | NLM_F_ACK))
        reply = self.sock.recv(4096)
        _, kind = struct.unpack_from("=IH", reply)
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", reply, 16)
            if error != 0:
                raise OSError(-error, f"NFQUEUE {self.queue} config: {os.strerror(-error)}")

    def set(self, spec):
        self.delay = float(spec.get("delay", 0)) / 1000
        self.jitter = float(spec.get("jitter", 0)) / 1000
        self.loss = float(spec.get("loss", 0)) / 100
        self.burst = max(1.0, float(spec.get("burst", 1)))

    def lost(self):
        if self.loss <= 0:
            return False
        if self.burst <= 1:
            return random.random() < self.loss
        # Gilbert model: leave the bad state with 1/burst, enter it so that the
        # long-run share of bad packets is `loss`.
        leave = 1 / self.burst
        enter = min(1.0, self.loss * leave / (1 - self.loss)) if self.loss < 1 else 1.0
        self.bad = (random.random() >= leave) if self.bad else (random.random() < enter)
        return self.bad

    def verdict(self, kind, verdict, packet_id):
        header = attribute(NFQA_VERDICT_HDR, struct.pack("!II", verdict, packet_id))
        self.sock.send(message(kind, self.queue, [header]))

    def receive(self, now):
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if length < 16:
                    break
                if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    self.on_packet(data[offset + 20:offset + length], now)
                offset += (length + 3) & ~3

    def on_packet(self, attributes, now):
        at = 0
        while at + 4 <= len(attributes):
            length, kind = struct.unpack_from("=HH", attributes, at)
            if length < 4:
                return
            if kind & 0x7FFF == NFQA_PACKET_HDR:
                (packet_id,) = struct.unpack_from("!I", attributes, at + 4)
                self.counts["packets"] += 1
                if self.lost():
                    self.counts["dropped"] += 1
                    self.verdict(NFQNL_MSG_VERDICT, NF_DROP, packet_id)
                    return
                sample = self.delay + (random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0)
                release = max(self.last_release, now + max(0.0, sample))
                self.last_release = release
                self.held.append((release, packet_id))
                return
            at += (length + 3) & ~3

    def release(self, now):
        last = None
        while self.held and self.held[0][0] <= now:
            last = self.held.popleft()[1]
        if last is not None:
            # Accepts every packet up to `last` still queued: one message per batch.
            self.verdict(NFQNL_MSG_VERDICT_BATCH, NF_ACCEPT, last)

    def next_release(self):
        return self.held[0][0] if self.held else None


def main():
    directions = {"up": Direction(int(sys.argv[1])), "down": Direction(int(sys.argv[2]))}
    stdin = sys.stdin.fileno()
    pending = b""
    print(json.dumps({"ready": True}), flush=True)
    sockets = {d.sock.fileno(): d for d in directions.values()}
    while True:
        now = time.monotonic()
        times = [t for t in (d.next_release() for d in directions.values()) if t is not None]
        timeout = max(0.0, min(times) - now) if times else None
        readable, _, _ = select.select([stdin, *sockets], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            if fd in sockets:
                sockets[fd].receive(now)
                continue
            chunk = os.read(stdin, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if not line.strip():
                    continue
                request = json.loads(line)
                if request.get("stats"):
                    counts = {k: d.counts for k, d in directions.items()}
                    print(json.dumps({**counts, "cpuSeconds": round(time.process_time(), 3)}), flush=True)
                    continue
                for name, d in directions.items():
                    if name in request:
                        d.set(request[name])
                print(json.dumps({"ok": True}), flush=True)
        for d in directions.values():
            d.release(now)


if __name__ == "__main__":
    main()

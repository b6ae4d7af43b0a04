#!/usr/bin/env python3
"""Hostile-input memory check (issue 9): opens N RESP connections to one node, each sending an attack,
and samples the node's resident memory (VmRSS) every 20 ms before, during and after.

Usage: bench/hostile-input.py PID PORT [connections] [attack]
  PID    the node's process id (its /proc/PID/status is sampled)
  attack huge-multibulk: '*2147483647\\r\\n' before AUTH (refused, connection closed)
         preauth-hold:   '*10\\r\\n$16384\\r\\n' + 16000 bytes before AUTH, then silence (held until
                         Resp:AuthTimeout closes it: the most a stranger can make the node buffer)
"""
import socket, sys, threading, time

ATTACKS = {
    "huge-multibulk": b"*2147483647\r\n",
    "preauth-hold": b"*10\r\n$16384\r\n" + b"x" * 16000,
}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    attack = sys.argv[4] if len(sys.argv) > 4 else "huge-multibulk"
    payload = ATTACKS[attack]
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(rss_kib(pid))
            time.sleep(0.02)

    before = rss_kib(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    sockets, refused = [], 0
    started = time.monotonic()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(payload)
        sockets.append(s)
    # Wait (up to 60 s) until the node has closed every connection.
    replies = {}
    for s in sockets:
        s.settimeout(60)
        data = b""
        try:
            while chunk := s.recv(4096):
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        first = data.split(b"\r\n")[0].decode(errors="replace")
        replies[first] = replies.get(first, 0) + 1
        s.close()
    elapsed = time.monotonic() - started
    time.sleep(1)
    stop.set()
    sampler.join()
    after = rss_kib(pid)
    print(f"attack={attack} connections={count} closed_by_node_within={elapsed:.1f}s")
    print(f"replies: {replies}")
    print(f"VmRSS KiB: before={before} peak={max(samples)} after={after} (peak - before = {max(samples) - before} KiB)")


if __name__ == "__main__":
    main()

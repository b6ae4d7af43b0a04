#!/usr/bin/env python3
"""Hostile-input memory check (issue 9): opens N RESP connections to one node, each sending an attack,
and samples the node's resident memory (VmRSS) every 20 ms before, during and after.

Usage: bench/hostile-input.py PID PORT [connections] [attack] [password]
  PID    the node's process id (its /proc/PID/status is sampled)
  attack huge-multibulk: '*2147483647\\r\\n' before AUTH (refused, connection closed)
         preauth-hold:   '*10\\r\\n$16384\\r\\n' + 16000 bytes before AUTH, then silence (held until
                         Resp:AuthTimeout closes it: the most a stranger can make the node buffer)
         never-read:     AUTH, then 1000 pipelined ECHOs of 16 KiB (16 MB of replies, more than the
                         kernel's socket buffers hold) that the client does not read for 40 s
                         (Resp:SlowClientTimeout, 30 s, should close it first)
"""
import socket, sys, threading, time

ECHO = b"*2\r\n$4\r\nECHO\r\n$16384\r\n" + b"x" * 16384 + b"\r\n"
ATTACKS = {
    "huge-multibulk": b"*2147483647\r\n",
    "preauth-hold": b"*10\r\n$16384\r\n" + b"x" * 16000,
    "never-read": ECHO * 1000,
}
NEVER_READ_SECONDS = 40


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def send_quietly(s, payload):
    try:
        s.sendall(payload)
    except OSError:
        pass


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    attack = sys.argv[4] if len(sys.argv) > 4 else "huge-multibulk"
    password = sys.argv[5] if len(sys.argv) > 5 else ""
    payload = ATTACKS[attack]
    if attack == "never-read":
        payload = f"AUTH {password}\r\n".encode() + payload
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
    senders = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
        # A client that never reads cannot finish sending either once the node stops reading it.
        sender = threading.Thread(target=send_quietly, args=(s, payload))
        sender.start()
        senders.append(sender)
    if attack == "never-read":
        time.sleep(NEVER_READ_SECONDS)
    # Wait until the node has closed every connection (up to 60 s; 5 s each after a never-read wait).
    replies, received = {}, 0
    for s in sockets:
        s.settimeout(5 if attack == "never-read" else 60)
        data, state = b"", "closed by the node"
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        except socket.timeout:
            state = "still open"
        received += len(data)
        first = data.split(b"\r\n")[0].decode(errors="replace")[:60]
        replies[(first, state)] = replies.get((first, state), 0) + 1
        s.close()
    for sender in senders:
        sender.join()
    elapsed = time.monotonic() - started
    time.sleep(1)
    stop.set()
    sampler.join()
    after = rss_kib(pid)
    print(f"attack={attack} connections={count} closed_by_node_within={elapsed:.1f}s")
    print(f"connections by (first reply line, end): {replies}; reply bytes received in all: {received}")
    print(f"VmRSS KiB: before={before} peak={max(samples)} after={after} (peak - before = {max(samples) - before} KiB)")


if __name__ == "__main__":
    main()

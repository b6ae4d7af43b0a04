#!/usr/bin/env python3
"""Durability benchmarks (issue 4): write throughput and latency under each Storage:Fsync policy, then
with one million 100-byte keys: load time, memory per key, snapshot size and time, restart-to-serving
of a killed secondary and of the whole cluster, and resync time of a wiped secondary.

Runs three real node processes (Release build) on loopback with their own data directories, drives
them with redis-benchmark / redis-cli --pipe, and reads everything else from /cluster and the nodes'
logs. Prints a Markdown report (also written to bench/results/durability-<date>.md).

  python3 bench/durability.py [--keys 1000000] [--policies Always,EverySecond,Never] [--timing Seed|Fast] [--load-only]

The nodes run with server GC unless DOTNET_gcServer says otherwise; other DOTNET_GC* variables pass through, and the
report names them.

With --timing Fast (50 ms heartbeat, 300-600 ms election timeout) the million-key run also tells whether the
load, the snapshots and a wiped secondary's resync made any node start an election: the highest term among the
nodes before and after each, since a node that starts an election raises its term.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODES = ["node1", "node2", "node3"]
PRIMARY_TIMEOUT = 120
CATCH_UP_TIMEOUT = 900


def log(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(node):
    with urllib.request.urlopen(f"http://127.0.0.1:{node['http']}/cluster", timeout=5) as response:
        return json.load(response)


def try_status(node):
    try:
        return status(node)
    except OSError:
        return None


def wait_until(condition, timeout, what):
    started = time.monotonic()
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"no {what} within {timeout} s")
        time.sleep(0.02)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


class Cluster:
    """Three node processes; a node keeps its ports and data directory across restarts."""

    def __init__(self, binary, root, settings):
        self.binary, self.root, self.settings = binary, root, settings
        os.makedirs(root, exist_ok=True)
        self.nodes = {name: {"name": name, "http": free_port(), "peer": free_port(), "resp": free_port(),
                             "data": os.path.join(root, name), "log": os.path.join(root, f"{name}.log"), "process": None}
                      for name in NODES}

    def start(self, name):
        node = self.nodes[name]
        env = dict(os.environ, **self.settings, **{
            "Cluster__NodeId": name, "Storage__DataDirectory": node["data"],
            "KV_HTTP_PORT": str(node["http"]), "KV_PEER_PORT": str(node["peer"]), "KV_RESP_PORT": str(node["resp"]),
            "Logging__LogLevel__Default": "Warning", "Logging__LogLevel__KvAspire": "Information",
            "DOTNET_gcServer": os.environ.get("DOTNET_gcServer", "1")})
        for peer in NODES:
            if peer != name:
                env[f"services__{peer}__peer__0"] = f"http://127.0.0.1:{self.nodes[peer]['peer']}"
        node["process"] = subprocess.Popen(["dotnet", self.binary], env=env, stdout=open(node["log"], "a"), stderr=subprocess.STDOUT)
        node["started"] = time.monotonic()

    def start_all(self):
        for name in NODES:
            self.start(name)

    def kill(self, name):
        process = self.nodes[name]["process"]
        if process and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
        self.nodes[name]["process"] = None

    def stop_all(self):
        for name in NODES:
            self.kill(name)

    def primary(self):
        def find():
            for node in self.nodes.values():
                if node["process"] is None:
                    continue
                s = try_status(node)
                if s and s["role"] == "Primary" and s["servesReads"]:
                    return node
            return None
        return wait_until(find, PRIMARY_TIMEOUT, "primary serving reads")

    def caught_up(self, name, primary):
        """Waits until node `name` has applied everything the primary committed, with the same digest."""
        def check():
            reference, s = try_status(primary), try_status(self.nodes[name])
            return s if reference and s and s["appliedIndex"] >= reference["commitIndex"] \
                and s["appliedDigest"] == reference["appliedDigest"] else None
        return wait_until(check, CATCH_UP_TIMEOUT, f"{name} caught up")

    def secondary_of(self, primary):
        return next(n for n in self.nodes.values() if n is not primary)

    def highest_term(self):
        return max(s["term"] for s in (try_status(n) for n in self.nodes.values() if n["process"]) if s)


def redis_benchmark(port, clients, requests, pipeline=1):
    output = subprocess.run(["redis-benchmark", "-p", str(port), "-t", "set", "-n", str(requests), "-r", "100000",
                             "-d", "64", "-c", str(clients), "-P", str(pipeline), "--csv"],
                            capture_output=True, text=True)
    if output.returncode != 0:
        raise RuntimeError(f"redis-benchmark failed: {output.stdout[-2000:]} {output.stderr[-2000:]}")
    output = output.stdout
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    row = [line for line in output.splitlines() if line.startswith('"SET"')][0]
    values = [float(v.strip('"')) for v in row.split(",")[1:]]
    return dict(zip(["rps", "avg", "min", "p50", "p95", "p99", "max"], values))


def load_keys(port, keys, value_bytes, batch=1000):
    """MSET batches through redis-cli --pipe: each MSET's keys are proposed together, then acknowledged."""
    value = "v" * value_bytes
    path = os.path.join(tempfile.gettempdir(), f"kv-load-{os.getpid()}.resp")
    with open(path, "w") as f:
        for start in range(0, keys, batch):
            count = min(batch, keys - start)
            f.write(f"*{1 + 2 * count}\r\n$4\r\nMSET\r\n")
            for i in range(start, start + count):
                key = f"key:{i:08d}"
                f.write(f"${len(key)}\r\n{key}\r\n${value_bytes}\r\n{value}\r\n")
    started = time.monotonic()
    with open(path, "rb") as f:
        result = subprocess.run(["redis-cli", "-p", str(port), "--pipe", "--pipe-timeout", "600"], stdin=f,
                                capture_output=True, text=True)
    elapsed = time.monotonic() - started
    os.remove(path)
    if result.returncode != 0 or "errors: 0" not in result.stdout:
        raise RuntimeError(f"loading keys failed: {result.stdout} {result.stderr}")
    return elapsed


def gc_totals(node):
    """The node's GC counters from its /metrics: pause seconds, collections per generation, bytes allocated."""
    with urllib.request.urlopen(f"http://127.0.0.1:{node['http']}/metrics", timeout=5) as response:
        text = response.read().decode()
    def value(pattern):
        found = re.search("^" + pattern + r"\S* ([\d.e+-]+)", text, re.M)
        return float(found[1]) if found else 0.0
    return {"pause_s": value("dotnet_gc_pause_time_seconds_total"),
            "allocated": value("dotnet_gc_heap_total_allocated_bytes_total"),
            **{gen: value(r'dotnet_gc_collections_total\{[^}]*gc_heap_generation="' + gen + '"') for gen in ("gen0", "gen1", "gen2")}}


def gc_during(before, cluster):
    """Per node, what its GC did since `before` (from gc_totals)."""
    return {name: {k: v - before[name][k] for k, v in gc_totals(node).items()} for name, node in cluster.nodes.items()}


def stalls(cluster):
    """Per node, the host loop stalls it logged (LoopStalls: batches held a quarter of an election timeout or more,
    logged at most once a second): how many, and the longest with the part of it spent in GC pauses."""
    found = {}
    for name, node in cluster.nodes.items():
        held = [(int(ms), int(gc)) for ms, gc in re.findall(r"loop was held (\d+) ms by one batch, (\d+) ms of it in garbage collection",
                                                             open(node["log"]).read())]
        found[name] = (len(held), max(held) if held else None)
    return found


def last_match(path, pattern):
    matches = re.findall(pattern, open(path).read())
    return matches[-1] if matches else None


def fsync_policies(binary, policies, work):
    rows = []
    for policy in policies:
        root = os.path.join(work, f"fsync-{policy}")
        # Only Always keeps Quorum's promise; the node refuses Quorum with the others.
        settings = {"Storage__Fsync": policy}
        if policy != "Always":
            settings["Replication__Acknowledge"] = "Primary"
        cluster = Cluster(binary, root, settings)
        cluster.start_all()
        try:
            primary = cluster.primary()
            log(f"fsync {policy}: 50 clients")
            many = redis_benchmark(primary["resp"], clients=50, requests=100000)
            log(f"fsync {policy}: 1 client")
            single = redis_benchmark(primary["resp"], clients=1, requests=5000)
            rows.append((policy, many, single))
        finally:
            cluster.stop_all()
    return rows


def million_keys(binary, keys, work, timing, load_only):
    root = os.path.join(work, "million")
    # Snapshot every quarter of the load, so snapshots and compaction happen during it.
    every = max(keys // 4, 1)
    cluster = Cluster(binary, root, {"Storage__SnapshotEntries": str(every), "Cluster__Timing": timing})
    cluster.start_all()
    results = {}
    try:
        primary = cluster.primary()
        cluster.caught_up(cluster.secondary_of(primary)["name"], primary)
        term_before_load = cluster.highest_term()
        before = rss_kib(primary["process"].pid)
        gc_before = {name: gc_totals(node) for name, node in cluster.nodes.items()}
        results["primary"] = primary["name"]
        log(f"loading {keys} keys of 100 bytes")
        try:
            results["load_s"] = load_keys(primary["resp"], keys, 100)
        except RuntimeError as e:
            # Under the fast timing a primary that lost its role mid-load refuses the rest: report what led there.
            summary = re.search(r"errors: \d+, replies: \d+", str(e))
            results["load_failed"] = summary[0] if summary else str(e).strip().splitlines()[-1]
            results["terms_load"] = (term_before_load, cluster.highest_term())
            results["stalls"] = stalls(cluster)
            results["gc"] = gc_during(gc_before, cluster)
            return results
        results["stalls"] = stalls(cluster)
        results["gc"] = gc_during(gc_before, cluster)
        results["terms_load"] = (term_before_load, cluster.highest_term())
        if load_only:
            return results
        secondary = cluster.secondary_of(primary)
        cluster.caught_up(secondary["name"], primary)
        snapshot_pattern = (r"Snapshot at entry (\d+) \(term \d+\) saved: (\d+) keys, (\d+) bytes in ([\d.]+) ms; "
                            r"capturing it held the host loop for ([\d.]+) ms")
        # A snapshot starts only once `every` entries have been applied since the last one started, so the load
        # usually ends between two; rewriting keys (same values, the key count unchanged) brings the next, of every key.
        snap = last_match(primary["log"], snapshot_pattern)
        while not snap or int(snap[1]) < keys:
            load_keys(primary["resp"], min(every // 4, keys), 100)
            snap = last_match(primary["log"], snapshot_pattern)
        after = rss_kib(primary["process"].pid)
        results["terms_load"] = (term_before_load, cluster.highest_term())
        results["rss_before_mib"], results["rss_after_mib"] = before / 1024, after / 1024
        results["bytes_per_key"] = (after - before) * 1024 / keys
        results["snapshot"] = {"index": int(snap[0]), "keys": int(snap[1]), "bytes": int(snap[2]), "ms": float(snap[3]),
                               "capture_ms": float(snap[4])}
        results["primary_status"] = status(primary)

        log("restart-to-serving: SIGKILL a secondary and restart it")
        cluster.kill(secondary["name"])
        cluster.start(secondary["name"])
        # The node reads its snapshot and log before it listens: answering /cluster is local recovery done.
        wait_until(lambda: try_status(secondary), PRIMARY_TIMEOUT, f"{secondary['name']} answering /cluster")
        results["secondary_recovered_s"] = time.monotonic() - secondary["started"]
        cluster.caught_up(secondary["name"], primary)
        results["secondary_restart_s"] = time.monotonic() - secondary["started"]

        log("restart-to-serving: SIGKILL the whole cluster and restart it")
        cluster.stop_all()
        started = time.monotonic()
        cluster.start_all()
        primary = cluster.primary()
        results["cluster_restart_s"] = time.monotonic() - started

        log("resync: wipe a secondary and restart it empty")
        secondary = cluster.secondary_of(primary)
        cluster.caught_up(secondary["name"], primary)
        term_before_resync = cluster.highest_term()
        cluster.kill(secondary["name"])
        shutil.rmtree(secondary["data"])
        cluster.start(secondary["name"])
        synced = cluster.caught_up(secondary["name"], primary)
        results["terms_resync"] = (term_before_resync, cluster.highest_term())
        results["resync_s"] = time.monotonic() - secondary["started"]
        results["resync_log_start"] = synced["logStart"]
        sent = last_match(primary["log"], r"Snapshot at entry (\d+) \(term \d+\) sent to \S+: (\d+) bytes in ([\d.]+) ms")
        results["resync_sent"] = {"index": int(sent[0]), "bytes": int(sent[1]), "ms": float(sent[2])} if sent else None
    finally:
        cluster.stop_all()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--policies", default="Always,EverySecond,Never")
    parser.add_argument("--timing", default="Seed", choices=["Seed", "Fast"])
    parser.add_argument("--load-only", action="store_true",
                        help="stop after the load: its time, the terms before and after it, and the loop stalls")
    parser.add_argument("--keep", action="store_true", help="keep the nodes' data folders and logs, and print where")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="kv-durability-")
    out = os.path.join(work, "node")
    log("building KvAspire.Node (Release)")
    subprocess.run(["dotnet", "build", os.path.join(ROOT, "KvAspire.Node"), "-c", "Release", "-o", out, "-v", "q", "-nologo"],
                   check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(out, "KvAspire.Node.dll")
    load = os.getloadavg()
    try:
        policies = fsync_policies(binary, args.policies.split(","), work) if args.policies else []
        million = million_keys(binary, args.keys, work, args.timing, args.load_only) if args.keys else None
    finally:
        if args.keep:
            log(f"kept the nodes' data and logs in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    lines = [f"### Durability run of {datetime.datetime.now():%Y-%m-%d %H:%M} UTC",
             "",
             f"`python3 bench/durability.py --keys {args.keys} --policies {args.policies} --timing {args.timing}` — {os.cpu_count()} cores, "
             f"load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; three Release node processes on loopback, "
             + ("seed timing (2 s heartbeat, 5-8 s election timeout)" if args.timing == "Seed" else "fast timing (50 ms heartbeat, 300-600 ms election timeout)")
             + "; GC settings: " + (" ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.upper().startswith("DOTNET_GC")) or "the node's own") + ".",
             ""]
    if policies:
        lines += ["| Storage:Fsync | SET/s, 50 clients | p50 / p99 ms, 50 clients | SET/s, 1 client | p50 / p99 ms, 1 client |",
                  "|---|---|---|---|---|"]
        for policy, many, single in policies:
            lines.append(f"| {policy} | {many['rps']:,.0f} | {many['p50']:.2f} / {many['p99']:.2f} | {single['rps']:,.0f} | "
                         f"{single['p50']:.2f} / {single['p99']:.2f} |")
        lines += ["", "(`redis-benchmark -t set -r 100000 -d 64 -n 100000 -c 50` and `-n 5000 -c 1` against the primary, Quorum acknowledgement.)", ""]
    if million:
        stalled = ", ".join(f"{name} {count}" + (f" (longest {longest[0]:,} ms, {longest[1]:,} ms of it GC)" if longest else "")
                            for name, (count, longest) in million["stalls"].items())
        stall_line = f"- host loop stalls logged during the load (a quarter of an election timeout or more): {stalled}"
        stall_line += "\n- GC during the load: " + "; ".join(
            f"{name}{' (primary)' if name == million['primary'] else ''} {gc['pause_s']:.2f} s paused in {gc['gen0']:.0f} gen0, "
            f"{gc['gen1']:.0f} gen1 and {gc['gen2']:.0f} gen2 collections, {gc['allocated'] / 2**30:.2f} GiB allocated"
            for name, gc in million["gc"].items())
    if million and "load_failed" in million:
        lines += [f"With {args.keys:,} keys of 100 bytes: **the load failed** ({million['load_failed']}): the primary changed "
                  f"(highest term {million['terms_load'][0]} before, {million['terms_load'][1]} after).", "", stall_line, ""]
    elif million and args.load_only:
        lines += [f"With {args.keys:,} keys of 100 bytes: loaded in {million['load_s']:.1f} s; highest term {million['terms_load'][0]} "
                  f"before, {million['terms_load'][1]} after.", "", stall_line, ""]
    elif million:
        snap, sent = million["snapshot"], million["resync_sent"]
        lines += [f"With {args.keys:,} keys of 100 bytes:",
                  "",
                  f"- load through `redis-cli --pipe` (MSET batches of 1,000): {million['load_s']:.1f} s ({args.keys / million['load_s']:,.0f} keys/s)",
                  f"- primary RSS {million['rss_before_mib']:.0f} MiB before, {million['rss_after_mib']:.0f} MiB after: "
                  f"{million['bytes_per_key']:.0f} bytes per key (store, log since the last compaction, GC headroom)",
                  f"- snapshot of {snap['keys']:,} keys: {snap['bytes'] / 2**20:.1f} MiB written in {snap['ms']:,.0f} ms beside the "
                  f"host loop, which capturing the store held for {snap['capture_ms']:,.1f} ms",
                  f"- secondary SIGKILLed and restarted: recovered from its own disk (snapshot and log read, answering /cluster) "
                  f"after {million['secondary_recovered_s']:.2f} s, caught up with the primary after {million['secondary_restart_s']:.2f} s",
                  stall_line,
                  f"- whole cluster SIGKILLed and restarted, until a primary serves reads: {million['cluster_restart_s']:.2f} s",
                  f"- wiped secondary restarted empty, until its applied digest equals the primary's: {million['resync_s']:.2f} s"
                  + (f" (snapshot at entry {sent['index']:,}: {sent['bytes'] / 2**20:.1f} MiB streamed in {sent['ms']:,.0f} ms)" if sent else ""),
                  f"- highest term among the nodes: {million['terms_load'][0]} before the load and {million['terms_load'][1]} after it and its snapshots; "
                  f"{million['terms_resync'][0]} before the wiped secondary's resync and {million['terms_resync'][1]} after it "
                  "(a node that starts an election raises its term)",
                  ""]
    report = "\n".join(lines)
    print(report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", f"durability-{datetime.datetime.now():%Y%m%d-%H%M}.md"), "w") as f:
        f.write(report + "\n")


if __name__ == "__main__":
    main()

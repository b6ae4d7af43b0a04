#!/usr/bin/env python3
"""Where the KvAspire host loop spends its wall time, from a dotnet-trace speedscope file.

dotnet-trace's topN ranks methods over every thread, so idle pool threads (waiting) dominate it.
The host loop (HostLoop.RunAsync) is one logical thread that hops between pool threads: this
sums, over every thread, the time whose stack contains it, and files each slice under the
innermost frame matching one of TAGS.
Usage: bench/host-loop.py TRACE.speedscope.json
"""
import collections
import json
import sys

LOOP = ("HostLoop", "RunAsync")
TAGS = ["FSync", "PWrite", "Publish", "PeerSender", "Transport", "KvStore", "Proposals", "Persist", "Activity", "Log", "Raft"]

trace = json.load(open(sys.argv[1]))
frames = [f["name"] for f in trace["shared"]["frames"]]
traced = 0.0
in_loop = 0.0
spent = collections.Counter()
for profile in trace["profiles"]:
    stack, last = [], profile["startValue"]
    traced = max(traced, profile["endValue"] - profile["startValue"])
    for event in profile["events"]:
        names = [frames[i] for i in stack]
        if any(all(part in name for part in LOOP) for name in names):
            slice_ms = event["at"] - last
            in_loop += slice_ms
            spent[next((tag for name in reversed(names) for tag in TAGS if tag in name), names[-1][:70])] += slice_ms
        last = event["at"]
        if event["type"] == "O":
            stack.append(event["frame"])
        else:
            stack.pop()

print(f"host loop busy {in_loop:.0f} ms of {traced:.0f} ms traced ({100 * in_loop / traced:.0f}%)")
for tag, ms in spent.most_common(10):
    print(f"  {100 * ms / in_loop:5.1f}%  {tag}")

#!/usr/bin/env python3
"""Sends the same sorted-set commands to KvAspire and to redis-server and compares every reply byte for byte.

usage: bench/zset-differential.py KVASPIRE_PORT REDIS_PORT
Each case starts from a clean key space (the keys it names are deleted first on both). Prints each difference and a
summary; exits 1 if any reply differs.
"""
import socket
import sys

SETUP = [
    ["ZADD", "z", "1", "a", "1", "b", "2", "c", "2.5", "d", "-inf", "lo", "+inf", "hi", "1e20", "e", "1e-5", "f", "-0", "zero"],
    ["ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ff", "0", "g"],
    ["SET", "str", "x"],
]

CASES = [
    # ZADD options and their errors
    ["ZADD", "n", "NX", "XX", "1", "a"], ["ZADD", "n", "GT", "LT", "1", "a"], ["ZADD", "n", "GT", "NX", "1", "a"],
    ["ZADD", "n", "LT", "NX", "1", "a"], ["ZADD", "n", "INCR", "1", "a", "2", "b"], ["ZADD", "n", "1"], ["ZADD", "n", "CH"],
    ["ZADD", "n", "1", "a", "2"], ["ZADD", "n", "abc", "a"], ["ZADD", "n", "nan", "a"], ["ZADD", "n", " 1", "a"],
    ["ZADD", "n", "1 ", "a"], ["ZADD", "n", "1e400", "a"], ["ZADD", "n", "1e-400", "a"], ["ZADD", "n", "", "a"],
    ["ZADD", "n", "inf", "a", "-INF", "b", "+Infinity", "c", "1.5", "d", ".5", "e", "5.", "f", "+3", "g", "1E3", "h"],
    ["ZRANGE", "n", "0", "-1", "WITHSCORES"],
    ["ZADD", "z", "XX", "5", "new"], ["ZADD", "z", "XX", "CH", "5", "a", "5", "new"], ["ZADD", "z", "NX", "9", "a", "9", "new"],
    ["ZADD", "z", "GT", "CH", "0", "a", "3", "b", "7", "new2"], ["ZADD", "z", "LT", "CH", "0", "a", "3", "c"],
    ["ZADD", "z", "CH", "1", "a", "1", "b"], ["ZADD", "z", "1", "dup", "2", "dup"], ["ZSCORE", "z", "dup"],
    ["ZADD", "z", "INCR", "2.5", "a"], ["ZADD", "z", "INCR", "NX", "1", "a"], ["ZADD", "z", "INCR", "XX", "1", "missing"],
    ["ZADD", "z", "INCR", "GT", "-1", "a"], ["ZADD", "z", "INCR", "LT", "-1", "a"], ["ZADD", "z", "XX", "INCR", "1", "a"],
    ["ZADD", "nokey", "XX", "1", "a"], ["ZADD", "nokey", "XX", "INCR", "1", "a"], ["EXISTS", "nokey"],
    ["ZADD", "str", "1", "a"], ["ZADD", "str", "x", "a"],
    # ZINCRBY
    ["ZINCRBY", "z", "1.1", "a"], ["ZINCRBY", "z", "abc", "a"], ["ZINCRBY", "z", "-inf", "hi"], ["ZINCRBY", "z", "1", "hi"],
    ["ZINCRBY", "newz", "3", "m"], ["ZINCRBY", "str", "1", "a"], ["ZINCRBY", "z", "0.1", "f"],
    # scores as Redis prints them
    ["ZSCORE", "z", "a"], ["ZSCORE", "z", "e"], ["ZSCORE", "z", "f"], ["ZSCORE", "z", "lo"], ["ZSCORE", "z", "zero"],
    ["ZSCORE", "z", "none"], ["ZSCORE", "nokey", "a"], ["ZSCORE", "str", "a"],
    ["ZMSCORE", "z", "a", "none", "hi"], ["ZMSCORE", "nokey", "a", "b"], ["ZMSCORE", "str", "a"],
    ["ZCARD", "z"], ["ZCARD", "nokey"], ["ZCARD", "str"],
    # ZCOUNT and score bounds
    ["ZCOUNT", "z", "-inf", "+inf"], ["ZCOUNT", "z", "1", "2"], ["ZCOUNT", "z", "(1", "2"], ["ZCOUNT", "z", "(1", "(2"],
    ["ZCOUNT", "z", "2", "1"], ["ZCOUNT", "z", "(2", "(2"], ["ZCOUNT", "z", "", ""], ["ZCOUNT", "z", "(", "5"],
    ["ZCOUNT", "z", " (1", "5"], ["ZCOUNT", "z", "( 1", "5"], ["ZCOUNT", "z", "a", "5"], ["ZCOUNT", "z", "1e400", "inf"],
    ["ZCOUNT", "z", "-1e400", "0"], ["ZCOUNT", "z", "nan", "1"], ["ZCOUNT", "nokey", "0", "1"], ["ZCOUNT", "str", "0", "1"],
    ["ZCOUNT", "str", "x", "1"],
    # ranks
    ["ZRANK", "z", "a"], ["ZRANK", "z", "lo"], ["ZRANK", "z", "hi"], ["ZREVRANK", "z", "a"], ["ZRANK", "z", "none"],
    ["ZRANK", "nokey", "a"], ["ZRANK", "str", "a"], ["ZRANK", "z", "a", "WITHSCORE"],
    # ZRANGE by rank
    ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZRANGE", "z", "-3", "-1"], ["ZRANGE", "z", "5", "2"],
    ["ZRANGE", "z", "-100", "100"], ["ZRANGE", "z", "100", "200"], ["ZRANGE", "z", "0", "1", "REV"],
    ["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"], ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
    ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"], ["ZRANGE", "z", "a", "1"], ["ZRANGE", "z", "0", "1", "BOGUS"],
    ["ZRANGE", "z", "0", "1", "LIMIT", "0"], ["ZRANGE", "z", "0", "1", "REV", "REV"], ["ZRANGE", "nokey", "0", "-1"],
    ["ZRANGE", "str", "0", "-1"], ["ZREVRANGE", "z", "0", "2", "WITHSCORES"], ["ZREVRANGE", "z", "0", "2", "LIMIT", "0", "1"],
    ["ZREVRANGE", "z", "0", "2", "REV"],
    # ZRANGE by score
    ["ZRANGE", "z", "1", "2", "BYSCORE"], ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "WITHSCORES"],
    ["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV"], ["ZRANGE", "z", "2", "1", "BYSCORE", "REV", "WITHSCORES"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"], ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "2"], ["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "3"],
    ["ZRANGE", "z", "x", "1", "BYSCORE"], ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"], ["ZRANGE", "z", "0", "1", "LIMIT", "x", "1"],
    ["ZRANGEBYSCORE", "z", "-inf", "+inf"], ["ZRANGEBYSCORE", "z", "1", "2", "WITHSCORES", "LIMIT", "0", "2"],
    ["ZRANGEBYSCORE", "z", "1", "2", "REV"], ["ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"], ["ZRANGEBYSCORE", "z", "(1", "(2.5"],
    ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"], ["ZREVRANGEBYSCORE", "z", "2", "1"],
    ["ZREVRANGEBYSCORE", "z", "1", "2"], ["ZREVRANGEBYSCORE", "z", "(2.5", "(1", "LIMIT", "0", "1"],
    # by member
    ["ZRANGE", "lex", "-", "+", "BYLEX"], ["ZRANGE", "lex", "[b", "(e", "BYLEX"], ["ZRANGE", "lex", "(b", "[e", "BYLEX"],
    ["ZRANGE", "lex", "+", "-", "BYLEX", "REV"], ["ZRANGE", "lex", "[f", "[b", "BYLEX", "REV", "LIMIT", "1", "2"],
    ["ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"], ["ZRANGE", "lex", "b", "e", "BYLEX"], ["ZRANGE", "lex", "+", "-", "BYLEX"],
    ["ZRANGE", "lex", "[f", "[ff", "BYLEX"], ["ZRANGE", "lex", "(f", "+", "BYLEX"], ["ZRANGE", "lex", "[", "+", "BYLEX"],
    ["ZRANGEBYLEX", "lex", "-", "[c"], ["ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "2", "2"], ["ZREVRANGEBYLEX", "lex", "[c", "-"],
    ["ZLEXCOUNT", "lex", "-", "+"], ["ZLEXCOUNT", "lex", "[b", "(ff"], ["ZLEXCOUNT", "lex", "b", "c"], ["ZLEXCOUNT", "nokey", "-", "+"],
    ["ZLEXCOUNT", "str", "-", "+"],
    # pops
    ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "2"], ["ZPOPMAX", "z", "0"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"],
    ["ZPOPMIN", "z", "1", "2"], ["ZPOPMIN", "nokey"], ["ZPOPMIN", "nokey", "3"], ["ZPOPMIN", "str"], ["ZPOPMIN", "str", "0"],
    ["ZPOPMAX", "lex", "100"], ["EXISTS", "lex"],
    # removals
    ["ZREM", "z", "a", "a", "none"], ["ZREM", "nokey", "a"], ["ZREM", "str", "a"],
    ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZREMRANGEBYRANK", "z", "-1", "-1"], ["ZREMRANGEBYRANK", "z", "x", "1"],
    ["ZREMRANGEBYSCORE", "z", "(1", "2"], ["ZREMRANGEBYSCORE", "z", "x", "2"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ["ZREMRANGEBYLEX", "lex", "[b", "[d"], ["ZREMRANGEBYLEX", "lex", "b", "d"], ["ZRANGE", "lex", "0", "-1"],
    ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], ["EXISTS", "z"], ["ZREMRANGEBYRANK", "nokey", "0", "-1"],
    # across types
    ["TYPE", "lex"], ["SCAN", "0", "TYPE", "zset"], ["EXPIRE", "lex", "100"], ["TTL", "lex"], ["PERSIST", "lex"],
    ["DEL", "lex"], ["TYPE", "lex"],
    ["ZSCAN", "newz", "0"], ["ZSCAN", "nokey", "0"], ["ZSCAN", "str", "0"],
    # NaN, infinities, member order at one score (UTF-8 byte order), transactions
    ["ZADD", "inf", "inf", "a"], ["ZINCRBY", "inf", "-inf", "a"], ["ZADD", "inf", "INCR", "-inf", "a"], ["ZSCORE", "inf", "a"],
    ["ZADD", "u", "1", "\uffff", "1", "\U0001F600", "1", "b", "1", "", "1", "\u00e9"], ["ZRANGE", "u", "0", "-1"],
    ["ZRANGE", "u", "[b", "+", "BYLEX"], ["ZRANK", "u", "\U0001F600"], ["ZRANK", "u", ""],
    ["ZADD", "big", "1.1", "a", "0.1", "b", "3.0000000000000004", "c", "123456789012345678", "d", "1e-310", "e", "-2.5e-7", "f"],
    ["ZRANGE", "big", "0", "-1", "WITHSCORES"], ["ZSCAN", "big", "0", "COUNT", "100"], ["ZSCAN", "big", "0", "MATCH", "a*"],
    ["ZRANGE", "big", "-2", "-1", "REV", "WITHSCORES"], ["ZRANGE", "big", "(0.1", "(123456789012345678", "BYSCORE", "REV"],
    ["ZRANGE", "big", "(123456789012345678", "(0.1", "BYSCORE", "REV"],
    ["ZRANGE", "big", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "9223372036854775807"],
    ["MULTI"], ["ZADD", "tx", "1", "a"], ["ZINCRBY", "tx", "2", "a"], ["ZRANGE", "tx", "0", "-1", "WITHSCORES"],
    ["ZPOPMIN", "tx"], ["ZCARD", "tx"], ["EXEC"],
    ["MULTI"], ["ZADD", "tx", "NX", "XX", "1", "a"], ["ZADD", "tx", "1", "a"], ["EXEC"], ["EXISTS", "tx"],
    ["ZADD", "w", "1", "a"], ["WATCH", "w"], ["ZADD", "w", "1", "a"], ["MULTI"], ["ZCARD", "w"], ["EXEC"],
    ["WATCH", "w"], ["ZADD", "w", "2", "a"], ["MULTI"], ["ZCARD", "w"], ["EXEC"],
    # arity
    ["ZADD", "z"], ["ZINCRBY", "z", "1"], ["ZSCORE", "z"], ["ZRANGE", "z", "0"], ["ZPOPMIN"], ["ZCOUNT", "z", "0"],
]


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""

    def line(self):
        while b"\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def exactly(self, n):
        while len(self.buffer) < n:
            self.buffer += self.sock.recv(65536)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def reply(self):
        line = self.line()
        if line[:1] == b"$" and int(line[1:-2]) >= 0:
            return line + self.exactly(int(line[1:-2]) + 2)
        if line[:1] == b"*" and int(line[1:-2]) > 0:
            return line + b"".join(self.reply() for _ in range(int(line[1:-2])))
        return line

    def send(self, *args):
        self.sock.sendall(command(*args))
        return self.reply()


def main():
    kv, redis = Conn(int(sys.argv[1])), Conn(int(sys.argv[2]))
    for conn in (kv, redis):
        conn.send("DEL", "z", "n", "nokey", "lex", "str", "newz", "inf", "u", "big", "tx", "w")
        for setup in SETUP:
            conn.send(*setup)
    differences = 0
    for case in CASES:
        mine, theirs = kv.send(*case), redis.send(*case)
        if mine != theirs:
            differences += 1
            print(f"DIFF {' '.join(case)!r}\n  kvaspire: {mine!r}\n  redis:    {theirs!r}")
    print(f"{len(CASES)} commands compared, {differences} differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()

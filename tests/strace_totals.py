#!/usr/bin/python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# What a program really sent and received over each of its IPv4/IPv6
# sockets, from a strace log: the ground truth tests/realprog.sh holds
# socktrace's per-socket totals against.
#
#   strace -f -yy -s 16 -o LOG -e trace=%network,%process,read,write,... PROG
#   tests/strace_totals.py LOG    # one JSON line per (pid, fd, socket)
#
# Each line: pid (thread group id), fd, family, proto, saddr, sport, daddr,
# dport (null where strace never showed them), sent_bytes, sends,
# recv_bytes, recvs (one per successful call, a receive of 0 bytes
# included; sendmmsg/recvmmsg one per message and the sum of their
# msg_len), send_calls and recv_calls ({"write": {"n": 1, "bytes": 138}}:
# which calls carried the bytes), peek_bytes (what MSG_PEEK showed: left
# out of the receives, as the next read gets the same bytes), zero_recvs
# (receives that returned 0), recv_sources (each datagram's source a
# recvfrom/recvmsg/recvmmsg asked for, "addr:port" in order) and
# incomplete (true when strace cut an mmsg array: raise its -s).
import json
import re
import sys

SEND = {"write", "writev", "pwrite64", "pwritev", "pwritev2", "send", "sendto", "sendmsg", "sendmmsg", "sendfile"}
RECV = {"read", "readv", "pread64", "preadv", "preadv2", "recv", "recvfrom", "recvmsg", "recvmmsg"}
NEWFD = {"socket", "accept", "accept4", "dup", "dup2", "dup3"}  # the fd they return is a new descriptor
IP_PROTOS = {"TCP", "UDP", "UDPLITE", "SCTP", "RAW", "PING", "MPTCP", "DCCP"}

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\(")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
FDANN = re.compile(r"^(\d+)<([A-Za-z0-9-]+):\[(.*)\]>$")  # 3<TCP:[127.0.0.1:1->127.0.0.1:2]>
RET = re.compile(r"^\s*=\s*(-?\d+)(<.*>)?")
ENDPOINT = re.compile(r"^\[?([0-9a-fA-F:.]+?)\]?:(\d+)$")  # 127.0.0.1:80 or [::1]:80
MSG_LEN = re.compile(r"(?<![a-z_])msg_len=(\d+)")
SIN = re.compile(r'sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6?, "([^"]+)")')


def split_args(s):
    """Top-level arguments of a call's text after 'name(', and what follows
    its closing parenthesis. Knows strings, nesting and fd annotations
    (3<TCP:[a->b]>, whose '->' is not a closing '>')."""
    args, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c == '"':  # a string, with backslash escapes
            j = i + 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur.append(s[i:j + 1])
            i = j + 1
            continue
        if c == "<" and cur and "".join(cur).strip().isdigit():  # fd annotation: up to '>' before , ) ] } space
            j = i + 1
            while j < len(s) and not (s[j] == ">" and (j + 1 == len(s) or s[j + 1] in ",)]} ")):
                j += 1
            cur.append(s[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:  # the call's closing parenthesis
                args.append("".join(cur).strip())
                return [a for a in args if a], s[i + 1:]
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return None, ""  # cut line


def endpoint(text):
    m = ENDPOINT.match(text)
    return (m.group(1), int(m.group(2))) if m else (None, None)


def fd_of(arg):
    """(fd, protocol, ends) of an argument like 3<TCP:[...]>; ends is
    (saddr, sport, daddr, dport), None where strace did not show them."""
    m = FDANN.match(arg)
    if not m:
        return None
    fd, proto, inner = int(m.group(1)), m.group(2), m.group(3)
    if inner.isdigit():  # only the inode: strace could not look the socket up
        return fd, proto, (None, None, None, None)
    local, _, peer = inner.partition("->")
    return fd, proto, endpoint(local) + (endpoint(peer) if peer else (None, None))


def ip(proto):
    """Whether strace's protocol name (TCP, UDPv6, UNIX-STREAM...) is IPv4/IPv6."""
    return (proto[:-2] if proto.endswith("v6") else proto) in IP_PROTOS


def sockaddr(arg):
    m = SIN.search(arg)
    return (m.group(2) or m.group(3), int(m.group(1))) if m else (None, None)


def sources(name, args, n):
    """The datagrams' sources a receive of n messages asked for, as
    "addr:port": recvfrom's fifth argument, recvmsg's msg_name, each of
    recvmmsg's."""
    if name == "recvfrom" and len(args) > 4:
        names = [args[4]]
    elif name in ("recvmsg", "recvmmsg") and len(args) > 1:
        names = args[1].split("msg_name=")[1:][:n]
    else:
        return []
    return ["%s:%d" % a for a in map(sockaddr, names) if a[0] is not None]


class Totals:
    def __init__(self, tgid, fd, proto):
        self.tgid, self.fd, self.proto = tgid, fd, proto
        self.ends = [None, None, None, None]
        self.sent = self.sends = self.recv = self.recvs = self.peek = self.zero = 0
        self.send_calls, self.recv_calls = {}, {}
        self.sources = []
        self.incomplete = False

    def learn(self, ends):
        for i, v in enumerate(ends):
            if v is not None and (self.ends[i] is None or self.ends[i] in ("0.0.0.0", "::")):
                self.ends[i] = v

    def add(self, call, send, nbytes, n):
        c = (self.send_calls if send else self.recv_calls).setdefault(call, {"n": 0, "bytes": 0})
        c["n"] += 1
        c["bytes"] += nbytes
        if send:
            self.sent, self.sends = self.sent + nbytes, self.sends + n
        else:
            self.recv, self.recvs = self.recv + nbytes, self.recvs + n
            self.zero += nbytes == 0

    def json(self):
        v6 = self.proto.endswith("v6")
        return {"pid": self.tgid, "fd": self.fd, "family": "ipv6" if v6 else "ipv4",
                "proto": (self.proto[:-2] if v6 else self.proto).lower(),
                "saddr": self.ends[0], "sport": self.ends[1], "daddr": self.ends[2], "dport": self.ends[3],
                "sent_bytes": self.sent, "sends": self.sends, "recv_bytes": self.recv, "recvs": self.recvs,
                "send_calls": self.send_calls, "recv_calls": self.recv_calls,
                "peek_bytes": self.peek, "zero_recvs": self.zero, "recv_sources": self.sources,
                "incomplete": self.incomplete}


def calls(lines):
    """(tid, name, args, rest) per finished syscall, with strace -f's
    '<unfinished ...>' / '<... resumed>' halves joined."""
    pending = {}
    for raw in lines:
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        tid, body = int(m.group(1)), m.group(2)
        if body.endswith("<unfinished ...>"):
            pending[tid] = body[:-len("<unfinished ...>")]
            continue
        r = RESUMED.match(body)
        if r:
            body = pending.pop(tid, r.group(1) + "(") + r.group(2)
        c = CALL.match(body)
        if not c:
            continue  # +++ exited, --- SIGCHLD, ...
        args, rest = split_args(body[c.end():])
        if args is not None:
            yield tid, c.group(1), args, rest


def totals(lines):
    lines = list(lines)
    # Threads share their process's descriptors: map each thread to its
    # thread group, from the clones (their results may come after the
    # thread's first lines, hence a first pass).
    group = {}
    for tid, name, args, rest in calls(lines):
        r = RET.match(rest)
        if name in ("clone", "clone3") and r and int(r.group(1)) > 0 and "CLONE_THREAD" in " ".join(args):
            group[int(r.group(1))] = tid

    def tgid(tid):
        while tid in group:
            tid = group[tid]
        return tid

    live, done = {}, []  # (tgid, fd) -> Totals of the socket there now

    def end(key):
        if key in live:
            done.append(live.pop(key))

    def socket_at(pid, fd, proto, ends):
        key = (pid, fd)
        t = live.get(key)
        if t and (t.proto != proto or (t.ends[1] is not None and ends[1] is not None and t.ends[1] != ends[1])):
            end(key)  # another socket on that number, seen through a path not traced
            t = None
        if t is None:
            t = live[key] = Totals(pid, fd, proto)
        t.learn(ends)
        return t

    for tid, name, args, rest in calls(lines):
        pid = tgid(tid)
        r = RET.match(rest)
        ret = int(r.group(1)) if r else None
        if name == "close" and args:
            f = re.match(r"^(\d+)", args[0])
            if f:
                end((pid, int(f.group(1))))
            continue
        if name == "close_range" and len(args) >= 2 and ret == 0:
            lo, hi = (int(a.split("<")[0]) if a.split("<")[0].isdigit() else 1 << 32 for a in args[:2])
            for key in [k for k in live if k[0] == pid and lo <= k[1] <= hi]:
                end(key)
            continue
        if name in NEWFD and ret is not None and ret >= 0:
            end((pid, ret))  # whatever was on that number is gone
            n = fd_of(str(ret) + (r.group(2) or ""))
            if n and ip(n[1]):
                socket_at(pid, *n)
            continue
        # The socket argument: the first, but for splice the one that is a socket.
        if name == "splice" and len(args) >= 3:
            cands = [(args[0], False), (args[2], True)]
        else:  # other calls on a socket (connect, bind, shutdown...) still show its ends
            cands = [(args[0] if args else "", True if name in SEND else False if name in RECV else None)]
        for arg, send in cands:
            s = fd_of(arg)
            if not s or not ip(s[1]):
                continue
            t = socket_at(pid, *s)
            if name == "connect" and len(args) > 1 and (ret == 0 or "EINPROGRESS" in rest):
                t.learn((None, None) + sockaddr(args[1]))
            if send is None or ret is None or ret < 0:
                continue  # not a transfer, or failed
            nbytes, n = ret, 1
            if name in ("sendmmsg", "recvmmsg"):
                lens = [int(x) for x in MSG_LEN.findall(" ".join(args[1:2]))][:ret]
                nbytes, n = sum(lens), ret
                if len(lens) < ret:
                    t.incomplete = True  # strace cut the array: raise its -s
            flags = {"recv": 3, "recvfrom": 3, "recvmsg": 2}.get(name, len(args))
            if flags < len(args) and "MSG_PEEK" in args[flags]:
                t.peek += nbytes  # not received: the next read gets the same bytes
                continue
            t.add(name, send, nbytes, n)
            if not send and t.proto.startswith("UDP"):
                t.sources += sources(name, args, n)
    done.extend(live.values())
    return done


def main():
    with open(sys.argv[1], errors="replace") as f:
        for t in totals(f):
            print(json.dumps(t.json(), separators=(",", ":")))


if __name__ == "__main__":
    main()

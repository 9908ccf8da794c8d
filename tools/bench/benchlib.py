#!/usr/bin/env python3
"""Helpers of tools/bench/compare.sh where bash is clumsy (standard library only).

  benchlib.py users DIR                 sipp CSVs and Kamailio's password table
  benchlib.py step STAT_CSV RATE CALLS  one step of a rate search: pass|fail and its figures
  benchlib.py cpu PID                   CPU ticks (user + system) of PID and its descendants
  benchlib.py probe ...                 unloaded round trips, one request in flight
  benchlib.py residence PCAP PORT ...   the proxy's own time per message, from a capture
  benchlib.py table DIR                 the comparison table from the results in DIR

Every figure is written as a tab-separated line, so that compare.sh can keep the raw results.
"""

import argparse
import hashlib
import os
import random
import re
import socket
import statistics
import struct
import sys
import time

AGENTS = 1000
CUSTOMERS = 100
LOAD_USERS = 20000


def password(login):
    return "pw-" + login


def sipp_auth(login):
    return "[authentication username=%s password=%s]" % (login, password(login))


# ---------------------------------------------------------------------------------------- users

def cmd_users(args):
    """The users config/bench.yaml generates, written for sipp and for Kamailio."""
    out = args.dir
    os.makedirs(out, exist_ok=True)
    agents = ["agent%04d" % i for i in range(1, AGENTS + 1)]
    customers = ["cust%04d" % i for i in range(1, CUSTOMERS + 1)]
    load = ["load%06d" % i for i in range(1, LOAD_USERS + 1)]
    with open(os.path.join(out, "agents.csv"), "w") as f:
        f.write("SEQUENTIAL\n")
        for a in agents:
            f.write("%s;%s\n" % (a, sipp_auth(a)))
    # Sender i (round robin over the customers) writes to agent i.
    with open(os.path.join(out, "senders.csv"), "w") as f:
        f.write("SEQUENTIAL\n")
        for i, a in enumerate(agents):
            c = customers[i % CUSTOMERS]
            f.write("%s;%s;%s\n" % (c, a, sipp_auth(c)))
    with open(os.path.join(out, "load.csv"), "w") as f:
        f.write("SEQUENTIAL\n")
        for u in load:
            f.write("%s;%s\n" % (u, sipp_auth(u)))
    # db_text table for Kamailio's htable: one row per login, the password as a string value.
    db = os.path.join(out, "kamailio-db")
    os.makedirs(db, exist_ok=True)
    with open(os.path.join(db, "passwords"), "w") as f:
        f.write("key_name(string) key_type(int) value_type(int) key_value(string) expires(int)\n")
        for u in agents + customers + load:
            f.write("%s:0:0:%s:0\n" % (u, password(u)))
    print("users: %d agents, %d customers, %d load users in %s"
          % (len(agents), len(customers), len(load), out))


# ----------------------------------------------------------------------------------------- step

def epoch(field):
    # sipp writes "date<TAB>time<TAB>epoch.micro"
    return float(field.split("\t")[-1])


def cmd_step(args):
    """pass|fail, achieved rate, failed calls, successful calls, retransmissions, seconds."""
    rate, calls = args.rate, args.calls
    try:
        with open(args.stat) as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
        head = lines[0].split(";")
        last = lines[-1].split(";")
        col = {name: i for i, name in enumerate(head)}
        ok_calls = int(last[col["SuccessfulCall(C)"]])
        failed = int(last[col["FailedCall(C)"]])
        retrans = int(last[col["Retransmissions(C)"]])
        secs = epoch(last[col["CurrentTime"]]) - epoch(last[col["StartTime"]])
    except (OSError, IndexError, KeyError, ValueError):
        print("fail\t0\t?\t0\t?\t0")
        return
    achieved = ok_calls / secs if secs > 0 else 0.0
    passed = (args.rc == 0 and failed == 0 and ok_calls >= calls and achieved >= 0.95 * rate)
    print("%s\t%.0f\t%d\t%d\t%d\t%.2f"
          % ("pass" if passed else "fail", achieved, failed, ok_calls, retrans, secs))


# ------------------------------------------------------------------------------------------ cpu

def process_tree(root):
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(rest[1]), []).append(int(name))
    tree, todo = [], [root]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # fields 14 and 15 of stat (utime, stime); rest starts at field 3
    return int(rest[11]) + int(rest[12])


def cmd_cpu(args):
    """Seconds of CPU, user + system, of the process and everything it started (all threads)."""
    hz = os.sysconf("SC_CLK_TCK")
    total = sum(ticks(p) for p in process_tree(args.pid))
    print("%.2f" % (total / hz))


# ---------------------------------------------------------------------------------------- probe

def parse_sip(data):
    """(first line, {lower-case header: [values]}, body) of one datagram."""
    text = data.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return lines[0], headers, body


COMPACT = {"i": "call-id", "v": "via", "f": "from", "t": "to", "l": "content-length"}


def header(headers, name):
    v = headers.get(name)
    if v is None:
        for short, long_ in COMPACT.items():
            if long_ == name and short in headers:
                v = headers[short]
    return v[0] if v else None


def digest_params(challenge):
    params = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', challenge):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return params


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def authorization(challenges, method, uri, user, pw):
    """The MD5 credentials for the first MD5 challenge offered (RFC 2617, qop=auth if offered)."""
    for c in challenges:
        p = digest_params(c)
        if p.get("algorithm", "MD5").upper() == "MD5":
            break
    else:
        return None
    ha1 = md5("%s:%s:%s" % (user, p["realm"], pw))
    ha2 = md5("%s:%s" % (method, uri))
    fields = ['username="%s"' % user, 'realm="%s"' % p["realm"], 'nonce="%s"' % p["nonce"],
              'uri="%s"' % uri, "algorithm=MD5"]
    if "auth" in p.get("qop", "").split(","):
        cnonce = "%08x" % random.getrandbits(32)
        resp = md5("%s:%s:00000001:%s:auth:%s" % (ha1, p["nonce"], cnonce, ha2))
        fields += ["qop=auth", "nc=00000001", 'cnonce="%s"' % cnonce]
    else:
        resp = md5("%s:%s:%s" % (ha1, p["nonce"], ha2))
    fields.append('response="%s"' % resp)
    if "opaque" in p:
        fields.append('opaque="%s"' % p["opaque"])
    return "Digest " + ", ".join(fields)


class Prober:
    def __init__(self, host, port, local_port, timeout):
        self.dest = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", local_port))
        self.sock.settimeout(timeout)
        self.local = "127.0.0.1:%d" % local_port
        self.n = 0

    def request(self, method, uri, call_id, cseq, from_user, to_user, extra, body):
        self.n += 1
        lines = ["%s %s SIP/2.0" % (method, uri),
                 "Via: SIP/2.0/UDP %s;branch=z9hG4bK-probe-%d-%d" % (self.local, os.getpid(), self.n),
                 "Max-Forwards: 70",
                 "From: <sip:%s@%s>;tag=pr%d" % (from_user, self.dest[0], os.getpid()),
                 "To: <sip:%s@%s>" % (to_user, self.dest[0]),
                 "Call-ID: %s" % call_id,
                 "CSeq: %d %s" % (cseq, method)] + extra
        lines.append("Content-Length: %d" % len(body.encode()))
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), self.dest)

    def final(self, call_id, cseq):
        """The final answer to (call_id, cseq): (status, headers); provisional ones skipped."""
        while True:
            data = self.sock.recv(65536)
            first, headers, _ = parse_sip(data)
            if not first.startswith("SIP/2.0 "):
                continue
            if header(headers, "call-id") != call_id:
                continue
            cs = (header(headers, "cseq") or "").split()
            if not cs or cs[0] != str(cseq):
                continue
            status = int(first.split()[1])
            if status >= 200:
                return status, headers


def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


def cmd_probe(args):
    """N requests one after the other: the whole exchange (challenge round included) and the
    authenticated request alone (relayed to the agent's device for MESSAGE; the registrar's
    work for REGISTER), in microseconds."""
    pr = Prober(args.host, args.port, args.local_port, 2.0)
    whole, second, failures = [], [], 0
    host = "%s:%d" % (args.host, args.port)
    deadline = time.monotonic() + args.max_secs
    for i in range(args.count):
        if time.monotonic() > deadline:
            break
        call_id = "probe-%d-%d@127.0.0.1" % (os.getpid(), i)
        if args.kind == "message":
            sender = "cust%04d" % (i % CUSTOMERS + 1)
            target = "agent%04d" % (i % AGENTS + 1)
            method, uri, challenge, answer = "MESSAGE", "sip:%s@%s" % (target, host), \
                "proxy-authenticate", "Proxy-Authorization"
            body = "bench %s: probe %d" % (call_id, i)
            extra = ["Content-Type: text/plain"]
        else:
            sender = target = "load%06d" % (LOAD_USERS - i % 1000)
            method, uri, challenge, answer = "REGISTER", "sip:%s" % host, \
                "www-authenticate", "Authorization"
            body = ""
            extra = ["Contact: <sip:%s@127.0.0.1:9>" % sender, "Expires: 3600"]
        try:
            t0 = time.perf_counter()
            pr.request(method, uri, call_id, 1, sender, target, extra, body)
            status, headers = pr.final(call_id, 1)
            if status not in (401, 407):
                failures += 1
                continue
            cred = authorization(headers.get(challenge, []), method, uri, sender,
                                 password(sender))
            if cred is None:
                failures += 1
                continue
            t1 = time.perf_counter()
            pr.request(method, uri, call_id, 2, sender, target, extra + ["%s: %s" % (answer, cred)],
                       body)
            status, _ = pr.final(call_id, 2)
            t2 = time.perf_counter()
        except socket.timeout:
            failures += 1
            continue
        if status != 200:
            failures += 1
            continue
        whole.append((t2 - t0) * 1e6)
        second.append((t2 - t1) * 1e6)
    print("%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f" % (len(whole), failures,
          percentile(whole, 50), percentile(whole, 99),
          percentile(second, 50), percentile(second, 99)))


# ------------------------------------------------------------------------------------ residence

def pcap_packets(path):
    """(timestamp, src port, dst port, payload) of each IPv4 UDP packet in a pcap file."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        else:
            endian = ">"
            magic = struct.unpack(">I", head[:4])[0]
        scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        skip = {1: 14, 113: 16, 276: 20, 0: 4, 101: 0, 12: 0}.get(linktype)
        if skip is None:
            raise SystemExit("residence: link type %d not handled" % linktype)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + "IIII", rec)
            pkt = f.read(incl)
            ip = pkt[skip:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            ihl = (ip[0] & 15) * 4
            sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
            yield sec + frac * scale, sport, dport, ip[ihl + 8:]


BENCH_TOKEN = re.compile(r"bench (\S+):")


def cmd_residence(args):
    """The proxy's own time: a MESSAGE in (with credentials) to the MESSAGE it forwards, keyed by
    the token the client writes into the body (the Call-ID, kept whether or not the proxy keeps
    the header); the agent's 200 in to the 200 it passes back, keyed by Call-ID; and the MESSAGE
    without credentials to its 407."""
    port = args.port
    req_in, req_out, resp_in, resp_out, chal_in, chal_out = {}, {}, {}, {}, {}, {}
    packets = 0
    for ts, sport, dport, payload in pcap_packets(args.pcap):
        if (sport == port) == (dport == port):
            continue
        packets += 1
        first, headers, body = parse_sip(payload)
        call_id = header(headers, "call-id")
        cseq = (header(headers, "cseq") or "").split()
        inbound = dport == port
        if first.startswith("MESSAGE "):
            m = BENCH_TOKEN.search(body)
            key = m.group(1) if m else call_id
            if inbound and "proxy-authorization" in headers:
                req_in.setdefault(key, []).append(ts)
            elif inbound:
                chal_in.setdefault(call_id, ts)
            else:
                req_out.setdefault(key, ts)
        elif first.startswith("SIP/2.0 ") and len(cseq) == 2 and cseq[1] == "MESSAGE":
            status = first.split()[1]
            if status == "200":
                (resp_in if inbound else resp_out).setdefault(call_id, ts)
            elif status == "407" and not inbound:
                chal_out.setdefault(call_id, ts)

    def pairs(ins, outs, multi):
        d = []
        for key, t_out in outs.items():
            t_in = ins.get(key)
            if t_in is None:
                continue
            if multi:
                before = [t for t in t_in if t <= t_out]
                if not before:
                    continue
                t_in = max(before)
            if t_out >= t_in:
                d.append((t_out - t_in) * 1e6)
        return d

    for name, d in (("request", pairs(req_in, req_out, True)),
                    ("response", pairs(resp_in, resp_out, False)),
                    ("challenge", pairs(chal_in, chal_out, False))):
        print("%s\t%s\t%d\t%.0f\t%.0f\t%.0f" % (args.target, name, len(d), percentile(d, 50),
                                                percentile(d, 99),
                                                statistics.mean(d) if d else float("nan")))
    sys.stderr.write("residence %s: %d SIP packets to or from port %d\n"
                     % (args.target, packets, port))


# ---------------------------------------------------------------------------------------- table

def read_tsv(path):
    try:
        with open(path) as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    except OSError:
        return []
    return [r for r in rows if r and not r[0].startswith("#")]


def num(s):
    try:
        return float(s.lstrip(">="))
    except (ValueError, AttributeError):
        return None


def ratio(a, b):
    a, b = num(a), num(b)
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


def cmd_table(args):
    d = args.dir
    rows = []  # (figure, baseline, imswitch, kamailio)
    ceilings = {(r[0], r[1], r[2]): r[3] for r in read_tsv(os.path.join(d, "ceilings.tsv"))}
    sources = sorted({k[0] for k in ceilings})
    labels = {"message": "MESSAGE relay with digest, /s", "session": "IM sessions, /s",
              "register": "REGISTER with digest, /s"}
    for scenario in ("message", "session", "register"):
        for src in sources:
            if not any(k[0] == src and k[1] == scenario for k in ceilings):
                continue
            label = labels[scenario] + ("" if src == "sipp" else " (%s)" % src)
            rows.append((label,) + tuple(ceilings.get((src, scenario, t), "-")
                                         for t in ("baseline", "imswitch", "kamailio")))
    cpu = {}
    for r in read_tsv(os.path.join(d, "cpu.tsv")):
        # target rate calls cpu_s us_per_msg pct
        cpu.setdefault(r[0], []).append(r)
    if cpu:
        rate = next(iter(cpu.values()))[0][1]

        def med(t, i):
            v = [num(r[i]) for r in cpu.get(t, []) if num(r[i]) is not None]
            return "%.1f" % statistics.median(v) if v else "-"
        rows.append(("CPU per MESSAGE at %s/s, us" % rate, "-", med("imswitch", 4),
                     med("kamailio", 4)))
        rows.append(("  proxy CPU at %s/s, %% of a core" % rate, "-", med("imswitch", 5),
                     med("kamailio", 5)))
    probes = {(r[0], r[1]): r for r in read_tsv(os.path.join(d, "probe.tsv"))}
    for kind, label in (("message", "MESSAGE"), ("register", "REGISTER")):
        for col, what in ((4, "whole (challenge incl.) p50"), (5, "whole p99"),
                          (6, "authenticated request p50"), (7, "authenticated request p99")):
            if not any(k[1] == kind for k in probes):
                continue
            rows.append(("unloaded %s round trip, %s, us" % (label, what),)
                        + tuple(probes[(t, kind)][col] if (t, kind) in probes else "-"
                                for t in ("baseline", "imswitch", "kamailio")))
    res = {(r[0], r[1]): r for r in read_tsv(os.path.join(d, "residence.tsv"))}
    if res:
        rate = open(os.path.join(d, "residence.rate")).read().strip() \
            if os.path.exists(os.path.join(d, "residence.rate")) else "?"
        for kind, label in (("request", "MESSAGE in -> MESSAGE out"),
                            ("response", "200 in -> 200 out"),
                            ("challenge", "MESSAGE in -> 407 out")):
            for col, q in ((3, "p50"), (4, "p99")):
                rows.append(("residence at %s/s, %s %s, us" % (rate, label, q), "-")
                            + tuple(res[(t, kind)][col] if (t, kind) in res else "-"
                                    for t in ("imswitch", "kamailio")))
    head = ("figure", "baseline", "imswitch", "kamailio", "ims/kam", "ims/base")
    table = [head] + [r + (ratio(r[2], r[3]), ratio(r[2], r[1])) for r in rows]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(head))]
    for r in table:
        print("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                        for i, c in enumerate(r)))
    # The goals of the comparison, each judged on this run's figures.
    print()
    goals = []
    m = [ceilings.get(("sipp", "message", t)) for t in ("baseline", "imswitch", "kamailio")]
    goals.append(("MESSAGE relay >= 0.8 x the harness ceiling", ratio(m[1], m[0]), 0.8, "ge",
                  m[0] and m[0].startswith(">=")))
    goals.append(("MESSAGE relay >= 2.5 x Kamailio", ratio(m[1], m[2]), 2.5, "ge",
                  m[2] and m[2].startswith(">=")))
    if cpu:
        goals.append(("CPU per MESSAGE <= 0.25 x Kamailio's",
                      ratio(med("imswitch", 4), med("kamailio", 4)), 0.25, "le", False))
    s = [ceilings.get(("sipp", "session", t)) for t in ("imswitch", "kamailio")]
    goals.append(("IM sessions >= 2.0 x Kamailio", ratio(s[0], s[1]), 2.0, "ge",
                  s[1] and s[1].startswith(">=")))
    g = [ceilings.get(("sipp", "register", t)) for t in ("imswitch", "kamailio")]
    goals.append(("REGISTER >= 1.5 x Kamailio", ratio(g[0], g[1]), 1.5, "ge",
                  g[1] and g[1].startswith(">=")))
    if res:
        goals.append(("residence p99 <= 0.5 x Kamailio's",
                      ratio(res.get(("imswitch", "request"), [0] * 5)[4],
                            res.get(("kamailio", "request"), [0] * 5)[4]), 0.5, "le", False))
    for name, r, bound, how, capped in goals:
        v = num(r) if r != "-" else None
        if v is None:
            verdict = "not measured"
        else:
            met = v >= bound if how == "ge" else v <= bound
            verdict = "met" if met else "not met"
            if capped:
                verdict += " (a reference figure hit the top of the ladder: only a bound)"
        print("goal: %-44s %6s  %s" % (name, r, verdict))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("users")
    p.add_argument("dir")
    p = sub.add_parser("step")
    p.add_argument("stat")
    p.add_argument("rate", type=int)
    p.add_argument("calls", type=int)
    p.add_argument("--rc", type=int, default=0, help="sipp's exit status")
    p = sub.add_parser("cpu")
    p.add_argument("pid", type=int)
    p = sub.add_parser("probe")
    p.add_argument("kind", choices=("message", "register"))
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--local-port", type=int, required=True)
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--max-secs", type=float, default=60)
    p = sub.add_parser("residence")
    p.add_argument("pcap")
    p.add_argument("port", type=int)
    p.add_argument("--target", required=True)
    p = sub.add_parser("table")
    p.add_argument("dir")
    args = ap.parse_args()
    if getattr(args, "host", "127.0.0.1").split(".")[0] != "127":
        raise SystemExit("benchlib: loopback targets only")
    {"users": cmd_users, "step": cmd_step, "cpu": cmd_cpu, "probe": cmd_probe,
     "residence": cmd_residence, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An unauthenticated flood from a new UDP port for every call, for tests/bench/overload.sh.

  flood_ports.py HOST PORT CALLS_PER_S SECONDS [--processes N]

Each call is what tests/bench/sipp/flood_unauth.xml sends (sipp's own port-per-call mode, -t un,
fails to bind in the sipp Debian 12 ships): a REGISTER without credentials, a REGISTER with wrong
ones and a pager MESSAGE without, sent once from a socket of its own that is closed right after,
so that no two calls share a source and no per-source limit can hold the flood. Answers are not
read. Paced at CALLS_PER_S for SECONDS in N processes (default 2); prints the calls it sent.
Loopback only: HOST must be in 127.0.0.0/8 or ::1.
"""

import argparse
import ipaddress
import multiprocessing
import os
import socket
import sys
import time


def requests(host, local, call):
    """The three requests of one call, as bytes."""
    user = f"load{call % 1000 + 1:06d}"
    via = f"SIP/2.0/UDP {local[0]}:{local[1]}"
    tag = f"{os.getpid()}x{call}"
    common = (f"Max-Forwards: 70\r\nFrom: <sip:{user}@{host}>;tag={tag}\r\n")
    register = (f"REGISTER sip:{host} SIP/2.0\r\nVia: {via};branch=z9hG4bK{tag}r\r\n{common}"
                f"To: <sip:{user}@{host}>\r\nCall-ID: r{tag}\r\nCSeq: 1 REGISTER\r\n"
                f"Contact: <sip:{user}@{local[0]}:{local[1]}>\r\nExpires: 300\r\n"
                f"Content-Length: 0\r\n\r\n")
    wrong = (f"REGISTER sip:{host} SIP/2.0\r\nVia: {via};branch=z9hG4bK{tag}w\r\n{common}"
             f"To: <sip:{user}@{host}>\r\nCall-ID: w{tag}\r\nCSeq: 2 REGISTER\r\n"
             f"Contact: <sip:{user}@{local[0]}:{local[1]}>\r\n"
             f'Authorization: Digest username="{user}", realm="{host}", nonce="{"0" * 64}", '
             f'uri="sip:{host}", response="{"0" * 32}", algorithm=MD5\r\n'
             f"Expires: 300\r\nContent-Length: 0\r\n\r\n")
    message = (f"MESSAGE sip:agent0001@{host} SIP/2.0\r\nVia: {via};branch=z9hG4bK{tag}m\r\n"
               f"{common}To: <sip:agent0001@{host}>\r\nCall-ID: m{tag}\r\nCSeq: 1 MESSAGE\r\n"
               f"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nflood")
    return [r.encode() for r in (register, wrong, message)]


def run(host, port, rate, seconds, first, step, sent):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    start = time.monotonic()
    call = first
    n = 0
    while True:
        due = start + n / rate  # open loop: each call has its time
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        s = socket.socket(family, socket.SOCK_DGRAM)
        try:
            s.bind((host, 0))
            for datagram in requests(host, s.getsockname(), call):
                s.sendto(datagram, (host, port))
        except OSError:
            pass  # a full socket buffer: the flood goes on
        finally:
            s.close()
        n += 1
        call += step
    with sent.get_lock():
        sent.value += n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("rate", type=float, help="calls a second (three requests each)")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--processes", type=int, default=2)
    a = parser.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("flood_ports.py: loopback addresses only")
    if a.rate <= 0 or a.seconds <= 0 or not 1 <= a.processes <= 16:
        sys.exit("flood_ports.py: rate and seconds above 0, 1 to 16 processes")
    sent = multiprocessing.Value("q", 0)
    workers = [multiprocessing.Process(
        target=run, args=(a.host, a.port, a.rate / a.processes, a.seconds, i, a.processes, sent))
        for i in range(a.processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(a.seconds + 30)
        if w.is_alive():
            w.kill()
    print(f"flood_ports.py: {sent.value} calls, {3 * sent.value} requests, a socket each call")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Rebuilds the RFC corpus (*.sip files) from the RFCs' own text.

RFC 4475 and RFC 5118 each end with Appendix A, "Bit-Exact Archive of Each Test Message": a
base64 gzip'd tar of every message of the document. This script decodes that archive the way the
RFCs describe (every line between the BEGIN/END MESSAGE ARCHIVE markers that is one base64 word)
and writes each message as tests/conformance/corpus/<kind>/rfc<N>-<section>-<name>.sip.

RFC 4475's archive is CRLF-exact, except that baddn (§3.1.2.15) lacks the empty line ending its
header, which the section's prose (a display-name test) does not ask for: it gets the CRLF that
RFC 3261 §7 requires. RFC 5118's archive uses bare LF and its Content-Length values
were computed by hand; the document calls every message but ipv6-bad "well-formed", so for the
wire we use CRLF line endings, end the header with the empty line RFC 3261 §7 requires, and set
Content-Length to the real body size (RFC 3261 §20.14). Nothing else is changed.

Usage: from_rfc.py rfc4475.txt rfc5118.txt [out_dir]
The manifest (expect.tsv) is written by hand from the RFCs' prose; this script only lists the
files it wrote so a missing manifest row is easy to spot.
"""

import base64
import io
import os
import re
import sys
import tarfile

# archive member -> (section, kind). Sections and kinds follow the RFCs' own headings:
# RFC 4475 §3.1.1 and §3.4 valid, §3.1.2 invalid, §3.2 and §3.3 semantic.
RFC4475 = {
    "wsinv": ("3.1.1.1", "valid"), "intmeth": ("3.1.1.2", "valid"),
    "esc01": ("3.1.1.3", "valid"), "escnull": ("3.1.1.4", "valid"),
    "esc02": ("3.1.1.5", "valid"), "lwsdisp": ("3.1.1.6", "valid"),
    "longreq": ("3.1.1.7", "valid"), "dblreq": ("3.1.1.8", "valid"),
    "semiuri": ("3.1.1.9", "valid"), "transports": ("3.1.1.10", "valid"),
    "mpart01": ("3.1.1.11", "valid"), "unreason": ("3.1.1.12", "valid"),
    "noreason": ("3.1.1.13", "valid"),
    "badinv01": ("3.1.2.1", "invalid"), "clerr": ("3.1.2.2", "invalid"),
    "ncl": ("3.1.2.3", "invalid"), "scalar02": ("3.1.2.4", "invalid"),
    "scalarlg": ("3.1.2.5", "invalid"), "quotbal": ("3.1.2.6", "invalid"),
    "ltgtruri": ("3.1.2.7", "invalid"), "lwsruri": ("3.1.2.8", "invalid"),
    "lwsstart": ("3.1.2.9", "invalid"), "trws": ("3.1.2.10", "invalid"),
    "escruri": ("3.1.2.11", "invalid"), "baddate": ("3.1.2.12", "invalid"),
    "regbadct": ("3.1.2.13", "invalid"), "badaspec": ("3.1.2.14", "invalid"),
    "baddn": ("3.1.2.15", "invalid"), "badvers": ("3.1.2.16", "invalid"),
    "mismatch01": ("3.1.2.17", "invalid"), "mismatch02": ("3.1.2.18", "invalid"),
    "bigcode": ("3.1.2.19", "invalid"),
    "badbranch": ("3.2.1", "semantic"),
    "insuf": ("3.3.1", "semantic"), "unkscm": ("3.3.2", "semantic"),
    "novelsc": ("3.3.3", "semantic"), "unksm2": ("3.3.4", "semantic"),
    "bext01": ("3.3.5", "semantic"), "invut": ("3.3.6", "semantic"),
    "regaut01": ("3.3.7", "semantic"), "multi01": ("3.3.8", "semantic"),
    "mcl01": ("3.3.9", "semantic"), "bcast": ("3.3.10", "semantic"),
    "zeromf": ("3.3.11", "semantic"), "cparam01": ("3.3.12", "semantic"),
    "cparam02": ("3.3.13", "semantic"), "regescrt": ("3.3.14", "semantic"),
    "sdp01": ("3.3.15", "semantic"),
    "inv2543": ("3.4.1", "valid"),
}
# RFC 5118 §4: 4.2 is the only message it calls invalid; 4.3 parses but means the wrong thing.
RFC5118 = {
    "ipv6-good": ("4.1", "valid"), "ipv6-bad": ("4.2", "invalid"),
    "port-ambiguous": ("4.3", "semantic"), "port-unambiguous": ("4.4", "valid"),
    "via-received-param-with-delim": ("4.5", "valid"),
    "via-received-param-no-delim": ("4.5", "valid"),
    "ipv6-in-sdp": ("4.6", "valid"), "mult-ip-in-header": ("4.7", "valid"),
    "mult-ip-in-sdp": ("4.8", "valid"), "ipv4-mapped-ipv6": ("4.9", "valid"),
    "ipv6-bug-abnf-3-colons": ("4.10", "valid"),
    "ipv6-correct-abnf-2-colons": ("4.10", "valid"),
}
B64_WORD = re.compile(r"^\s*[A-Za-z0-9+/=]+\s*$")


def archive_members(rfc_text):
    """The decoded Appendix A archive: {member base name: bytes}."""
    inside, words = False, []
    for line in rfc_text.splitlines():
        if "-- BEGIN MESSAGE ARCHIVE --" in line:
            inside = True
        elif "-- END MESSAGE ARCHIVE --" in line:
            inside = False
        elif inside and B64_WORD.match(line):
            words.append(line.strip())
    blob = base64.b64decode("".join(words))
    out = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for m in tar.getmembers():
            if m.isfile():
                name = os.path.basename(m.name)
                out[re.sub(r"\.dat$", "", name)] = tar.extractfile(m).read()
    return out


def to_wire(msg):
    """RFC 5118 messages: CRLF line ends, a terminated header, a true Content-Length."""
    msg = msg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    end = msg.find(b"\r\n\r\n")
    if end < 0:
        return msg + b"\r\n"
    head, body = msg[:end + 4], msg[end + 4:]
    head = re.sub(rb"(?im)^(Content-Length[ \t]*:[ \t]*)\d+", lambda m: m.group(1) +
                  str(len(body)).encode(), head)
    return head + body


def terminate_header(msg):
    """RFC 4475 messages: bytes as archived, plus the header-ending CRLF where it is missing."""
    return msg if b"\r\n\r\n" in msg else msg + b"\r\n"


def write_all(rfc, table, members, out_dir, fix):
    written = []
    for name, (section, kind) in table.items():
        data = members[name]
        data = fix(data)
        path = os.path.join(out_dir, kind, "rfc%s-%s-%s.sip" % (rfc, section, name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        written.append(os.path.relpath(path, out_dir))
    return written


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(os.path.abspath(__file__))
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        m4475 = archive_members(f.read())
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        m5118 = archive_members(f.read())
    files = write_all("4475", RFC4475, m4475, out_dir, terminate_header)
    files += write_all("5118", RFC5118, m5118, out_dir, to_wire)
    for f in sorted(files):
        print(f)


if __name__ == "__main__":
    main()

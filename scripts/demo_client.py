#!/usr/bin/env python3
"""A minimal lorad client for the demo, in standard-library Python (not the planned
Python package): it speaks protocol/PROTOCOL.md directly.

demo_client.py switch SOCKET BASE SET [SET...]
    Opens one fused session on BASE and switches it to each SET in turn
    (SET = NAME[:WEIGHT][,NAME[:WEIGHT]...]), mapping every segment it receives
    read-only with mmap, as a generator would, and reusing mappings by segment id.
demo_client.py watch SOCKET HELLO_VECTOR
    Connects, sends the golden HELLO frame from HELLO_VECTOR, then waits for the
    SHUTTING_DOWN event and prints it.
"""
import fcntl
import json
import mmap
import os
import socket
import struct
import sys

HELLO, OPEN_SESSION, SWITCH, CLOSE_SESSION = 0x0001, 0x0020, 0x0023, 0x0024
SHUTTING_DOWN, ERROR, FATAL = 0x4001, 0xFFFE, 0xFFFF
MAX_FRAME, MAX_FDS = 65536, 253
SEGMENT_KINDS = {0: "base", 1: "factors", 2: "overlay"}


def text(value):
    raw = value.encode()
    return struct.pack("<H", len(raw)) + raw


class Reader:
    """Reads protocol fields from a payload, in order."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def text(self):
        n = self.take("H")
        value = self.data[self.at:self.at + n].decode()
        self.at += n
        return value

    def records(self, read_item):
        """A list<record T>: each item is read within its length, trailing bytes skipped."""
        items = []
        for _ in range(self.take("H")):
            n = self.take("H")
            items.append(read_item(Reader(self.data[self.at:self.at + n])))
            self.at += n
        return items


class LoradError(Exception):
    pass


class Connection:
    """One connection, HELLO done. `hello_frame`: send these bytes (a whole HELLO frame with
    request id 1) instead of encoding HELLO here."""

    def __init__(self, path, name="lorad-demo-client/0.1", hello_frame=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buffer, self.fds, self.next_id = b"", [], 1
        if hello_frame is None:
            reply = Reader(self.request(HELLO, struct.pack("<HHHH", 1, 0, 1, 0) + text(name))[0])
        else:
            self.sock.sendall(hello_frame)
            self.next_id = 2
            reply = Reader(self.wait_for(1)[0])
        major, minor = reply.take("HH")
        self.server = reply.text()
        self.version = f"{major}.{minor}"

    def send(self, opcode, payload):
        request_id, self.next_id = self.next_id, self.next_id + 1
        self.sock.sendall(struct.pack("<IHHHHI", len(payload), opcode, 0, 0, 0, request_id) + payload)
        return request_id

    def read_frame(self):
        """(opcode, request_id, payload, fds) of the next frame; fds arrive with its first byte."""
        while True:
            if len(self.buffer) >= 16:
                length, opcode, _flags, fd_count, _reserved, request_id = struct.unpack_from("<IHHHHI", self.buffer)
                if 16 + length > MAX_FRAME or fd_count > MAX_FDS:
                    raise LoradError("frame over the announced limits")
                if len(self.buffer) >= 16 + length:
                    if len(self.fds) < fd_count:
                        raise LoradError("descriptors missing for a frame")
                    payload, self.buffer = self.buffer[16:16 + length], self.buffer[16 + length:]
                    fds, self.fds = self.fds[:fd_count], self.fds[fd_count:]
                    return opcode, request_id, payload, fds
            data, fds, flags, _ = socket.recv_fds(self.sock, MAX_FRAME, MAX_FDS, socket.MSG_CMSG_CLOEXEC)
            if flags & socket.MSG_CTRUNC:
                raise LoradError("control message truncated: descriptors were lost")
            if not data:
                raise EOFError("lorad closed the connection")
            self.buffer += data
            self.fds += fds

    def request(self, opcode, payload):
        return self.wait_for(self.send(opcode, payload))

    def wait_for(self, request_id):
        """The reply (payload, fds) to `request_id`; raises LoradError for ERROR and FATAL."""
        while True:
            reply_opcode, reply_id, reply, fds = self.read_frame()
            if reply_id != request_id:  # an event (id 0): not ours; close what it carries
                for fd in fds:
                    os.close(fd)
                continue
            if reply_opcode in (ERROR, FATAL):
                error = Reader(reply)
                code, name, message = error.take("H"), error.text(), error.text()
                raise LoradError(f"{message} ({name}, code {code})")
            return reply, fds

    def session_request(self, opcode, payload):
        reply, fds = self.request(opcode, payload)
        r = Reader(reply)
        session = {"session_id": r.take("Q"), "base": r.text(), "mode": r.take("B"), "generation": r.take("Q")}
        session["active"] = r.records(lambda a: (a.text(), a.take("I"), a.take("d")))

        def segment(s):
            kind, segment_id, size, index = s.take("B"), s.take("Q"), s.take("Q"), s.take("H")
            adapter = s.take("H") if s.take("B") else None
            return {"kind": SEGMENT_KINDS.get(kind, str(kind)), "id": segment_id, "size": size, "fd": fds[index],
                    "adapter": adapter}
        session["segments"] = r.records(segment)
        return session

    def open_session(self, base, fused=True):
        return self.session_request(OPEN_SESSION, text(base) + struct.pack("<B", 1 if fused else 0))

    def switch(self, session_id, adapters):
        items = b""
        for name, weight in adapters:
            item = text(name) + b"\x00" + struct.pack("<d", weight)  # version absent: the latest
            items += struct.pack("<H", len(item)) + item
        return self.session_request(SWITCH, struct.pack("<QH", session_id, len(adapters)) + items)

    def close_session(self, session_id):
        self.request(CLOSE_SESSION, struct.pack("<Q", session_id))


def seals_text(fd):
    seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    names = [(fcntl.F_SEAL_WRITE, "write"), (fcntl.F_SEAL_SHRINK, "shrink"), (fcntl.F_SEAL_GROW, "grow"),
             (fcntl.F_SEAL_SEAL, "seal")]
    return "+".join(name for bit, name in names if seals & bit) or "none"


def tensor_count(mapping):
    """The number of tensors of the safetensors file in `mapping`, read from the mapping."""
    (n,) = struct.unpack_from("<Q", mapping, 0)
    return sum(1 for key in json.loads(mapping[8:8 + n]) if key != "__metadata__")


def parse_set(spec):
    adapters = []
    for part in spec.split(","):
        name, _, weight = part.partition(":")
        adapters.append((name, float(weight) if weight else 1.0))
    return adapters


def switch(path, base, *sets):
    connection = Connection(path)
    mapped = {}  # segment id -> mmap: each segment is mapped once per process

    def take(session):
        for seg in session["segments"]:
            fd = seg["fd"]
            if seg["id"] in mapped:
                os.close(fd)
                note = "already mapped: new descriptor closed, mapping kept"
            else:
                memfd = os.readlink(f"/proc/self/fd/{fd}").removeprefix("/").removesuffix(" (deleted)")
                mapped[seg["id"]] = mmap.mmap(fd, seg["size"], flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
                note = (f"{memfd}, sealed {seals_text(fd)}; "
                        f"mapped read-only: {tensor_count(mapped[seg['id']])} tensors")
                if seg["kind"] == "base":
                    note += "\n" + " " * 36 + write_probe(fd)
                os.close(fd)  # the mapping outlives the descriptor
            print(f"    segment {seg['id']:>2} {seg['kind']:<7} {seg['size']:>7} bytes  {note}")

    session = connection.open_session(base)
    print(f"  {connection.server} (protocol {connection.version}); OPEN_SESSION {base} in fused mode: "
          f"session {session['session_id']}, generation {session['generation']}")
    take(session)
    for spec in sets:
        adapters = parse_set(spec)
        session = connection.switch(session["session_id"], adapters)
        active = ", ".join(f"{name}@{version} weight {weight:g}" for name, version, weight in session["active"])
        print(f"  SWITCH to [{active}]: generation {session['generation']}")
        take(session)
    connection.close_session(session["session_id"])
    print(f"  CLOSE_SESSION: done; the {len(mapped)} mappings stay valid after the session and the connection end")
    return 0


def write_probe(fd):
    """Reopens the segment read-write through /proc and tries to write: the seals refuse."""
    rw = os.open(f"/proc/self/fd/{fd}", os.O_RDWR)
    try:
        os.pwrite(rw, b"\0", 0)
        raise LoradError("a write into a sealed segment succeeded; the segment is not sealed")
    except PermissionError:
        return "reopened read-write through /proc: pwrite() fails with EPERM (F_SEAL_WRITE)"
    finally:
        os.close(rw)


def watch(path, vector):
    frame = bytearray()
    for line in open(vector, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            frame += bytes.fromhex(line)
    connection = Connection(path, hello_frame=bytes(frame))
    print(f"  watcher: sent the golden HELLO frame; {connection.server} answered HELLO_REPLY, "
          f"protocol {connection.version}", flush=True)
    try:
        while True:
            opcode, _, payload, fds = connection.read_frame()
            for fd in fds:
                os.close(fd)
            if opcode == SHUTTING_DOWN:
                event = Reader(payload)
                grace = event.take("I")
                print(f"  watcher: got SHUTTING_DOWN ({event.text()!r}, {grace} ms grace); closing its connection",
                      flush=True)
                return 0
    except EOFError:
        print("  watcher: lorad closed the connection without SHUTTING_DOWN")
        return 1
    finally:
        connection.sock.close()


def main(argv):
    try:
        if len(argv) >= 5 and argv[1] == "switch":
            return switch(*argv[2:])
        if len(argv) == 4 and argv[1] == "watch":
            return watch(*argv[2:])
    except (OSError, EOFError, LoradError) as error:
        print(f"demo_client: {error}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Read procshare shared-memory segments from Python.

procshare (a Java library) keeps shared values in files under /dev/shm named ``procshare-<name>``.
This module maps one with ``multiprocessing.shared_memory.SharedMemory`` and reads what it holds:
typed arrays (read and write), ``ShareableList`` and ``SharedRecord`` segments (read). Run it as a
script to print a segment as JSON::

    python3 procshare_shm.py NAME [NAME ...]

Every segment starts with a 128-byte header, little-endian::

    0 magic b"PSHMEM01"   8 layout version (int32, 1)   12 kind (int32)   16 header size (int32, 128)
    20 flags (int32; 1 = persistent)   24 payload bytes (int64)   32 owner pid (int64)
    40 owner start time (int64)   48 element count (int64)

The payload follows at offset 128, in the machine's native byte order. Kinds: 1 raw bytes, 2 value
slab (SharedLong, SharedLock, ...), 3 int32 array, 4 int64 array, 5 float64 array, 6 byte array,
7 ShareableList, 8 SharedRecord, 9 SharedQueue. Lists and records are "cells" (see ``_Cells``): a reader copies the
active area of a cell and retries if a writer published a new one meanwhile, so it never returns a
torn value. Writing lists and records is left to Java: their writers take a process-robust lock whose
owner token is JVM-specific.

The module unregisters each mapping from Python's resource tracker, which would otherwise unlink the
Java process's segment when this process exits (Python 3.8-3.12 track segments they only attach to).
"""

import json
import struct
import sys
from multiprocessing import resource_tracker, shared_memory

HEADER_SIZE = 128
MAGIC = b"PSHMEM01"
VERSION = 1
KINDS = {1: "raw", 2: "slab", 3: "int_array", 4: "long_array", 5: "double_array", 6: "byte_array",
         7: "shareable_list", 8: "record", 9: "queue"}
_ARRAY_FORMATS = {3: "i", 4: "q", 5: "d", 6: "B"}
_RECORD_FORMATS = {"boolean": "?", "byte": "b", "short": "h", "char": "H", "int": "i", "long": "q",
                   "float": "f", "double": "d"}


class SegmentError(Exception):
    """The segment is missing, not a procshare segment, or not of the kind asked for."""


class Segment:
    """One mapped procshare segment: its header fields and its payload as a memoryview."""

    def __init__(self, name):
        try:
            try:
                self._shm = shared_memory.SharedMemory(name="procshare-" + name, track=False)
            except TypeError:  # Python < 3.13 has no track=False: attach, then stop the tracker owning it
                self._shm = shared_memory.SharedMemory(name="procshare-" + name)
                resource_tracker.unregister(self._shm._name, "shared_memory")
        except FileNotFoundError:
            raise SegmentError("no procshare segment named %r (no /dev/shm/procshare-%s)" % (name, name))
        self.name = name
        buf = self._shm.buf
        if len(buf) < HEADER_SIZE or bytes(buf[0:8]) != MAGIC:
            self.close()
            raise SegmentError("%r is not a procshare segment" % name)
        version, kind, header_size, flags, payload, pid, start, elements = struct.unpack_from(
            "<iiiiqqqq", buf, 8)
        if version != VERSION or header_size != HEADER_SIZE:
            self.close()
            raise SegmentError("segment %r has layout version %d; this helper reads %d" % (name, version, VERSION))
        if len(buf) < HEADER_SIZE + payload:
            self.close()
            raise SegmentError("segment %r is truncated" % name)
        self.kind = KINDS.get(kind, "unknown(%d)" % kind)
        self.kind_code = kind
        self.persistent = bool(flags & 1)
        self.owner_pid = pid
        self.elements = elements
        self.payload = buf[HEADER_SIZE:HEADER_SIZE + payload]

    def expect(self, *codes):
        if self.kind_code not in codes:
            raise SegmentError("segment %r holds a %s, not a %s" % (
                self.name, self.kind, " or ".join(KINDS[c] for c in codes)))

    def close(self):
        if getattr(self, "payload", None) is not None:
            self.payload.release()
            self.payload = None
        self._shm.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_array(name):
    """A typed memoryview on a SharedIntArray/LongArray/DoubleArray/ByteArray (index, slice, assign).

    Element reads and writes are aligned native loads and stores, atomic for one element on x86-64 and
    aarch64. Keep the Segment (second value) open while using the view, then close it.
    """
    seg = Segment(name)
    try:
        seg.expect(3, 4, 5, 6)
        fmt = _ARRAY_FORMATS[seg.kind_code]
        view = seg.payload[:seg.elements * struct.calcsize(fmt)].cast(fmt)
    except Exception:
        seg.close()
        raise
    return view, seg


class _Cells:
    """The cell table of a list or record segment (procshare's Cells)."""

    def __init__(self, seg):
        self.seg = seg
        p = seg.payload
        desc_len, self.first, self.count, self.area = struct.unpack_from("=iiii", p, 16)
        self.descriptor = bytes(p[32:32 + desc_len]).decode("utf-8")

    def read(self, i, decode):
        """decode(memoryview of the active area) from one complete write: retried if overtaken."""
        if not 0 <= i < self.count:
            raise IndexError("index %d out of range for %d cells" % (i, self.count))
        p = self.seg.payload
        at = self.first + i * (8 + 2 * self.area)
        for _ in range(1_000_000):
            (before,) = struct.unpack_from("=q", p, at)
            start = at + 8 + (before & 1) * self.area
            area = bytes(p[start:start + self.area])
            (after,) = struct.unpack_from("=q", p, at)
            if before == after:
                return decode(area)
        raise SegmentError("cell %d of %r kept changing while being read" % (i, self.seg.name))


def read_list(name):
    """The items of a ShareableList as a Python list (None, bool, int, float, str, bytes)."""
    with Segment(name) as seg:
        seg.expect(7)
        cells = _Cells(seg)
        return [cells.read(i, _decode_item) for i in range(cells.count)]


def _decode_item(area):
    tag, length = struct.unpack_from("=ii", area, 0)
    if tag == 0:
        return None
    if tag == 1:
        return area[8] != 0
    if tag == 2:
        return struct.unpack_from("=q", area, 8)[0]
    if tag == 3:
        return struct.unpack_from("=d", area, 8)[0]
    if tag in (4, 5):
        data = area[8:8 + length]
        return data.decode("utf-8") if tag == 4 else data
    raise SegmentError("unknown ShareableList item type %d" % tag)


def read_record(name):
    """A SharedRecord's fields as a dict (field name -> value), plus its Java class under "__class__"."""
    with Segment(name) as seg:
        seg.expect(8)
        cells = _Cells(seg)
        head, fields = cells.descriptor.split(";fields=")
        layout = []
        for field in filter(None, fields.split(",")):
            fname, ftype, offset = field.split(":")
            layout.append((fname, _RECORD_FORMATS[ftype], int(offset)))

        def decode(area):
            values = {"__class__": head[len("record="):]}
            for fname, fmt, offset in layout:
                (v,) = struct.unpack_from("=" + fmt, area, offset)
                values[fname] = chr(v) if fmt == "H" else v
            return values
        return cells.read(0, decode)


def read(name):
    """Whatever the segment holds, as plain Python values (for arrays, a list copy)."""
    with Segment(name) as seg:
        code = seg.kind_code
    if code in _ARRAY_FORMATS:
        view, seg = open_array(name)
        try:
            return view.tolist()
        finally:
            view.release()
            seg.close()
    if code == 7:
        return read_list(name)
    if code == 8:
        return read_record(name)
    raise SegmentError("segment %r holds a %s, which this helper does not decode" % (name, KINDS.get(code, code)))


def _jsonable(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: procshare_shm.py NAME [NAME ...]")
    status = 0
    for arg in sys.argv[1:]:
        try:
            print(json.dumps({"name": arg, "value": _jsonable(read(arg))}, sort_keys=True))
        except SegmentError as e:
            print("procshare_shm: %s" % e, file=sys.stderr)
            status = 2
    sys.exit(status)

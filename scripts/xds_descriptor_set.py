#!/usr/bin/env python3
"""Envoy's .proto descriptors from the xds-protos wheel, for protoc's C++ generator.

Why: Envoy's .proto sources are in no Debian package, but the `xds-protos` wheel on PyPI (pinned
in third_party/xds-protos.env) carries every file's compiled FileDescriptorProto, and Debian's
protoc can generate C++ from descriptors alone (`--descriptor_set_in`). Build tooling only: the
product never runs Python.

How: each `*_pb2.py` in the wheel passes its file's serialized FileDescriptorProto as a bytes
literal to `AddSerializedFile(...)`. This script reads that literal with `ast` (the modules are
never imported, so no protobuf runtime is needed), reads each descriptor's `name` (field 1) and
`dependency` list (field 3) with a minimal wire-format reader, and walks the dependency closure
of the requested root files. Dependencies under google/protobuf/ (the well-known types, compiled
into libprotobuf) come from a descriptor set made by Debian's protoc from /usr/include.

Subcommands (all output is deterministic: sorted, topological, byte-identical across runs):
  list  --wheel W ROOT...                  print the closure's wheel files, one a line, sorted
                                           (what protoc generates C++ for; no well-known types)
  set   --wheel W --wkt WKT.pb --out OUT ROOT...
                                           write one FileDescriptorSet with the whole closure
                                           (well-known types included), dependencies first
  cpp   --protoc P --set OUT --out-dir D --stamp S ROOT...
                                           run protoc --cpp_out for the closure into a scratch
                                           directory and copy into D only the files whose
                                           content changed (so Ninja recompiles only those),
                                           removing generated files no longer in the closure
Files are written only when their content changes, so Ninja's restat prunes unchanged work.
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

WKT_PREFIX = "google/protobuf/"


def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) of one message; value is bytes for wire type 2."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def _name_and_deps(file_proto):
    name, deps = None, []
    for number, wire, value in _fields(file_proto):
        if wire == 2 and number == 1:
            name = value.decode()
        elif wire == 2 and number == 3:
            deps.append(value.decode())
    return name, deps


def _encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _serialized_literal(source, path):
    """The bytes literal passed to AddSerializedFile(...) in a _pb2.py source."""
    for node in ast.walk(ast.parse(source, path)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "AddSerializedFile" and len(node.args) == 1):
            value = ast.literal_eval(node.args[0])
            if isinstance(value, bytes):
                return value
    raise ValueError("%s: no AddSerializedFile(b'...') call" % path)


class Wheel:
    """The FileDescriptorProtos of a wheel, read lazily by .proto file name."""

    def __init__(self, path):
        self._zip = zipfile.ZipFile(path)
        self._members = set(self._zip.namelist())
        self._cache = {}

    def has(self, proto):
        return proto[:-len(".proto")] + "_pb2.py" in self._members

    def get(self, proto):
        if proto not in self._cache:
            member = proto[:-len(".proto")] + "_pb2.py"
            source = self._zip.read(member).decode("utf-8")
            data = _serialized_literal(source, member)
            name, deps = _name_and_deps(data)
            if name != proto:
                raise ValueError("%s describes %r, expected %r" % (member, name, proto))
            self._cache[proto] = (data, deps)
        return self._cache[proto]


def _read_set(path):
    """A FileDescriptorSet file → {name: (serialized file, dependencies)}."""
    with open(path, "rb") as f:
        buf = f.read()
    files = {}
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 2:
            name, deps = _name_and_deps(value)
            files[name] = (bytes(value), deps)
    return files


def _closure(roots, wheel, wkt):
    """Files of the closure of `roots`, dependencies first (DFS over sorted roots, in each
    file's declared dependency order). With wkt=None, google/protobuf/ files are left out."""
    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            raise ValueError("import cycle: " + " -> ".join(chain + [name]))
        if wheel.has(name) and not name.startswith(WKT_PREFIX):
            deps = wheel.get(name)[1]
        elif name.startswith(WKT_PREFIX):
            if wkt is None:
                state[name] = "done"
                return
            if name not in wkt:
                raise ValueError("%s (imported by %s) is not in the well-known types set"
                                 % (name, chain[-1] if chain else "the roots"))
            deps = wkt[name][1]
        else:
            raise ValueError("%s (imported by %s) is in neither the wheel nor the well-known "
                             "types" % (name, chain[-1] if chain else "the roots"))
        state[name] = "active"
        for dep in deps:
            visit(dep, chain + [name])
        state[name] = "done"
        order.append(name)

    for root in sorted(set(roots)):
        visit(root, [])
    return order


def _write_if_changed(path, data):
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def _generated(name):
    stem = name[:-len(".proto")]
    return [stem + ".pb.h", stem + ".pb.cc"]


def cmd_list(args):
    wheel = Wheel(args.wheel)
    for name in sorted(n for n in _closure(args.roots, wheel, None)
                       if not n.startswith(WKT_PREFIX)):
        print(name)


def cmd_set(args):
    wheel = Wheel(args.wheel)
    wkt = _read_set(args.wkt)
    out = bytearray()
    for name in _closure(args.roots, wheel, wkt):
        data = wkt[name][0] if name.startswith(WKT_PREFIX) else wheel.get(name)[0]
        out += b"\x0a" + _encode_varint(len(data)) + data
    _write_if_changed(args.out, bytes(out))


def cmd_cpp(args):
    files = sorted(n for n in _closure(args.roots, _SetAsWheel(_read_set(args.set)), None)
                   if not n.startswith(WKT_PREFIX))
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(args.stamp))) as tmp:
        subprocess.run([args.protoc, "--descriptor_set_in=" + args.set, "--cpp_out=" + tmp]
                       + files, check=True)
        changed = 0
        for name in files:
            for out in _generated(name):
                with open(os.path.join(tmp, out), "rb") as f:
                    changed += _write_if_changed(os.path.join(args.out_dir, out), f.read())
    # Generated files of roots no longer listed would still be includable: remove them.
    wanted = {out for name in files for out in _generated(name)}
    for dirpath, _, names in os.walk(args.out_dir):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), args.out_dir)
            if (n.endswith(".pb.h") or n.endswith(".pb.cc")) and rel not in wanted:
                os.remove(os.path.join(dirpath, n))
    # The stamp always moves: it is the output Ninja compares against the set's time.
    with open(args.stamp, "w") as f:
        f.write("%d files, %d changed\n" % (len(files), changed))


class _SetAsWheel:
    """A descriptor set seen through Wheel's interface (for the closure walk in `cpp`)."""

    def __init__(self, files):
        self._files = files

    def has(self, proto):
        return proto in self._files

    def get(self, proto):
        return self._files[proto]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list")
    p.add_argument("--wheel", required=True)
    p.add_argument("roots", nargs="+")
    p.set_defaults(run=cmd_list)
    p = sub.add_parser("set")
    p.add_argument("--wheel", required=True)
    p.add_argument("--wkt", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("roots", nargs="+")
    p.set_defaults(run=cmd_set)
    p = sub.add_parser("cpp")
    p.add_argument("--protoc", required=True)
    p.add_argument("--set", required=True)
    p.add_argument("--out-dir", required=True)
    p.add_argument("--stamp", required=True)
    p.add_argument("roots", nargs="+")
    p.set_defaults(run=cmd_cpp)
    args = parser.parse_args()
    try:
        args.run(args)
    except (ValueError, KeyError, OSError, subprocess.CalledProcessError) as e:
        print("xds_descriptor_set: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Seeds for the fuzz harnesses, taken from the samples and the shared corpus with scapy and Python's own
libraries (never by firmtrace): one folder per harness under the given directory."""
import gzip
import io
import os
import struct
import sys
import tarfile
from pathlib import Path

from scapy.all import TCP, UDP, rdpcap

root = Path(__file__).resolve().parent.parent
out = Path(sys.argv[1])
corpus = root.parent / "shared" / "corpus"
MAX_SEED = 256 << 10


def put(harness, name, data):
    folder = out / harness
    folder.mkdir(parents=True, exist_ok=True)
    if data and len(data) <= MAX_SEED:
        (folder / name).write_bytes(data)


def payloads():
    """First UDP and TCP payloads of each kind from the sample captures."""
    seen = {}
    for capture in sorted(root.glob("Samples/*/*.pcapng.gz")):
        for packet in rdpcap(io.BytesIO(gzip.decompress(capture.read_bytes()))):
            layer = packet.getlayer(UDP) if packet.haslayer(UDP) else packet.getlayer(TCP)
            # scapy dissects DNS, DHCP and others past UDP: their bytes are the layer's payload.
            data = bytes(layer.payload) if layer is not None else b""
            if not data:
                continue
            key = min(layer.sport, layer.dport)
            if len(seen.setdefault(key, [])) < 8:
                seen[key].append(data)
    return seen


by_port = payloads()
for port, harness in [(53, "FuzzDNS"), (67, "FuzzDHCP"), (443, "FuzzTLS"), (8883, "FuzzTLS"), (80, "FuzzTLS"),
                      (1900, "FuzzTLS"), (6667, "FuzzTuyaMiio"), (6666, "FuzzTuyaMiio")]:
    for index, data in enumerate(by_port.get(port, [])):
        put(harness, f"port{port}-{index}", data)
for port, data in by_port.items():
    if port not in (53, 67, 68, 80, 443, 1900, 6666, 6667, 8883):
        put("FuzzTuyaMiio", f"port{port}", data[0])

for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".md"):
    put("FuzzCapture", path.name, path.read_bytes())
for capture in sorted(root.glob("Samples/*/*.pcapng.gz")):
    put("FuzzCapture", capture.name, capture.read_bytes())
fixture = root / "Tests/FirmTraceKitTests/Fixtures/tls-client-hello-split.pcap"
put("FuzzCapture", fixture.name, fixture.read_bytes())

for bundle in sorted(root.glob("Samples/*/*.tar.*")):
    put("FuzzArchive", bundle.name, bundle.read_bytes())
    opener = tarfile.open(bundle) if bundle.suffix == ".gz" else None
    if opener is None:
        continue
    with opener as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            data = tar.extractfile(member).read()
            name = member.name.replace("/", "_")
            if member.name.endswith(".tar.gz"):
                put("FuzzArchive", name, data)
            elif member.name.endswith(".log") or ".log." in member.name:
                put("FuzzLogs", name, data[:16 << 10])
                for line in data.decode("utf-8", "replace").splitlines():
                    brace = line.find("{")
                    if brace >= 0 and len(list((out / "FuzzJSON").glob("*")) if (out / "FuzzJSON").exists() else []) < 40:
                        put("FuzzJSON", f"{name}-{abs(hash(line)) % 100000}", line[brace:].rstrip().encode())

filters = (root / "Samples/noise-filters.txt").read_text().splitlines()
filters += ["eth.addr == 64:90:c1:1d:24:c4", "dns.qry.name contains \"tuya\" and not udp.port == 9993",
            "ip.src in {10.10.10.1 10.10.10.8} || tcp.port == 8883", "host matches \"^a2\\\\.\" and port > 400",
            "(kind == \"tuya.post_url\") && !(sign_ok == false)", "frame.len >= 60 and ip.dst == 10.10.10.0/24"]
for index, line in enumerate(f for f in filters if f.strip() and not f.startswith("#")):
    put("FuzzFilter", f"filter-{index}", line.split(":", 1)[-1].strip().encode())


def capture_prefix(pcapng, limit):
    """The capture's first blocks (header and interfaces first), as many as fit in `limit` bytes."""
    end = 0
    while end + 12 <= len(pcapng):
        length = struct.unpack_from("<I", pcapng, end + 4)[0]
        if length < 12 or end + length > limit:
            break
        end += length
    return pcapng[:end]


# FuzzCorrelate: one byte naming the log (0 tuya.log, 1 miio.log, 2 tuya.log.1), its length (4 bytes,
# little-endian), the log, then the start of the same profile's capture: the first minutes, which the older
# Tuya log and the miio log cover, with their DNS queries, ClientHellos and HTTP-DNS requests.
names = ("tuya.log", "miio.log", "tuya.log.1")
for bundle in sorted(root.glob("Samples/*/*.tar.gz")):
    capture = gzip.decompress(next(bundle.parent.glob("*.pcapng.gz")).read_bytes())
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name in names:
                log = tar.extractfile(member).read()[:48 << 10]
                start = capture_prefix(capture, MAX_SEED - len(log) - 5)
                put("FuzzCorrelate", f"{bundle.parent.name}-{name}",
                    bytes([names.index(name)]) + struct.pack("<I", len(log)) + log + start)

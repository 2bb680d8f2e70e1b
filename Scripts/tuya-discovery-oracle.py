#!/usr/bin/env python3
# Usage: .venv/bin/python Scripts/tuya-discovery-oracle.py CAPTURE
"""Decrypts every Tuya discovery broadcast (UDP 6666/6667) in a capture with tinytuya, independently of
firmtrace, and prints `frame<TAB>json` per packet: the oracle for firmtrace's net.tuya_discovery events."""

import gzip
import json
import sys

import tinytuya
from scapy.all import UDP, PcapNgReader, PcapReader


def main():
    path = sys.argv[1]
    stream = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    magic = stream.read(4)
    stream.seek(0)
    reader = PcapNgReader(stream) if magic == b"\x0a\x0d\x0d\x0a" else PcapReader(stream)
    for frame, packet in enumerate(reader, start=1):
        if UDP in packet and packet[UDP].dport in (6666, 6667):
            decoded = json.loads(tinytuya.decrypt_udp(bytes(packet[UDP].payload)))
            print(f"{frame}\t{json.dumps(decoded, sort_keys=True)}")


if __name__ == "__main__":
    main()

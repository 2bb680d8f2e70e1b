#!/usr/bin/env python3
# Regenerate with: .venv/bin/python Scripts/make-test-fixtures.py
"""Small captures for tests that the corpus lacks, built with scapy: a TLS ClientHello split over three
TCP segments (so reassembly is needed to read its SNI)."""

import os
import struct

from scapy.all import IP, TCP, Ether, Raw, wrpcap

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FirmTraceKitTests", "Fixtures")


def client_hello(server_name):
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    padding = struct.pack("!HH", 21, 600) + bytes(600)
    extensions = struct.pack("!HH", 0, len(sni)) + sni + padding
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x00" + struct.pack("!HH", 2, 0xC02F) + b"\x01\x00"
    body += struct.pack("!H", len(extensions)) + extensions
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def main():
    hello = client_hello("split.example.com")
    client, server = ("10.10.10.8", 40001), ("3.125.199.146", 443)
    base = Ether(src="64:90:c1:1d:24:c4", dst="00:0c:42:cf:36:20") / IP(src=client[0], dst=server[0])
    packets, seq = [], 1000
    for index, start in enumerate(range(0, len(hello), 300)):
        piece = hello[start:start + 300]
        packet = base / TCP(sport=client[1], dport=server[1], flags="PA", seq=seq, ack=1) / Raw(piece)
        packet.time = 1657384300 + index * 0.01
        packets.append(packet)
        seq += len(piece)
    wrpcap(os.path.join(FIXTURES, "tls-client-hello-split.pcap"), packets)


if __name__ == "__main__":
    main()

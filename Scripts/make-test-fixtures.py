#!/usr/bin/env python3
# Regenerate with: .venv/bin/python Scripts/make-test-fixtures.py
"""Small captures for tests that the corpus lacks, built with scapy: a TLS ClientHello split over three
TCP segments (so reassembly is needed to read its SNI); a device that resolves its MQTT broker once and
then reconnects six times from its own DNS cache (so only the SYNs to the resolved address show the
connections), once connects to an address no DNS answer gave and looks a name up over IPv6, while a
phone on the same network looks a name up, opens a connection of its own and one to the device; and the
same traffic captured beyond a router, where every frame the two hosts sent carries the router's MAC."""

import os
import struct

from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap

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


def mqtt_connect(client_id):
    name = client_id.encode()
    payload = struct.pack("!H", 4) + b"MQTT" + b"\x04\x02" + struct.pack("!H", 60) + struct.pack("!H", len(name)) + name
    return b"\x10" + bytes([len(payload)]) + payload


def dns_cached_mqtt(name, router=None):
    device, gateway = "64:90:c1:1d:24:c4", "00:0c:42:cf:36:20"
    broker, host, start = "52.28.10.7", "m1.tuyaus.com", 1657384300
    packets = []

    def add(packet, time):
        packet.time = time
        packets.append(packet)

    to_router = Ether(src=device, dst=gateway) / IP(src="10.10.10.8", dst="10.10.10.1")
    from_router = Ether(src=gateway, dst=device) / IP(src="10.10.10.1", dst="10.10.10.8")
    add(to_router / UDP(sport=50123, dport=53) / DNS(id=7, rd=1, qd=DNSQR(qname=host)), start + 29.95)
    add(from_router / UDP(sport=53, dport=50123) / DNS(id=7, qr=1, ra=1, qd=DNSQR(qname=host),
                                                        an=DNSRR(rrname=host, type="A", ttl=600, rdata=broker)), start + 29.99)
    out = Ether(src=device, dst=gateway) / IP(src="10.10.10.8", dst=broker)
    back = Ether(src=gateway, dst=device) / IP(src=broker, dst="10.10.10.8")
    for index in range(6):
        time, port = start + 30 + index * 300, 41000 + index
        add(out / TCP(sport=port, dport=1883, flags="S", seq=100), time)
        add(back / TCP(sport=1883, dport=port, flags="SA", seq=500, ack=101), time + 0.05)
        add(out / TCP(sport=port, dport=1883, flags="A", seq=101, ack=501), time + 0.06)
        add(out / TCP(sport=port, dport=1883, flags="PA", seq=101, ack=501) / Raw(mqtt_connect("bf7e9b4aacf4f733d8o3zz")), time + 0.07)

    def handshake(client, client_mac, server, server_mac, sport, dport, time):
        there = Ether(src=client_mac, dst=server_mac) / IP(src=client, dst=server)
        back_again = Ether(src=server_mac, dst=client_mac) / IP(src=server, dst=client)
        add(there / TCP(sport=sport, dport=dport, flags="S", seq=100), time)
        add(back_again / TCP(sport=dport, dport=sport, flags="SA", seq=500, ack=101), time + 0.04)
        add(there / TCP(sport=sport, dport=dport, flags="A", seq=101, ack=501), time + 0.05)

    phone, phone_mac = "10.10.10.50", "3c:22:fb:01:02:03"
    handshake("10.10.10.8", device, "198.51.100.23", gateway, 42000, 8886, start + 400)
    add(Ether(src=phone_mac, dst=gateway) / IP(src=phone, dst="10.10.10.1") / UDP(sport=53000, dport=53)
        / DNS(id=9, rd=1, qd=DNSQR(qname="graph.example.net")), start + 450)
    handshake(phone, phone_mac, "203.0.113.9", gateway, 52000, 443, start + 500)
    handshake(phone, phone_mac, "10.10.10.8", device, 52001, 6668, start + 600)
    add(Ether(src=device, dst=gateway) / IPv6(src="fe80::6690:c1ff:fe1d:24c4", dst="fe80::1") / UDP(sport=50200, dport=53)
        / DNS(id=11, rd=1, qd=DNSQR(qname="telemetry.example.org", qtype="AAAA")), start + 700)
    if router:
        for packet in packets:
            if packet[Ether].src in (device, phone_mac):
                packet[Ether].src = router
    packets.sort(key=lambda packet: packet.time)
    wrpcap(os.path.join(FIXTURES, name), packets)


def main():
    dns_cached_mqtt("dns-cached-mqtt.pcap")
    dns_cached_mqtt("dns-cached-mqtt-routed.pcap", router="00:0c:42:aa:bb:01")
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

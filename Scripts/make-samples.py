#!/usr/bin/env python3
# Regenerate with: Scripts/bootstrap && .venv/bin/python Scripts/make-samples.py
"""Writes the sample evidence in Samples/: for each firmware profile of the Roborock S6 studied in
../shared/seed/packet-analysis.txt, an rrlogd bundle (.tar.gz and .tar.zst) and a pcapng of the same hour.

Independent of firmtrace by design: packets are built with scapy, Tuya discovery frames with tinytuya,
bundles with Python's tarfile, signatures with hashlib. Everything is derived from fixed seeds and fixed
times, so running it twice gives byte-identical files. The ground truth is in Samples/README.md.
"""

import gzip
import hashlib
import io
import json
import os
import random
import struct
import tarfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import tinytuya
import zstandard
from scapy.all import ARP, BOOTP, DHCP, DNS, DNSQR, DNSRR, ICMP, IP, NTP, TCP, UDP, Dot3, Ether, LLC, Raw, SNAP
from scapy.contrib.cdp import CDPMsgDeviceID, CDPMsgPlatform, CDPMsgSoftwareVersion, CDPv2_HDR
from scapy.contrib.lldp import (LLDPDUChassisID, LLDPDUEndOfLLDPDU, LLDPDUPortID, LLDPDUSystemName,
                                LLDPDUTimeToLive)
from scapy.layers.l2 import STP
from scapy.utils import PcapNgWriter

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Samples")

# --- The network, from the seed ---------------------------------------------------------------------------
ROBOT_MAC, ROBOT_IP, ROBOT_HOSTNAME = "64:90:c1:1d:24:c4", "10.10.10.8", "rockrobo"
ROUTER_MAC, ROUTER_IP = "00:0c:42:cf:36:20", "10.10.10.1"          # MikroTik: MNDP, CDP, LLDP
ACCESS_POINT_MAC, ACCESS_POINT_IP = "00:27:22:fc:8f:93", "10.10.10.2"
SWITCH_MAC = "60:a4:b7:7a:b0:c3"                                     # managed switch: STP
LAPTOP_MAC, LAPTOP_IP = "18:c0:4d:3b:66:d2", "10.10.10.9"          # the analyst's laptop, ZeroTier
UNKNOWN_MAC = "32:bc:cf:2d:96:ce"
OTHER_HOST_MAC, OTHER_HOST_IP = "b8:27:eb:41:07:5a", "10.10.10.4"
ZEROTIER_ROOTS = ["195.181.173.159", "50.7.73.34", "103.195.103.66", "50.7.252.138", "107.170.197.14"]

DEV_ID, PRODUCT_KEY = "bf7e9b4aacf4f733d8o3zz", "mjae49buaskri74f"
SEC_KEY = "7c4f9e1a2b3d5e6f"                 # invented for the samples: signatures verify against it
SERIAL, MIIO_DID = "R0018S91200123", "363224577"
GSLB_IPS = ["110.43.0.83", "110.43.0.85"]
LOCAL_ZONE = timezone(timedelta(hours=10))
PRESYNC_EPOCH = 8 * 3600 + 12 * 60 + 13      # the clock rriot_tuya starts with: 01-01 18:12:13 at UTC+10

DNS_TABLE = {
    "a2.tuyaeu.com": ["3.125.199.146", "35.157.101.18", "3.125.234.101"],
    "ms.tuyaeu.com": ["3.121.141.195", "3.122.208.21", "3.122.217.21"],
    "m2.tuyaeu.com": ["3.67.242.33", "35.156.44.172", "18.184.31.90", "3.124.225.12", "18.185.218.106",
                      "52.58.249.45", "18.185.31.196", "52.57.38.165", "3.121.210.75", "3.66.126.37",
                      "3.120.92.134", "3.65.95.68", "18.192.43.219", "3.64.85.28", "35.156.42.116"],
    "lb-hadoop-fds-awsde0-eco-tcp-825301548.eu-central-1.elb.amazonaws.com":
        ["18.184.67.79", "3.124.106.160", "52.28.1.106", "3.67.19.121", "3.65.97.228", "18.156.26.16"],
    "xx.ott.io.mi.com": ["110.43.0.83", "110.43.0.85"],
    "pool.ntp.org": ["162.159.200.1", "139.99.135.247"],
}
FDS_HOST = "awsde0.fds.api.xiaomi.com"
FDS_CNAME = "lb-hadoop-fds-awsde0-eco-tcp-825301548.eu-central-1.elb.amazonaws.com"


@dataclass
class Profile:
    version: str
    capture_start: datetime          # UTC
    minutes: int
    skew: float                      # device clock minus true time, seconds
    mqtt_host: str
    miio: bool
    ssdp: bool
    bundle_number: str
    seed: int


PROFILES = [
    Profile("v01.15.58", datetime(2022, 7, 9, 16, 30, tzinfo=timezone.utc), 60, +2.4, "ms.tuyaeu.com",
            miio=True, ssdp=True, bundle_number="000137", seed=1158),
    Profile("v02.29.02", datetime(2022, 9, 10, 16, 30, tzinfo=timezone.utc), 60, -1.7, "m2.tuyaeu.com",
            miio=False, ssdp=False, bundle_number="000412", seed=22902),
]


# --- Packets ----------------------------------------------------------------------------------------------
class Capture:
    def __init__(self, rng):
        self.packets = []
        self.rng = rng
        self.ip_id = 1000
        self.ephemeral = 40000

    def add(self, t, packet):
        packet.time = round(t, 6)
        self.packets.append(packet)

    def port(self):
        self.ephemeral = 40000 + (self.ephemeral - 39999) % 20000
        return self.ephemeral

    def next_id(self):
        self.ip_id = (self.ip_id + 1) % 65536
        return self.ip_id

    def robot_to_internet(self, t, dst_ip, l4):
        self.add(t, Ether(src=ROBOT_MAC, dst=ROUTER_MAC) / IP(src=ROBOT_IP, dst=dst_ip, id=self.next_id()) / l4)

    def internet_to_robot(self, t, src_ip, l4):
        self.add(t, Ether(src=ROUTER_MAC, dst=ROBOT_MAC) / IP(src=src_ip, dst=ROBOT_IP, ttl=50) / l4)

    def dns(self, t, name, qtype="A", answers=None, rcode=0, cname=None):
        """A lookup by the robot through the router; returns when the answer arrived."""
        sport, qid = self.port(), self.rng.randrange(65536)
        self.robot_to_internet(t, ROUTER_IP, UDP(sport=sport, dport=53) / DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype)))
        records = []
        target = name
        if cname:
            records.append(DNSRR(rrname=name, type="CNAME", ttl=60, rdata=cname))
            target = cname
        for address in answers or []:
            records.append(DNSRR(rrname=target, type=qtype, ttl=60, rdata=address))
        answer = DNS(id=qid, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=name, qtype=qtype), an=records or None)
        reply = t + self.rng.uniform(0.008, 0.040)
        self.add(reply, Ether(src=ROUTER_MAC, dst=ROBOT_MAC) / IP(src=ROUTER_IP, dst=ROBOT_IP) / UDP(sport=53, dport=sport) / answer)
        return reply

    def tcp_exchange(self, t, server_ip, dport, client_payloads, server_payloads, rtt):
        """A whole TCP connection from the robot: handshake, alternating payloads, FIN. Returns the end time."""
        sport = self.port()
        client_seq, server_seq = self.rng.randrange(2**32), self.rng.randrange(2**32)
        self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="S", seq=client_seq, window=29200))
        t += rtt
        self.internet_to_robot(t, server_ip, TCP(sport=dport, dport=sport, flags="SA", seq=server_seq, ack=client_seq + 1))
        client_seq += 1
        server_seq += 1
        t += 0.0004
        self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="A", seq=client_seq, ack=server_seq))
        for index in range(max(len(client_payloads), len(server_payloads))):
            if index < len(client_payloads):
                t += 0.001
                payload = client_payloads[index]
                self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="PA", seq=client_seq, ack=server_seq) / Raw(payload))
                client_seq += len(payload)
            if index < len(server_payloads):
                t += rtt
                payload = server_payloads[index]
                self.internet_to_robot(t, server_ip, TCP(sport=dport, dport=sport, flags="PA", seq=server_seq, ack=client_seq) / Raw(payload))
                server_seq += len(payload)
                t += 0.0005
                self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="A", seq=client_seq, ack=server_seq))
        t += 0.002
        self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="FA", seq=client_seq, ack=server_seq))
        t += rtt
        self.internet_to_robot(t, server_ip, TCP(sport=dport, dport=sport, flags="FA", seq=server_seq, ack=client_seq + 1))
        t += 0.0004
        self.robot_to_internet(t, server_ip, TCP(sport=sport, dport=dport, flags="A", seq=client_seq + 1, ack=server_seq + 1))
        return t

    def write_gzipped(self, path):
        """pcapng, gzip-compressed (Wireshark and tshark read it as is) to keep the samples small."""
        self.packets.sort(key=lambda p: p.time)
        plain = path + ".tmp"
        writer = PcapNgWriter(plain)
        for packet in self.packets:
            writer.write(packet)
        writer.close()
        with open(plain, "rb") as source, open(path, "wb") as out:
            with gzip.GzipFile(filename="", fileobj=out, mode="wb", mtime=0, compresslevel=9) as stream:
                stream.write(source.read())
        os.remove(plain)


def tls_record(content_type, body):
    return struct.pack("!BHH", content_type, 0x0303, len(body)) + body


def client_hello(rng, server_name):
    """A TLS 1.2 ClientHello as the device's mbedTLS sends it, with SNI."""
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    extensions = (struct.pack("!HH", 0, len(sni)) + sni
                  + struct.pack("!HHH", 10, 8, 6) + struct.pack("!HHH", 0x0017, 0x0018, 0x001d)
                  + struct.pack("!HHB", 11, 2, 1) + b"\x00"
                  + struct.pack("!HHH", 13, 10, 8) + struct.pack("!HHHH", 0x0401, 0x0501, 0x0601, 0x0201))
    suites = [0xC027, 0xC02F, 0xC013, 0x009C, 0x003C, 0x002F]
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + b"\x00"
            + struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
            + b"\x01\x00" + struct.pack("!H", len(extensions)) + extensions)
    handshake = struct.pack("!B", 1) + len(body).to_bytes(3, "big") + body
    return tls_record(22, handshake)


def tls_session(capture, t, host, server_ip, port, upload=300, download=250):
    """Handshake with SNI `host`, one request and one response of opaque application data."""
    rng = capture.rng
    client = [client_hello(rng, host),
              tls_record(22, rng.randbytes(70)) + tls_record(20, b"\x01") + tls_record(22, rng.randbytes(64)),
              tls_record(23, rng.randbytes(upload)),
              tls_record(21, rng.randbytes(26))]
    server = [tls_record(22, rng.randbytes(1180)),
              tls_record(20, b"\x01") + tls_record(22, rng.randbytes(64)),
              tls_record(23, rng.randbytes(download))]
    return capture.tcp_exchange(t, server_ip, port, client, server, rtt=rng.uniform(0.29, 0.33))


def tuya_discovery_frame(version):
    payload = json.dumps({"ip": ROBOT_IP, "gwId": DEV_ID, "active": 2, "ablilty": 0, "encrypt": True,
                          "productKey": PRODUCT_KEY, "version": version}, separators=(",", ":")).encode()
    encrypted = tinytuya.AESCipher(tinytuya.udpkey).encrypt(payload, use_base64=False, pad=True)
    message = tinytuya.TuyaMessage(0, 0x13, 0, b"\x00\x00\x00\x00" + encrypted, 0, True, tinytuya.PREFIX_55AA_VALUE, None)
    return tinytuya.pack_message(message)


def dhcp_exchange(capture, t, kinds):
    xid = capture.rng.randrange(2**32)
    options_common = [("hostname", ROBOT_HOSTNAME), ("vendor_class_id", "udhcp 1.24.1")]
    for index, kind in enumerate(kinds):
        from_robot = kind in ("discover", "request")
        if from_robot:
            options = [("message-type", kind), ("client_id", b"\x01" + bytes.fromhex(ROBOT_MAC.replace(":", ""))),
                       ("requested_addr", ROBOT_IP), ("server_id", ROUTER_IP), *options_common,
                       ("param_req_list", [1, 3, 6, 12, 15, 28, 42]), "end"]
            packet = (Ether(src=ROBOT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
                      / UDP(sport=68, dport=67) / BOOTP(chaddr=bytes.fromhex(ROBOT_MAC.replace(":", "")), xid=xid, flags=0)
                      / DHCP(options=options))
        else:
            options = [("message-type", kind), ("server_id", ROUTER_IP), ("lease_time", 600),
                       ("subnet_mask", "255.255.255.0"), ("router", ROUTER_IP), ("name_server", ROUTER_IP),
                       ("domain", b"lan"), "end"]
            packet = (Ether(src=ROUTER_MAC, dst=ROBOT_MAC) / IP(src=ROUTER_IP, dst=ROBOT_IP)
                      / UDP(sport=67, dport=68) / BOOTP(op=2, yiaddr=ROBOT_IP, siaddr=ROUTER_IP,
                                                        chaddr=bytes.fromhex(ROBOT_MAC.replace(":", "")), xid=xid)
                      / DHCP(options=options))
        capture.add(t + index * 0.004, packet)


def background(capture, start, end):
    """What the seed filters out: STP, CDP, LLDP, MNDP, ARP from the access point, the laptop, ZeroTier."""
    rng = capture.rng
    t = start + 0.7
    while t < end:                       # STP hello every 2 s from the managed switch
        capture.add(t, Dot3(src=SWITCH_MAC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3)
                    / STP(rootmac=SWITCH_MAC, bridgemac=SWITCH_MAC, portid=0x8003))
        t += 2.0
    t = start + 11.3
    while t < end:                       # the router announces itself every 60 s
        capture.add(t, Dot3(src=ROUTER_MAC, dst="01:00:0c:cc:cc:cc") / LLC(dsap=0xAA, ssap=0xAA, ctrl=3)
                    / SNAP(OUI=0x0C, code=0x2000) / CDPv2_HDR(msg=[CDPMsgDeviceID(val=b"MikroTik"),
                                                                  CDPMsgSoftwareVersion(val=b"6.48.6 (stable)"),
                                                                  CDPMsgPlatform(val=b"MikroTik")]))
        capture.add(t + 0.001, Ether(src=ROUTER_MAC, dst="01:80:c2:00:00:0e")
                    / LLDPDUChassisID(subtype=4, id=ROUTER_MAC) / LLDPDUPortID(subtype=5, id=b"ether2")
                    / LLDPDUTimeToLive(ttl=120) / LLDPDUSystemName(system_name=b"MikroTik") / LLDPDUEndOfLLDPDU())
        mndp = struct.pack("!HH", 0, 0) + struct.pack("!HH", 1, 6) + bytes.fromhex(ROUTER_MAC.replace(":", "")) \
            + struct.pack("!HH", 5, 8) + b"MikroTik"
        capture.add(t + 0.002, Ether(src=ROUTER_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src=ROUTER_IP, dst="255.255.255.255")
                    / UDP(sport=5678, dport=5678) / Raw(mndp))
        t += 60.0
    t = start + 23.9
    while t < end:                       # the access point keeps asking who has its neighbours
        target = rng.choice([ROUTER_IP, LAPTOP_IP, OTHER_HOST_IP])
        capture.add(t, Ether(src=ACCESS_POINT_MAC, dst="ff:ff:ff:ff:ff:ff")
                    / ARP(op=1, hwsrc=ACCESS_POINT_MAC, psrc=ACCESS_POINT_IP, pdst=target))
        t += 30.0 + rng.uniform(-2, 2)
    t = start + 5.1
    while t < end:                       # ZeroTier on the analyst's laptop
        root = rng.choice(ZEROTIER_ROOTS)
        capture.add(t, Ether(src=LAPTOP_MAC, dst=ROUTER_MAC) / IP(src=LAPTOP_IP, dst=root)
                    / UDP(sport=9993, dport=9993) / Raw(rng.randbytes(rng.randrange(60, 120))))
        capture.add(t + 0.2, Ether(src=ROUTER_MAC, dst=LAPTOP_MAC) / IP(src=root, dst=LAPTOP_IP)
                    / UDP(sport=9993, dport=9993) / Raw(rng.randbytes(rng.randrange(60, 120))))
        t += rng.uniform(20, 40)
    t = start + 41.0
    while t < end:                       # other hosts: a ping from 10.10.10.4, a chatty unknown device
        capture.add(t, Ether(src=OTHER_HOST_MAC, dst=ROUTER_MAC) / IP(src=OTHER_HOST_IP, dst="1.1.1.1") / ICMP(id=7, seq=int(t) % 65536))
        capture.add(t + 0.5, Ether(src=UNKNOWN_MAC, dst="ff:ff:ff:ff:ff:ff", type=0x88B5) / Raw(rng.randbytes(46)))
        t += 120.0


# --- Logs -------------------------------------------------------------------------------------------------
def sign(params):
    text = "".join(f"{key}={params[key]}||" for key in ("a", "devId", "et", "t", "uuid", "v") if key in params)
    return hashlib.md5((text + SEC_KEY).encode()).hexdigest()


@dataclass
class DeviceLog:
    profile: Profile
    tuya: list = field(default_factory=list)        # (true time, text)
    miio: list = field(default_factory=list)

    def device_clock(self, t):
        return t + self.profile.skew

    def tuya_line(self, t, level, where, message, presync=None):
        if presync is None:
            stamp = datetime.fromtimestamp(int(self.device_clock(t)), LOCAL_ZONE).strftime("%m-%d %H:%M:%S")
        else:
            stamp = presync
        self.tuya.append((t, f"[{stamp} TUYA {level}][{where}] {message}"))

    def miio_line(self, t, level, where, message, continuation=()):
        stamp = datetime.fromtimestamp(int(self.device_clock(t)), timezone.utc).strftime("%Y%m%d %H:%M:%S")
        self.miio.append((t, "\n".join([f"[{stamp}] [{level}] {where}, {message}", *continuation])))


def tuya_api_call(log, capture, t, api, version, post_data, response):
    """What rriot_tuya logs around one HTTPS call to a2.tuyaeu.com, and the packets it causes."""
    device_epoch = int(log.device_clock(t))
    params = {"a": api, "devId": DEV_ID, "et": 1, "t": device_epoch, "v": version}
    query = "&".join(f"{key}={value}" for key, value in params.items())
    log.tuya_line(t, "Debug", "iot_httpc.c:883", "Post Data: " + json.dumps(post_data, separators=(",", ":")).replace("\"DEVICE_T\"", str(device_epoch)))
    log.tuya_line(t, "Debug", "iot_httpc.c:894", f"Post URL: https://a2.tuyaeu.com/d.json?{query}&sign={sign(params)}")
    log.tuya_line(t, "Debug", "httpc.c:742", "Connect: a2.tuyaeu.com Port: 443  -->>")
    answered = capture.dns(t + 0.012, "a2.tuyaeu.com", answers=DNS_TABLE["a2.tuyaeu.com"])
    server = capture.rng.choice(DNS_TABLE["a2.tuyaeu.com"])
    end = tls_session(capture, answered + 0.004, "a2.tuyaeu.com", server, 443)
    log.tuya_line(answered + 0.33, "Debug", "httpc.c:744", "Connect: a2.tuyaeu.com Port: 443  --<<")
    log.tuya_line(answered + 0.34, "Debug", "tuya_tls.c:792", "TUYA_TLS Begin Connect a2.tuyaeu.com:443  CustomNet:TRUE Enable_Cert:TRUE Default:TRUE ")
    log.tuya_line(answered + 0.34, "Debug", "tuya_tls.c:893", "socket fd is set. set to inner send/recv to handshake")
    log.tuya_line(answered + 0.99, "Debug", "tuya_tls.c:920", "handshake finish for a2.tuyaeu.com. set send/recv to user set")
    log.tuya_line(answered + 0.99, "Debug", "tuya_tls.c:932", "TUYA_TLS Success Connect a2.tuyaeu.com:443  CustomNet:TRUE Suit:TLS-ECDHE-RSA-WITH-AES-128-CBC-SHA256")
    # The cloud stamps its answer with its own clock (true time), in whole seconds, as it sends it.
    response = json.dumps(response, separators=(",", ":")).replace("\"SERVER_T\"", str(int(end - 0.35)))
    log.tuya_line(end - 0.3, "Debug", "iot_httpc.c:570", "chunked:0.")
    log.tuya_line(end - 0.3, "Debug", "iot_httpc.c:534", f"Malloc Buffer Size:{len(response) + 64}")
    log.tuya_line(end - 0.3, "Debug", "iot_httpc.c:660", "Decode Rev:" + response + "\t" * 9)
    log.tuya_line(end, "Debug", "tuya_tls.c:1015", "TUYA_TLS Disconnect Success")
    return end


def timer_count(log, capture, t):
    end = tuya_api_call(log, capture, t, "tuya.device.timer.count", "4.0",
                        {"devId": DEV_ID, "lastFetchTime": "0", "t": "DEVICE_T"},
                        {"result": {"devId": DEV_ID, "count": 0, "lastFetchTime": 0}, "t": "SERVER_T", "success": True})
    log.tuya_line(end, "Debug", "timer_task.c:261", "timer query time equal. skip:0")


def upgrade_check(log, capture, t):
    end = tuya_api_call(log, capture, t, "tuya.device.upgrade.silent.get", "4.3", {"subId": None, "t": "DEVICE_T"},
                        {"t": "SERVER_T", "success": True})
    log.tuya_line(end, "Debug", "gw_intf.c:4020", "silent get gw firmware,no firmware available")
    log.tuya_line(end, "Debug", "gw_intf.c:4100", "silent get gw firmware finish")


def mqtt_connect(log, capture, t):
    host = log.profile.mqtt_host
    log.tuya_line(t, "Debug", "mqc_app.c:1043", f"mqtt connect to {host}:8883")
    log.tuya_line(t, "Debug", "tuya_tls.c:792", f"TUYA_TLS Begin Connect {host}:8883  CustomNet:TRUE Enable_Cert:TRUE Default:TRUE ")
    answered = capture.dns(t + 0.010, host, answers=DNS_TABLE[host][:3])
    server = DNS_TABLE[host][0]
    end = tls_session(capture, answered + 0.003, host, server, 8883, upload=120, download=40)
    log.tuya_line(end - 0.2, "Debug", "tuya_tls.c:932", f"TUYA_TLS Success Connect {host}:8883  CustomNet:TRUE Suit:TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256")
    log.tuya_line(end - 0.1, "Notice", "mqc_app.c:1127", "MQTT connect success")
    log.tuya_line(end - 0.1, "Debug", "mqc_app.c:1158", f"mqtt subscribe topic:smart/device/in/{DEV_ID}")
    return end, server


def boot(log, capture, t0):
    """Power-on at t0: kernel, DHCP, rriot_tuya on the pre-sync 01-01 clock, NTP, then real time."""
    dhcp_exchange(capture, t0 + 14.2, ["discover", "offer", "request", "ack"])
    passwd = hashlib.md5(SEC_KEY.encode()).hexdigest()[8:24]
    presync = [
        ("Notice", "tuya_os.c:121", "tuya os init, sdk version:2.3.1-beta"),
        ("Debug", "simplekv.c:1211", "find key:2 gw_di"),
        ("Debug", "simplekv.c:1240", "key:gw_di find value.Len:352"),
        ("Debug", "tuya_ws_db.c:320", "read buf:" + json.dumps({
            "abi": 0, "id": DEV_ID, "swv": log.profile.version[1:], "bv": "30.04", "pv": "2.2", "lpv": "3.3",
            "pk": PRODUCT_KEY, "firmk": None, "cadv": "1.0.2", "cdv": "1.0.0", "dev_swv": log.profile.version[1:],
            "s_id": "0000002urc", "dtp": 0, "sync": 0, "attr_num": 0, "mst_tp_0": 0, "mst_ver_0": None,
            "mst_tp_1": 0, "mst_ver_1": None, "mst_tp_2": 0, "mst_ver_2": None, "mst_tp_3": 0,
            "mst_ver_3": None}, separators=(",", ":")).replace("null}", "null }")),
        ("Debug", "tuya_ws_db.c:766", "gw_di read success"),
        ("Notice", "gw_intf.c:2667", "gw_cntl.gw_if.abi:0 input:0"),
        ("Notice", "gw_intf.c:2668", f"gw_cntl.gw_if.product_key:{PRODUCT_KEY}, input:{PRODUCT_KEY}"),
        ("Notice", "gw_intf.c:2669", "gw_cntl.gw_if.tp:0, input:0"),
        ("Debug", "simplekv.c:1171", "read key:gw_ai isFuzzy:0 skipCnt:0"),
        ("Debug", "gw_intf.c:2910", f"dev {DEV_ID} bind schema " + BIND_SCHEMA),
        ("Debug", "gw_intf.c:3305", f"Bind Dev Attach Success {DEV_ID} 1"),
        ("Debug", "mqc_app.c:1001", f"mqtt broker: {log.profile.mqtt_host} port: 8883"),
        ("Debug", "mqc_app.c:1009", f"mqtt client id:{DEV_ID} user name:2.2_{DEV_ID}_0 passwd:{passwd}"),
        ("Debug", "mqc_app.c:1015", f"mqtt topic in:smart/device/in/{DEV_ID} out:smart/device/out/{DEV_ID}"),
        ("Notice", "tuya_time.c:88", "waiting for time sync"),
    ]
    start = t0 + 17.5
    for index, (level, where, message) in enumerate(presync):
        t = start + index * 0.35
        stamp = datetime.fromtimestamp(int(PRESYNC_EPOCH + index * 0.35), LOCAL_ZONE).strftime("%m-%d %H:%M:%S")
        log.tuya_line(t, level, where, message, presync=stamp)
    log.tuya[-len(presync)] = (log.tuya[-len(presync)][0], "bk_rst:0 tuya_rst:0" + log.tuya[-len(presync)][1])
    # NTP: the step that ends the 01-01 period.
    answered = capture.dns(start + 6.0, "pool.ntp.org", answers=DNS_TABLE["pool.ntp.org"])
    server = DNS_TABLE["pool.ntp.org"][0]
    device_now = PRESYNC_EPOCH + (answered - start)               # still the 01-01 clock
    capture.robot_to_internet(answered + 0.002, server, UDP(sport=123, dport=123)
                              / NTP(version=4, mode=3, ref=0, orig=0, recv=0, sent=device_now))
    capture.internet_to_robot(answered + 0.29, server, UDP(sport=123, dport=123)
                              / NTP(version=4, mode=4, stratum=3, ref=answered - 30, orig=device_now,
                                    recv=answered + 0.14, sent=answered + 0.141))
    synced = answered + 0.5
    log.tuya_line(synced, "Notice", "tuya_time.c:102", f"time sync success, zone +10:00, utc {int(log.device_clock(synced))}")
    return synced + 1.0


BIND_SCHEMA = ('[{"mode":"rw","property":{"type":"bool"},"id":2,"type":"obj"},{"mode":"rw","property":{"range":'
               '["auto","samrt","super","manual"],"type":"enum"},"id":5,"type":"obj"},{"mode":"ro","property":'
               '{"min":0,"max":100,"scale":0,"step":1,"type":"value"},"id":12,"type":"obj"},{"mode":"rw","property":'
               '{"min":0,"max":100,"scale":0,"step":1,"type":"value"},"id":16,"type":"obj"},{"mode":"rw","id":101,'
               '"type":"raw"},{"mode":"rw","id":102,"type":"raw"},{"mode":"rw","id":103,"type":"raw"},{"mode":"rw",'
               '"property":{"min":0,"max":2147483647,"scale":0,"step":1,"type":"value"},"id":104,"type":"obj"},'
               '{"mode":"rw","id":105,"type":"raw"},{"mode":"rw","id":106,"type":"raw"},{"mode":"rw","id":107,'
               '"type":"raw"},{"mode":"rw","id":108,"type":"raw"},{"mode":"rw","id":109,"type":"raw"},{"mode":"rw",'
               '"id":110,"type":"raw"},{"mode":"ro","property":{"min":0,"max":100000,"scale":1,"step":1,"type":'
               '"value"},"id":111,"type":"obj"}]')


def three_am(log, capture, t):
    """03:00 local: the MQTT session is reset, control calls, and rrlogd uploads its logs to FDS."""
    log.tuya_line(t, "Notice", "mqc_app.c:1290", "mqtt session expired, reconnect")
    end, _ = mqtt_connect(log, capture, t + 0.5)
    upgrade_check(log, capture, end + 2.0)
    rpc = {"id": 363, "method": "set_fds_endpoint", "params": [FDS_HOST]}
    log.tuya_line(end + 9.0, "Debug", "rr_cloud.c:724", "rr_down_stream_msg_handler##724: " + json.dumps(rpc, separators=(",", ":")))
    status = {"id": 889, "result": [{"msg_ver": 2, "msg_seq": 275, "state": 8, "battery": 100, "clean_time": 0,
                                     "clean_area": 0, "error_code": 3, "map_present": 1, "in_cleaning": 0,
                                     "in_returning": 0, "in_fresh_state": 1, "lab_status": 0, "water_box_status": 0,
                                     "fan_power": 102, "dnd_enabled": 0, "map_status": 1, "lock_status": 0, "events": []}]}
    log.tuya_line(end + 9.5, "Debug", "rr_cloud.c:802", "rr_up_stream_msg##802: " + json.dumps(status, separators=(",", ":")))
    # The upload burst: a lookup (A and AAAA) and an HTTPS PUT every 2-5 s for about three minutes.
    t = end + 12.0
    stop = t + 180
    while t < stop:
        answered = capture.dns(t, FDS_HOST, "A", answers=DNS_TABLE[FDS_CNAME], cname=FDS_CNAME)
        capture.dns(answered + 0.001, FDS_HOST, "AAAA", cname=FDS_CNAME)
        server = capture.rng.choice(DNS_TABLE[FDS_CNAME])
        tls_session(capture, answered + 0.03, FDS_HOST, server, 443, upload=capture.rng.randrange(1500, 3000), download=180)
        t += capture.rng.uniform(2.0, 5.0)


def miio_activity(log, capture, start, end):
    """miio_client: `/gslb` HTTP-DNS every 10 s (answered 400), xx.ott lookups every 10 s, xx.ot twice a second."""
    rng = capture.rng
    t = start
    while t < end:                       # xx.ot.io.mi.com never resolves, so it is retried twice a second
        capture.dns(t, "xx.ot.io.mi.com", rcode=3)
        t += 0.5 + rng.uniform(-0.02, 0.02)
    t = start + 3.0
    attempt = 0
    while t < end:
        capture.dns(t, "xx.ott.io.mi.com", answers=DNS_TABLE["xx.ott.io.mi.com"])
        server = GSLB_IPS[attempt % 2]
        device_epoch = int(log.device_clock(t))
        gslb_sign = hashlib.md5(f"{MIIO_DID}{device_epoch}".encode()).hexdigest()
        path = f"/gslb?tver=2&id={MIIO_DID}&dm=xx.ot.io.mi.com&timestamp={device_epoch}&sign={gslb_sign}"
        request = f"GET {path} HTTP/1.1\r\nHost: {server}\r\nUser-Agent: miio_client\r\nAccept: */*\r\n\r\n".encode()
        server_date = datetime.fromtimestamp(int(t + 0.35), timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
        body = "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n"
        headers = ["HTTP/1.1 400 Bad Request", "Server: Tengine", f"Date: {server_date}", "Content-Type: text/html",
                   f"Content-Length: {len(body)}", "Connection: close"]
        response = ("\r\n".join(headers) + "\r\n\r\n" + body).encode()
        log.miio_line(t, "I", "http_dns_request:231", f"HTTP-DNS request for xx.ot.io.mi.com to {server}:80 did {MIIO_DID}")
        capture.tcp_exchange(t + 0.02, server, 80, [request], [response], rtt=rng.uniform(0.33, 0.37))
        log.miio_line(t + 0.75, "E", "http_dns_response:266", "HTTP-DNS failed, response:",
                      [*headers, "", *body.strip().split("\r\n")])
        if attempt % 6 == 0:
            log.miio_line(t + 0.8, "W", "ot_connect_server:598",
                          f"connect to server xx.ot.io.mi.com port 8053 did {MIIO_DID} failed: host not resolved")
        attempt += 1
        t += 10.0 + rng.uniform(-0.05, 0.05)


def ssdp(capture, start, end):
    t = start + 47.0
    while t < end:
        notify = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                  f"LOCATION: http://{ROBOT_IP}:49152/description.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
                  "SERVER: Ubuntu/14.04 UPnP/1.0 miniupnpd/1.0\r\nUSN: uuid:8a1b2c3d-0000-1000-8000-6490c11d24c4::upnp:rootdevice\r\n\r\n")
        capture.add(t, Ether(src=ROBOT_MAC, dst="01:00:5e:7f:ff:fa") / IP(src=ROBOT_IP, dst="239.255.255.250", ttl=2)
                    / UDP(sport=1900, dport=1900) / Raw(notify.encode()))
        t += 300.0


def kernel_log(profile):
    lines = [
        (0.000000, "Booting Linux on physical CPU 0x0"),
        (0.000000, "Linux version 3.4.39 (rockrobo@builder) (gcc version 4.6.3) #1 SMP PREEMPT"),
        (0.000000, "CPU: ARMv7 Processor [410fc075] revision 5 (ARMv7), cr=10c5387d"),
        (0.000000, "Machine: sun8i"),
        (0.306924, "sunxi_gpio_init: gpio init ok"),
        (1.204112, "mmcblk0: mmc0:0001 8GND3R 7.28 GiB"),
        (2.306924, "EXT4-fs (mmcblk0p8): mounted filesystem with ordered data mode. Opts: (null)"),
        (6.118230, "wlan0: authenticate with 00:27:22:fc:8f:93"),
        (6.131547, "wlan0: associated"),
        (13.902771, "IPv6: ADDRCONF(NETDEV_CHANGE): wlan0: link becomes ready"),
        (17.240015, "rriot_tuya[612]: started"),
    ]
    if profile.miio:
        lines.append((17.310002, "miio_client[618]: started"))
    return "".join(f"[{uptime:12.6f}] {message}\n" for uptime, message in lines)


# --- Bundles ----------------------------------------------------------------------------------------------
def tar_bytes(entries, compression):
    """entries: (name, bytes, mtime) in order. Deterministic: fixed owner, mode and gzip header time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data, mtime in entries:
            if data is None:
                info = tarfile.TarInfo(name)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            else:
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o644
            info.mtime, info.uid, info.gid, info.uname, info.gname = int(mtime), 0, 0, "root", "root"
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    if compression == "gz":
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as stream:
            stream.write(raw.getvalue())
        return out.getvalue()
    return zstandard.ZstdCompressor(level=19).compress(raw.getvalue())


def make_profile(profile):
    rng = random.Random(profile.seed)
    capture, log = Capture(rng), DeviceLog(profile)
    start = profile.capture_start.timestamp()
    end = start + profile.minutes * 60
    background(capture, start, end)
    boot_time = start + 70.0
    t = boot(log, capture, boot_time)
    mqtt_end, mqtt_server = mqtt_connect(log, capture, t + 3.0)
    timer_count(log, capture, mqtt_end + 2.0)
    first_timer = mqtt_end + 2.0
    upgrade_check(log, capture, first_timer + 30.0)

    three_am_local = datetime.fromtimestamp(start, LOCAL_ZONE).replace(hour=3, minute=0, second=4).timestamp()
    timer = first_timer + 25 * 60 + rng.uniform(-1, 1)
    while timer < end - 30:
        if not (three_am_local - 5 < timer < three_am_local + 200):
            timer_count(log, capture, timer)
        timer += 25 * 60 + rng.uniform(-1, 1)
    three_am(log, capture, three_am_local)

    keepalive = mqtt_end + 60.0
    while keepalive < end:               # MQTT ping every minute on the open session
        log.tuya_line(keepalive - 0.01, "Debug", "mqc_app.c:1412", "mqtt heartbeat send")
        capture.robot_to_internet(keepalive, mqtt_server, TCP(sport=39999, dport=8883, flags="PA") / Raw(tls_record(23, rng.randbytes(26))))
        capture.internet_to_robot(keepalive + 0.3, mqtt_server, TCP(sport=8883, dport=39999, flags="PA") / Raw(tls_record(23, rng.randbytes(26))))
        keepalive += 60.0

    discovery = tuya_discovery_frame("3.3")
    t = boot_time + 25.0
    while t < end:                       # Tuya LAN discovery, every 5 s
        capture.add(t, Ether(src=ROBOT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src=ROBOT_IP, dst="255.255.255.255")
                    / UDP(sport=63145, dport=6667) / Raw(discovery))
        t += 5.0 + rng.uniform(-0.01, 0.01)
    t = boot_time + 14.2 + 300
    while t < end:                       # DHCP renewal every 5 minutes (600 s lease)
        dhcp_exchange(capture, t, ["request", "ack"])
        t += 300.0 + rng.uniform(-0.5, 0.5)
    if profile.miio:
        miio_activity(log, capture, boot_time + 20.0, end)
    if profile.ssdp:
        ssdp(capture, boot_time, end)

    # Write the capture and the bundle.
    folder = os.path.join(SAMPLES, profile.version)
    os.makedirs(folder, exist_ok=True)
    capture_name = f"capture-{datetime.fromtimestamp(start, LOCAL_ZONE).strftime('%Y%m%dT%H%M')}.pcapng.gz"
    capture.write_gzipped(os.path.join(folder, capture_name))

    log.tuya.sort(key=lambda item: item[0])
    log.miio.sort(key=lambda item: item[0])
    rotation = next(index for index, (t, _) in enumerate(log.tuya) if t > first_timer + 600)
    pack_time = end + 300
    bundle = f"{profile.bundle_number}.{datetime.fromtimestamp(pack_time, LOCAL_ZONE).strftime('%Y%m%d%H%M%S')}" \
             f"{int(pack_time * 1000) % 1000:03d}_{SERIAL}_{profile.version}"

    def text(lines):
        return ("\n".join(line for _, line in lines) + "\n").encode()

    varlog = tar_bytes([("var/", None, boot_time), ("var/log/", None, boot_time),
                        ("var/log/kern.log", kernel_log(profile).encode(), boot_time + 60)], "gz")
    entries = [(f"{bundle}/", None, pack_time), (f"{bundle}/rrlog/", None, pack_time),
               (f"{bundle}/rrlog/tuya.log.1", text(log.tuya[:rotation]), log.tuya[rotation - 1][0]),
               (f"{bundle}/rrlog/tuya.log", text(log.tuya[rotation:]), log.tuya[-1][0])]
    if profile.miio:
        entries.append((f"{bundle}/rrlog/miio.log", text(log.miio), log.miio[-1][0]))
    else:
        # Current firmware also leaves rrlogd's encrypted files: a 512-byte RSA-wrapped key, then AES data.
        entries.append((f"{bundle}/rrlog/rrlog_20220910.rr.gz", rng.randbytes(512 + 4096), pack_time - 60))
    entries.append((f"{bundle}/rrlog/varlog.tar.gz", varlog, pack_time))
    for compression in ("gz", "zst"):
        with open(os.path.join(folder, f"{bundle}.tar.{compression}"), "wb") as out:
            out.write(tar_bytes(entries, compression))
    return bundle, capture_name, len(capture.packets)


def main():
    for profile in PROFILES:
        bundle, capture_name, packets = make_profile(profile)
        print(f"{profile.version}: {bundle}.tar.gz/.tar.zst, {capture_name} ({packets} packets)")


if __name__ == "__main__":
    main()

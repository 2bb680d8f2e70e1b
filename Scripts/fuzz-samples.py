#!/usr/bin/env python3
"""Mutates the samples the way corrupt or hostile evidence differs from them, and runs the release firmtrace
on each mutation: correlate, timeline (in a format picked at random), clock and report. A crash (a signal or
an exit code other than 0, 1, 2 and 64) or a run longer than 20 s is kept, with the command, in
OUTPUT/case<seed>/. Byte-level fuzzers rarely write a 20-digit number into a Date: header or move a stretch of
packets decades away; these mutations do, on otherwise valid bundles and captures.

Usage: Scripts/fuzz-samples.py FIRMTRACE SECONDS [FIRST_SEED] [OUTPUT]   (Scripts/fuzz-samples runs it)"""
import gzip
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
firmtrace, seconds = sys.argv[1], float(sys.argv[2])
first_seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
output = Path(sys.argv[4] if len(sys.argv) > 4 else root / "fuzz-output" / "samples")

EXTREMES = ["0", "00", "1", "59", "60", "61", "4294967295", "4294967296", "2147483648", "9223372036854775807",
            "9223372036854775808", "18446744073709551615", "-1", "-9223372036854775808", "99999999999999999999999",
            "253402300799", "253402300800", "1e30", "1.5", "000000000000000000000001", ""]
HOSTS = ["a2.tuyaeu.com", "ms.tuyaeu.com", "pool.ntp.org", "10.10.10.1", "::1", "", "A2.TUYAEU.COM."]


def stamp_of(line):
    return line[1:15] if line.startswith("[") else "07-10 02:40:00"


def mutate_log(rng, text):
    """A dozen edits: numbers made extreme or moved, lines repeated, dropped, swapped or reversed (a clock
    going back), dates no calendar has, time sync and connect lines with odd zones, epochs and hosts, runs
    of zeros where writes were lost."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 12)):
        if not lines:
            lines = [""]
        index = rng.randrange(len(lines))
        line = lines[index]
        operation = rng.randrange(13)
        if operation <= 3:
            numbers = list(re.finditer(r"-?\d+", line))
            if numbers:
                number = rng.choice(numbers)
                shifted = str(int(number.group()) + rng.choice([-86400 * 366, -3600, -1, 1, 3600, 86400 * 400, 10**9]))
                lines[index] = line[:number.start()] + (rng.choice(EXTREMES) if rng.random() < .7 else shifted) + line[number.end():]
        elif operation == 4:
            lines.insert(index, rng.choice(lines))
        elif operation == 5:
            del lines[index]
        elif operation == 6:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == 7:
            end = min(len(lines), index + rng.randint(1, 200))
            lines[index:end] = lines[index:end][::-1]
        elif operation == 8:
            day = rng.choice(["01-01", "12-31", "02-29", "13-45", "00-00", "02-30"])
            lines[index] = re.sub(r"\[\d\d-\d\d", "[" + day, line, count=1)
            lines[index] = re.sub(r"^\[\d{8}", "[" + rng.choice(["99999999", "00000000", "20221301", "22231231", "19380101"]),
                                  lines[index])
            lines[index] = re.sub(r"^\[\s+\d+\.\d+\]", "[" + rng.choice(["999999999999.999999", "0.0", "-1.5"]) + "]", lines[index])
        elif operation == 9:
            zone = rng.choice(["+10:00", "-14:00", "+99:99", "+5:45", "-00:30", "+14:01", "+", ""])
            utc = rng.choice(EXTREMES[:14] + ["1657384300", "1657384300000"])
            when = rng.choice(["07-10 02:40:00", "01-01 18:12:20", "12-31 23:59:59", "02-29 00:00:00"])
            lines.insert(index, f"[{when} TUYA Notice][tuya_time.c:88] time sync success, zone {zone}, utc {utc}")
        elif operation == 10:
            host = rng.choice(HOSTS + ["x" * rng.randint(0, 300)])
            when = stamp_of(line)
            lines.insert(index, rng.choice([
                f"[{when} TUYA Debug][httpc.c:742] Connect: {host} Port: {rng.choice(['443', '0', '99999', '-1'])}  -->>",
                f"[{when} TUYA Debug][iot_httpc.c:894] Post URL: https://{host}/d.json?a=tuya.x&t={rng.choice(EXTREMES)}",
                f"[{when} TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect {host}:443  CustomNet:TRUE"]))
        elif operation == 11:
            end = min(len(lines), index + rng.randint(1, 2000))
            lines[index:index] = lines[index:end]
        else:
            cut = rng.randint(0, len(line))
            lines[index] = line[:cut] + "\0" * rng.choice([1, 7, 512, 4096, 70000]) + line[cut:]
    return "\n".join(lines)


def blocks(data):
    """The pcapng's blocks as (offset, type, length) while their lengths hold together."""
    offset = 0
    while offset + 12 <= len(data):
        kind, length = struct.unpack_from("<II", data, offset)
        if length < 12 or offset + length > len(data):
            return
        yield offset, kind, length
        offset += length


def mutate_capture(rng, data):
    """Cut short, bytes flipped, a stretch of packets moved in time (or to the ends of 64 bits), or two
    stretches of blocks swapped."""
    data = bytearray(data)
    operation = rng.randrange(5)
    if operation == 0:
        return bytes(data[:rng.randrange(len(data))])
    if operation == 1:
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif operation == 2:
        packets = [offset for offset, kind, _ in blocks(data) if kind == 6]
        if packets:
            start = rng.randrange(len(packets))
            shift = rng.choice([-10**15, -3600 * 10**6, -10**6, 10**6, 10**12, 2**62])
            fixed = rng.choice([None, None, 0, 2**63 - 1, 2**63, 2**64 - 1])
            for offset in packets[start:start + rng.randint(1, 3000)]:
                high, low = struct.unpack_from("<II", data, offset + 12)
                stamp = (((high << 32) | low) + shift if fixed is None else fixed) % 2**64
                struct.pack_into("<II", data, offset + 12, stamp >> 32, stamp & 0xFFFFFFFF)
    elif operation == 3:
        found = list(blocks(data))
        if len(found) > 10:
            pieces = [bytes(data[offset:offset + length]) for offset, _, length in found]
            a, b = rng.randrange(3, len(pieces)), rng.randrange(3, len(pieces))
            pieces[a], pieces[b] = pieces[b], pieces[a]
            end = found[-1][0] + found[-1][2]
            return b"".join(pieces) + bytes(data[end:])
    return bytes(data)


def unpacked_samples(into):
    """Each profile's bundle extracted (its logs as files) and its capture decompressed."""
    profiles = []
    for bundle in sorted(root.glob("Samples/*/*.tar.gz")):
        folder = into / bundle.parent.name
        with tarfile.open(bundle) as tar:
            # The samples are ours; the filter only keeps Python from warning that it will be the default.
            tar.extractall(folder, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        capture = folder / "capture.pcapng"
        capture.write_bytes(gzip.decompress(next(bundle.parent.glob("*.pcapng.gz")).read_bytes()))
        profiles.append((folder, next(p for p in folder.iterdir() if p.is_dir()).name, capture))
    return profiles


def commands(rng, work, bundle, extra):
    capture = str(work / "capture.pcapng")
    logs = str(work / bundle)
    timeline_format = rng.choice(["jsonl", "csv", "sqlite", "l2tcsv", "timesketch"])
    return [[firmtrace, "correlate", "--logs", logs, "--capture", capture, "--json", "-o", str(work / "linked.csv"), "--force"] + extra,
            [firmtrace, "timeline", logs, capture, "-o", str(work / "timeline.out"), "--format", timeline_format, "--force"] + extra,
            [firmtrace, "clock", logs, capture, "--json"] + extra,
            [firmtrace, "report", logs, capture, "-o", str(work / "report.html"), "--force"] + extra]


def main():
    scratch = Path(tempfile.mkdtemp(prefix="firmtrace-fuzz-samples-"))
    try:
        profiles = unpacked_samples(scratch / "samples")
        deadline, seed, found = time.monotonic() + seconds, first_seed, 0
        while time.monotonic() < deadline:
            rng = random.Random(seed)
            folder, bundle, capture = rng.choice(profiles)
            work = scratch / "work"
            shutil.rmtree(work, ignore_errors=True)
            name = bundle
            if rng.random() < .15:
                name = re.sub(r"\d+", lambda number: rng.choice([number.group(), rng.choice(EXTREMES).lstrip("-") or "0"]), bundle)
            shutil.copytree(folder / bundle, work / name)
            for log in (work / name).rglob("*"):
                if log.is_file() and (log.name.startswith("tuya.log") or log.name == "miio.log") and rng.random() < .8:
                    text = log.read_bytes().decode("utf-8", "surrogateescape")
                    log.write_bytes(mutate_log(rng, text).encode("utf-8", "surrogateescape"))
            data = capture.read_bytes()
            (work / "capture.pcapng").write_bytes(mutate_capture(rng, data) if rng.random() < .3 else data)
            extra = rng.choice([[], [], ["--year", "2022"], ["--tz", "+10:00"], ["--year=" + rng.choice(["1970", "9999", "2223"])],
                                ["--tz=" + rng.choice(["+14:00", "-12:00", "Z", "+5:45"])]])
            for command in commands(rng, work, name, extra):
                try:
                    result = subprocess.run(command, capture_output=True, timeout=20)
                    failed = result.returncode not in (0, 1, 2, 64)
                    why = f"exit {result.returncode}\n{result.stderr.decode('utf-8', 'replace')[-4000:]}"
                except subprocess.TimeoutExpired:
                    failed, why = True, "no end after 20 s"
                if failed:
                    keep = output / f"case{seed}"
                    shutil.rmtree(keep, ignore_errors=True)
                    shutil.copytree(work, keep)
                    (keep / "why.txt").write_text(" ".join(command).replace(str(work), str(keep)) + "\n" + why + "\n")
                    print(f"seed {seed}: {command[1]} failed ({why.splitlines()[0]}), kept in {keep}", flush=True)
                    found += 1
                    break
            seed += 1
        print(f"{seed - first_seed} mutations of the samples (seeds {first_seed} to {seed - 1}), {found} failing kept in {output}")
        return 1 if found else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


sys.exit(main())

#!/usr/bin/env python3
# Usage: .venv/bin/python Scripts/make-bench-log.py OUT.log [MEGABYTES]
"""A large Tuya SDK log for benchmarks, built from the sample bundle's own lines: each copy of the sample
hour moves the clock forward (epochs and stamps together) and draws fresh hex for signs, so the file is
not one block repeated. Deterministic."""

import glob
import os
import random
import re
import sys
import tarfile
from datetime import datetime, timedelta, timezone

ZONE = timezone(timedelta(hours=10))
STAMP = re.compile(r"\[(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) TUYA")
EPOCH = re.compile(r'(t=|"t":|utc )(\d{10})')
HEX32 = re.compile(r"sign=[0-9a-f]{32}")


def sample_lines():
    bundle = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "Samples", "v01.15.58", "*.tar.gz")))[0]
    lines = []
    with tarfile.open(bundle) as archive:
        for name in ("tuya.log.1", "tuya.log"):
            member = next(m for m in archive.getmembers() if m.name.endswith("/rrlog/" + name))
            lines += archive.extractfile(member).read().decode().splitlines()
    return [line for line in lines if STAMP.search(line) and "01-01" not in line[:30]]


def main():
    out_path = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    lines = sample_lines()
    rng = random.Random(2022)
    year = 2022
    written = 0
    shift = 0
    with open(out_path, "w") as out:
        while written < target * 1_000_000:
            chunk = []
            for line in lines:
                match = STAMP.search(line)
                month, day, hour, minute, second = map(int, match.groups())
                when = datetime(year, month, day, hour, minute, second, tzinfo=ZONE) + timedelta(seconds=shift)
                stamp = when.strftime("[%m-%d %H:%M:%S TUYA")
                text = line[:match.start()] + stamp + line[match.end():]
                text = EPOCH.sub(lambda m: m.group(1) + str(int(m.group(2)) + shift), text)
                text = HEX32.sub(lambda _: "sign=" + "%032x" % rng.getrandbits(128), text)
                chunk.append(text)
            block = "\n".join(chunk) + "\n"
            out.write(block)
            written += len(block)
            shift += 3600 + rng.randrange(0, 120)


if __name__ == "__main__":
    main()

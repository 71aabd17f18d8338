#!/usr/bin/env python3
"""clang-tidy over the project's translation units, skipping the ones it has
already passed unchanged.

A translation unit passes once for one key: the SHA-256 of the clang-tidy
version, the .clang-tidy file, the unit's path, its compile command and its
preprocessed source with comments (every header it includes, so a changed
header re-checks every unit that includes it, and a NOLINT comment added or
removed counts as a change). Paths are taken relative to the checkout, so
another clone of the same commit reuses the keys. Passing keys are kept
outside the checkout, in $HUBTABLE_TIDY_CACHE (default
~/.cache/hubtable/clang-tidy); a unit with a finding is never cached, so it
is checked again on every run until fixed.

usage: clang-tidy-cached.py BUILD_DIR FILE_REGEX [JOBS]
Exits 1 and prints the findings when any unit has one.
"""

import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

TIDY = "clang-tidy"
# Flags that write files or name outputs: dropped when preprocessing.
DROP_WITH_VALUE = {"-o", "-MF", "-MT", "-MQ"}
DROP = {"-c", "-MD", "-MMD"}


def arguments(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def preprocess_command(entry):
    args = arguments(entry)
    out = [args[0]]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in DROP_WITH_VALUE:
            skip = True
            continue
        if a in DROP:
            continue
        out.append(a)
    return out + ["-E", "-C"]


def key_of(entry, salt):
    pre = subprocess.run(preprocess_command(entry), cwd=entry["directory"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if pre.returncode != 0:
        return None  # let clang-tidy say what is wrong
    root = os.getcwd().encode()  # the checkout: another clone differs only there
    here = b"<checkout>"
    h = hashlib.sha256(salt)
    h.update(entry["file"].encode().replace(root, here))
    h.update(b"\0")
    # The flags decide which warnings clang-tidy reports, besides the source.
    h.update(" ".join(arguments(entry)).encode().replace(root, here))
    h.update(b"\0")
    h.update(pre.stdout.replace(root, here))
    return h.hexdigest()


def check(entry, build, cache, salt):
    key = key_of(entry, salt)
    marker = os.path.join(cache, key[:2], key) if key else None
    if marker and os.path.exists(marker):
        return entry["file"], True, True, ""
    run = subprocess.run([TIDY, "-p", build, "-quiet", entry["file"]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    text = run.stdout.decode(errors="replace")
    clean = run.returncode == 0 and not re.search(r"(warning|error): ", text)
    if clean and marker:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "w", encoding="ascii") as f:
            f.write(entry["file"] + "\n")
    return entry["file"], clean, False, text


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, pattern = sys.argv[1], re.compile(sys.argv[2])
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    cache = os.environ.get("HUBTABLE_TIDY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "hubtable", "clang-tidy")
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        entries = [e for e in json.load(f) if pattern.search(e["file"])]
    version = subprocess.run([TIDY, "--version"], stdout=subprocess.PIPE, check=True).stdout
    with open(".clang-tidy", "rb") as f:
        salt = version + b"\0" + f.read() + b"\0"

    failed, cached = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name, clean, hit, text in pool.map(lambda e: check(e, build, cache, salt), entries):
            cached += hit
            if not clean:
                failed.append((name, text))
    print(f"clang-tidy: {len(entries)} units, {cached} unchanged since they passed, "
          f"{len(entries) - cached} checked")
    for name, text in failed:
        print(f"--- {name}")
        print("\n".join(l for l in text.splitlines() if re.search(r"(warning|error):", l)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

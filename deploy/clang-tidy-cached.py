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

Finding that key means preprocessing the unit, a second or more per unit.
So, as ccache's direct mode does, the cache also keeps a manifest per unit
and command: the files the preprocessor read (from its dependency output)
with the SHA-256 of each, and the key they gave. When every one of those
files still has the same content, the key is known without preprocessing.

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
import tempfile
import threading

TIDY = "clang-tidy"
# Flags that write files or name outputs: dropped when preprocessing.
DROP_WITH_VALUE = {"-o", "-MF", "-MT", "-MQ"}
DROP = {"-c", "-MD", "-MMD"}


def arguments(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def preprocess_command(entry, depfile):
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
    return out + ["-E", "-C", "-MD", "-MF", depfile]


ROOT = os.getcwd()  # the checkout: another clone differs only there
HERE = "<checkout>"


def portable(text):
    return text.replace(ROOT, HERE)


def local(text):
    return text.replace(HERE, ROOT)


def read_depfile(path, directory):
    """The files a make-style dependency file names (after the target)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\\\n", " ")
    _, _, rest = text.partition(": ")
    names = re.split(r"(?<!\\)\s+", rest.strip())
    return sorted({os.path.normpath(os.path.join(directory, n.replace("\\ ", " ")))
                   for n in names if n})


class FileHashes:
    """SHA-256 of files' contents, each read once per run."""

    def __init__(self):
        self.known = {}
        self.lock = threading.Lock()

    def of(self, path):
        with self.lock:
            if path in self.known:
                return self.known[path]
        try:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            digest = ""
        with self.lock:
            self.known[path] = digest
        return digest


HASHES = FileHashes()
MANIFEST_CANDIDATES = 8


def command_hash(entry, salt):
    """A hash of the unit's path and compile command, in the checkout's terms."""
    h = hashlib.sha256(salt)
    h.update(portable(entry["file"]).encode())
    h.update(b"\0")
    # The flags decide which warnings clang-tidy reports, besides the source.
    h.update(portable(" ".join(arguments(entry))).encode())
    return h


def command_key(entry, salt):
    return command_hash(entry, salt).hexdigest()


def key_of(entry, salt):
    """The unit's key, and the files its preprocessing read."""
    with tempfile.TemporaryDirectory() as tmp:
        depfile = os.path.join(tmp, "unit.d")
        pre = subprocess.run(preprocess_command(entry, depfile), cwd=entry["directory"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if pre.returncode != 0:
            return None, []  # let clang-tidy say what is wrong
        deps = read_depfile(depfile, entry["directory"])
    h = command_hash(entry, salt)
    h.update(b"\0")
    h.update(pre.stdout.replace(ROOT.encode(), HERE.encode()))
    return h.hexdigest(), deps


def manifest_path(cache, entry, salt):
    k = command_key(entry, salt)
    return os.path.join(cache, "direct", k[:2], k)


def known_key(manifest):
    """The key a manifest recorded for files whose contents are unchanged."""
    try:
        with open(manifest, encoding="utf-8") as f:
            candidates = json.load(f)
    except (OSError, ValueError):
        return None
    for c in candidates:
        if all(HASHES.of(local(p)) == digest for p, digest in c["files"].items()):
            return c["key"]
    return None


def remember(manifest, key, deps):
    try:
        with open(manifest, encoding="utf-8") as f:
            candidates = json.load(f)
    except (OSError, ValueError):
        candidates = []
    files = {portable(p): HASHES.of(p) for p in deps}
    candidates = [{"key": key, "files": files}] + [c for c in candidates if c["key"] != key]
    os.makedirs(os.path.dirname(manifest), exist_ok=True)
    tmp = manifest + f".{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(candidates[:MANIFEST_CANDIDATES], f)
    os.replace(tmp, manifest)


def check(entry, build, cache, salt):
    manifest = manifest_path(cache, entry, salt)
    key, deps = known_key(manifest), None
    if key is None:
        key, deps = key_of(entry, salt)
    marker = os.path.join(cache, key[:2], key) if key else None
    if marker and os.path.exists(marker):
        if deps:
            remember(manifest, key, deps)
        return entry["file"], True, True, ""
    run = subprocess.run([TIDY, "-p", build, "-quiet", entry["file"]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    text = run.stdout.decode(errors="replace")
    clean = run.returncode == 0 and not re.search(r"(warning|error): ", text)
    if clean and marker:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "w", encoding="ascii") as f:
            f.write(entry["file"] + "\n")
        if deps:
            remember(manifest, key, deps)
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

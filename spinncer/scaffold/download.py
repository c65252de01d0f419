"""Download a published scaffold file, resumably, and verify its SHA-256.

The published 400x400 µm file lives in the EBRAINS knowledge graph (dataset
069e4718-2b4a-4056-9c8f-e646a841b2dd). The expected digest comes from the config; when it is
empty the digest of the first complete download is written to ``<file>.sha256`` and enforced on
every later download (trust on first use). Bytes arrive in a hidden ``.<file>.part`` beside the
target, which a later attempt resumes with an HTTP Range request; the target appears only after
the digest matched. A failure before any byte arrived, or a digest mismatch, leaves nothing.
"""
import http.client
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import InputError
from ..provenance import sha256

log = logging.getLogger("spinncer")
CHUNK = 1 << 20


def sidecar(path):
    return Path(f"{path}.sha256")


def expected_digest(path, configured):
    """The digest to enforce: the configured one, else one recorded by an earlier download."""
    if configured:
        return configured.strip().lower()
    if sidecar(path).is_file():
        return sidecar(path).read_text().split()[0].lower()
    return None


def _fetch(url, part, timeout):
    """Append the rest of `url` to `part`, resuming from its current size."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing left to fetch: the part is already complete
            return
        raise
    with response:
        resumed = have and response.status == 206
        if have and not resumed:
            log.info("server ignored the range request: restarting %s", url)
        total = response.length
        with open(part, "ab" if resumed else "wb") as handle:
            copied = 0
            while block := response.read(CHUNK):
                handle.write(block)
                copied += len(block)
        if total is not None and copied < total:
            raise urllib.error.URLError(f"connection closed after {copied} of {total} bytes")


def download(url, path, configured_sha256="", timeout=60.0):
    """Download `url` to `path` unless a verified copy is there; return the path."""
    path = Path(path)
    expected = expected_digest(path, configured_sha256)
    if path.is_file() and expected and sha256(path) == expected:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        _fetch(url, part, timeout)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()
        kept = " (partial download kept for resuming)" if part.exists() else ""
        reason = getattr(err, "reason", err)
        raise InputError(url, f"a reachable download for {path.name}", f"{reason}{kept}") \
            from None
    found = sha256(part)
    if expected and found != expected:
        part.unlink()
        raise InputError(path, f"sha256 {expected}", f"sha256 {found} (download deleted)")
    os.replace(part, path)
    if not expected:
        tmp = sidecar(path).with_name(f".{sidecar(path).name}.part")
        tmp.write_text(f"{found}  {path.name}\n")
        os.replace(tmp, sidecar(path))
        log.info("recorded sha256 %s in %s", found, sidecar(path))
    return path


def verify(path, configured_sha256):
    """Check a local scaffold file (e.g. the published one fetched by hand) against a digest."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "an existing scaffold file", "no such file")
    found = sha256(path)
    if configured_sha256 and found != configured_sha256.strip().lower():
        raise InputError(path, f"sha256 {configured_sha256.strip().lower()}", f"sha256 {found}")
    return found

"""The real HTTP download path against a local server on 127.0.0.1 (no mocked requests)."""
import hashlib
import http.server
import threading
from functools import partial

import pytest

from spinncer.errors import InputError
from spinncer.scaffold.download import download, sidecar


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single-range support; `cut_after` truncates the body to simulate a
    dropped connection."""

    cut_after = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        try:
            data = open(path, "rb").read()
        except OSError:
            self.send_error(404)
            return
        start = 0
        if self.headers.get("Range", "").startswith("bytes="):
            start = int(self.headers["Range"][6:].split("-")[0])
            if start >= len(data):
                self.send_error(416)  # as real servers answer a range past the end
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if RangeHandler.cut_after is not None:
            body = body[:RangeHandler.cut_after]
        self.wfile.write(body)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    payload = bytes(range(256)) * 4000  # ~1 MB
    (root / "scaffold.hdf5").write_bytes(payload)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            partial(RangeHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/scaffold.hdf5", payload
    RangeHandler.cut_after = None
    httpd.shutdown()
    httpd.server_close()


def files_in(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verifies_configured_digest(tmp_path, server):
    url, payload = server
    out = tmp_path / "dl" / "scaffold.hdf5"
    download(url, out, hashlib.sha256(payload).hexdigest())
    assert out.read_bytes() == payload
    assert files_in(out.parent) == ["scaffold.hdf5"]


def test_empty_digest_is_recorded_then_enforced(tmp_path, server):
    url, payload = server
    out = tmp_path / "dl" / "scaffold.hdf5"
    download(url, out)
    assert sidecar(out).read_text().split()[0] == hashlib.sha256(payload).hexdigest()
    # the served file changes: the recorded digest now rejects it
    out.unlink()
    served = tmp_path / "served" / "scaffold.hdf5"
    served.write_bytes(payload[::-1])
    with pytest.raises(InputError, match="sha256"):
        download(url, out)
    assert files_in(out.parent) == ["scaffold.hdf5.sha256"]


def test_checksum_mismatch_leaves_nothing(tmp_path, server):
    url, payload = server
    out = tmp_path / "dl" / "scaffold.hdf5"
    with pytest.raises(InputError) as info:
        download(url, out, "0" * 64)
    message = str(info.value)
    assert "scaffold.hdf5" in message and "0" * 64 in message
    assert hashlib.sha256(payload).hexdigest() in message
    assert files_in(out.parent) == []


def test_offline_is_one_clear_error_and_leaves_nothing(tmp_path, server):
    url, _ = server
    port = url.split(":")[2].split("/")[0]
    dead = url.replace(port, "9")  # discard port: nothing listens
    out = tmp_path / "dl" / "scaffold.hdf5"
    with pytest.raises(InputError, match="reachable download"):
        download(dead, out, timeout=5)
    assert files_in(out.parent) == []


def test_interrupted_download_resumes(tmp_path, server):
    url, payload = server
    out = tmp_path / "dl" / "scaffold.hdf5"
    RangeHandler.cut_after = 300_000
    with pytest.raises(InputError, match="partial download kept"):
        download(url, out, hashlib.sha256(payload).hexdigest())
    assert not out.exists()
    RangeHandler.cut_after = None
    download(url, out, hashlib.sha256(payload).hexdigest())
    assert out.read_bytes() == payload
    assert files_in(out.parent) == ["scaffold.hdf5"]


def test_complete_part_left_by_a_kill_is_promoted(tmp_path, server):
    url, payload = server
    out = tmp_path / "dl" / "scaffold.hdf5"
    out.parent.mkdir()
    (out.parent / ".scaffold.hdf5.part").write_bytes(payload)  # killed before the rename
    download(url, out, hashlib.sha256(payload).hexdigest())
    assert out.read_bytes() == payload and files_in(out.parent) == ["scaffold.hdf5"]

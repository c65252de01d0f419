"""Provenance helpers: file digests, package versions, wall-clock phases, peak memory."""
import hashlib
import logging
import platform
import resource
import time
from contextlib import contextmanager
from importlib import metadata

from .console import PROGRESS

log = logging.getLogger("spinncer")
LONG_PHASE_S = 10.0  # phases at least this long are also reported on the workflow console


def sha256(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names=("spinncer", "numpy", "h5py", "PyNN", "nest-simulator", "neo")):
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    found["python"] = platform.python_version()
    return found


def peak_rss_mib():
    """Peak resident memory of this process (MiB; Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class PhaseTimer:
    """Named wall-clock phases, logged as they end."""

    def __init__(self):
        self.seconds = {}

    @contextmanager
    def phase(self, name):
        start = time.perf_counter()
        log.info("%s ...", name)
        yield
        self.seconds[name] = round(time.perf_counter() - start, 4)
        log.info("%s done in %.2f s (peak RSS %.0f MiB)", name, self.seconds[name], peak_rss_mib(),
                 extra=PROGRESS if self.seconds[name] >= LONG_PHASE_S else None)


def run_in_chunks(run_until, total, n_chunks=10, label="simulate"):
    """Call `run_until(t)` for n_chunks equal steps up to `total` (ms), logging progress,
    speed (simulated ms per wall-clock s) and the estimated time left."""
    start = time.perf_counter()
    for k in range(1, n_chunks + 1):
        run_until(total * k / n_chunks)
        elapsed = time.perf_counter() - start
        speed = total * k / n_chunks / max(elapsed, 1e-9)
        eta = (n_chunks - k) * elapsed / k
        log.info("%s: %3.0f%% (%.0f of %.0f ms), %.1f ms/s, real-time factor %.1f, ETA %.0f s",
                 label, 100.0 * k / n_chunks, total * k / n_chunks, total, speed,
                 1000.0 / speed, eta, extra=PROGRESS)

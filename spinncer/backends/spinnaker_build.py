"""Compile ``spinnaker_core.cpp`` (spinncer's emulation of a SpiNNaker core) once, load it with
ctypes.

The shared library is cached under a key of the source's digest, the compiler's version and the
flags, in ``$SPINNCER_EMULATOR_CACHE`` (else ``~/.cache/spinncer/emulator``); one process builds
it while others wait on a lock, and it is renamed into place only when complete. Flags:
``-O3 -march=native`` lets GCC vectorise the passes over the cells (at 400 x 400 µm, 1 s:
13.2 s at -O2, 2.4 s with AVX-512, identical spikes; benchmarks/README.md), so the key includes
the processor GCC targets, and a cache shared by different machines keeps one library each.
No floating-point contraction (``-ffp-contract=off``) and no fast-math: the double-precision
path gives IEEE results independent of vectorisation; the fixed-point path is integer
arithmetic and exact anyway.
"""
import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

from ..atomic import atomic_path, cache_dir, file_lock
from ..errors import InputError
from ..provenance import sha256

SOURCE = Path(__file__).with_name("spinnaker_core.cpp")
FLAGS = ("-O3", "-march=native", "-std=c++17", "-fPIC", "-shared", "-fopenmp",
         "-ffp-contract=off", "-fno-strict-aliasing")


class PopulationParams(ctypes.Structure):
    """S1615 bits of one population's parameters (spinnaker_core.cpp)."""
    _fields_ = tuple((name, ctypes.c_int32) for name in (
        "v_rest", "c_m", "tau_m", "i_offset", "v_reset", "t_refract_ms", "time_step",
        "v_rev_e", "v_rev_i", "v_thresh", "tau_syn_e", "tau_syn_i", "n_steps", "shift_e",
        "shift_i"))


class DerivedConstants(ctypes.Structure):
    """The constants a core derives: R and exp_TC as S1615 bits, T_refract in sub-steps, decays
    and inits as U0.32 bits."""
    _fields_ = (("r_membrane", ctypes.c_int32), ("exp_tc", ctypes.c_int32),
                ("t_refract", ctypes.c_int32), ("exc_decay", ctypes.c_uint32),
                ("exc_init", ctypes.c_uint32), ("inh_decay", ctypes.c_uint32),
                ("inh_init", ctypes.c_uint32))


class PopulationReals(ctypes.Structure):
    """One population's values on the double-precision path (mV, nA, MOhm, µS per step)."""
    _fields_ = tuple((name, ctypes.c_double) for name in (
        "v_rest", "v_reset", "v_thresh", "i_offset", "v_rev_e", "v_rev_i", "r_membrane",
        "exp_tc", "exc_decay", "exc_init", "inh_decay", "inh_init", "step_e", "step_i"))


class RunSwitches(ctypes.Structure):
    _fields_ = (("fixed_point", ctypes.c_int32), ("saturate", ctypes.c_int32),
                ("nest_timing", ctypes.c_int32), ("conductance_bits", ctypes.c_int32))


def default_cache_dir():
    """$SPINNCER_EMULATOR_CACHE, else ~/.cache/spinncer/emulator."""
    return cache_dir("SPINNCER_EMULATOR_CACHE", "emulator")


@functools.cache
def _compiler():
    """(compiler, its version line, the processor -march=native means to it)."""
    compiler = os.environ.get("CXX", "g++")
    if shutil.which(compiler) is None:
        raise InputError("backend spinnaker-emulated", "a C++ compiler (g++) to build its core",
                         f"no '{compiler}' on PATH")
    version = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout
    target = subprocess.run([compiler, "-march=native", "-Q", "--help=target"],
                            capture_output=True, text=True).stdout
    march = [line.split()[-1] for line in target.splitlines()
             if line.strip().startswith("-march=")]
    return compiler, (version.splitlines() or [compiler])[0], (march or ["unknown"])[0]


def library_path(cache_dir=None):
    """The compiled library for this source and compiler (built when missing)."""
    compiler, version, march = _compiler()
    key = "\n".join([sha256(SOURCE), version, march, *FLAGS])
    key = hashlib.sha256(key.encode()).hexdigest()
    cache = Path(cache_dir or default_cache_dir())
    target = cache / f"spinnaker_core-{key[:16]}.so"
    if target.is_file():
        return target
    with file_lock(cache / f"{target.name}.lock"):
        if not target.is_file():
            with atomic_path(target) as tmp:
                done = subprocess.run([compiler, *FLAGS, str(SOURCE), "-o", str(tmp)],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    errors = [line for line in done.stderr.splitlines() if "error" in line]
                    raise InputError(str(SOURCE), f"a source {compiler} builds",
                                     (errors or [f"exit status {done.returncode}"])[0])
    return target


_P = np.ctypeslib.ndpointer


def _ptr(dtype):
    """A ctypes argument: a C-contiguous numpy array of `dtype`, or None (a null pointer)."""
    base = _P(dtype=dtype, flags="C_CONTIGUOUS")

    def from_param(cls, obj):
        return None if obj is None else base.from_param(obj)
    return type(f"Nullable{base.__name__}", (base,), {"from_param": classmethod(from_param)})


def load(cache_dir=None):
    """The core library with its functions' signatures set."""
    return _load(library_path(cache_dir))


@functools.cache
def _load(path):
    """One ctypes handle per compiled library (the loader keeps it mapped anyway)."""
    lib = ctypes.CDLL(str(path))
    lib.spinnaker_derive.argtypes = [ctypes.POINTER(PopulationParams),
                                     ctypes.POINTER(DerivedConstants)]
    lib.spinnaker_derive.restype = None
    i32, u32, i64, u8, f64, f32 = (_ptr(np.int32), _ptr(np.uint32), _ptr(np.int64),
                                   _ptr(np.uint8), _ptr(np.float64), _ptr(np.float32))
    lib.spinnaker_simulate.argtypes = [
        ctypes.POINTER(RunSwitches), ctypes.c_int32, ctypes.c_int32, ctypes.c_int32, u8,
        ctypes.POINTER(PopulationParams), ctypes.POINTER(DerivedConstants),
        ctypes.POINTER(PopulationReals), i64, i32, u32, f64, u8, u8, ctypes.c_int32, i64, i32,
        i32, f64, u32, ctypes.c_int32, i32, f32, i32, i32, i32, ctypes.c_int64, ctypes.c_int32]
    lib.spinnaker_simulate.restype = ctypes.c_int64
    return lib

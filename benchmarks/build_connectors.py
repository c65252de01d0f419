"""Benchmark: network build with spinncer's bulk connector vs PyNN FromListConnector.

Builds the same scaffold twice on NEST (same populations, same projections) and prints one line
per figure: connect time of each method, their ratio (goal >= 10x), and build vs simulate time
of the bulk build for a `--simtime` ms run.

    python benchmarks/build_connectors.py resources/scaffolds/smoke_100x100.hdf5 --simtime 1000
"""
import argparse
import time

import numpy as np

from spinncer.backends.nest import NestSession
from spinncer.params import DEFAULT_TIMESTEP
from spinncer.scaffold import read_scaffold
from spinncer.stimulus import Stimulus


class FromListSession(NestSession):
    """The NEST session with PyNN's FromListConnector instead of the bulk connector."""

    def make_connector(self, pre, post):
        return self.sim.FromListConnector(np.column_stack([pre, post]))


def build(scaffold, stimulus, method, simtime=0.0, threads=1):
    cls = NestSession if method == "bulk" else FromListSession
    session = cls("nest", timestep=DEFAULT_TIMESTEP, threads=threads, seed=1)
    start = time.perf_counter()
    session.build(scaffold, stimulus)
    made = time.perf_counter()
    session.connect(scaffold)
    connected = time.perf_counter()
    if simtime:
        session.sim.run(simtime)
    done = time.perf_counter()
    session.end()
    return made - start, connected - made, done - connected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    parser.add_argument("--simtime", type=float, default=1000.0, help="ms")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    scaffold = read_scaffold(args.scaffold)
    rng = np.random.default_rng(1)
    n_glom = scaffold.n_cells("glomerulus")
    trains = [np.sort(rng.uniform(0.1, args.simtime, rng.poisson(args.simtime / 1000.0)))
              for _ in range(n_glom)]
    stimulus = Stimulus.from_trains(trains)
    print(f"scaffold: {args.scaffold}: {sum(map(len, scaffold.positions.values()))} cells, "
          f"{scaffold.n_synapses} synapses, threads {args.threads}")
    pops_bulk, connect_bulk, simulate = build(scaffold, stimulus, "bulk", args.simtime,
                                              args.threads)
    _, connect_list, _ = build(scaffold, stimulus, "fromlist", 0.0, args.threads)
    print(f"connect, bulk one_to_one:        {connect_bulk:8.2f} s")
    print(f"connect, FromListConnector:      {connect_list:8.2f} s")
    print(f"speed-up bulk vs FromList:       {connect_list / connect_bulk:8.1f} x (goal >= 10)")
    print(f"build (populations + connect):   {pops_bulk + connect_bulk:8.2f} s")
    print(f"simulate {args.simtime:.0f} ms:               {simulate:8.2f} s")
    print(f"build / simulate:                {(pops_bulk + connect_bulk) / simulate:8.3f}")


if __name__ == "__main__":
    main()

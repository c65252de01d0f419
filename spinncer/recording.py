"""Which cells record analog signals (membrane potential and synaptic conductances).

The study compared "membrane potential dynamics of individual neurons" between NEST and
SpiNNaker [Bogdan2021 Results]; SpiNNCer recorded v and gsyn from a sample of each population
(every 64th cell, i.e. one per 64-neuron core) and from every Purkinje and DCN cell, whose
populations are small [SpiNNCer cerebellum.py, recording of ``gsyn``/``v`` per population].
"""
import numpy as np

from .params import INPUT_POPULATION

#: One recorded cell per this many cells of a population (one per 64-neuron SpiNNaker core).
SIGNAL_STRIDE = 64
#: Populations recorded in full.
SIGNAL_ALL_CELLS = ("purkinje", "dcn")
#: The analog signals recorded (PyNN names; v in mV, conductances in µS).
SIGNALS = ("v", "gsyn_exc", "gsyn_inh")


def signal_sample(n_cells):
    """{population: sorted int64 cell indices} recording analog signals, for the populations and
    sizes in `n_cells` ({population: count}). Spike sources (glomeruli) record none."""
    sample = {}
    for name, n in n_cells.items():
        if name == INPUT_POPULATION or n == 0:
            continue
        stride = 1 if name in SIGNAL_ALL_CELLS else SIGNAL_STRIDE
        sample[name] = np.arange(0, int(n), stride, dtype=np.int64)
    return sample

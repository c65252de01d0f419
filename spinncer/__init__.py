"""spinncer: the cerebellum scaffold of Casali et al. (2019) on NEST and SpiNNaker, after
Bogdan et al. (2021)."""
__version__ = "0.1.0"

"""Shared set-up of the PyTorch reference timings; import it before torch or numpy.

The thread settings must be in the environment before those libraries load: two threads, as the Java runs use on
this machine, and OpenMP threads that sleep instead of spinning while they wait (as the Java launcher sets).
"""
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# ../shared/reference beside the project checkout, where the reference implementation lives.
DEFAULT_REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference")

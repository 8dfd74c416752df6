"""Mock skies in the archives' schema: the embedded sample, the tests' and the benchmarks' skies.

Not part of the pipeline: no rule imports it. ``python -m symfind.mock --out DIR`` writes a sky
(:mod:`symfind.mock.sky` says what is in it).
"""

from .sky import DEFAULT_N_OBJECTS, DEFAULT_SEED, POPULATIONS, SAMPLE_FILES, SAMPLE_SCHEMAS, write_sample

__all__ = ["DEFAULT_N_OBJECTS", "DEFAULT_SEED", "POPULATIONS", "SAMPLE_FILES", "SAMPLE_SCHEMAS", "write_sample"]

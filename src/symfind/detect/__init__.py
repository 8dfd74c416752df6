"""Detection (workflow stage 6, Anomaly detection, and the PCA of stage 7): which objects hold light that a giant alone does not make.

The feature sets (:mod:`~symfind.detect.features`), the variational autoencoder and the default
symbiotic score (:mod:`~symfind.detect.vae`), the two-component test of the excess, a nebula and a
hot dwarf against an A0-K0 star (:mod:`~symfind.detect.companion`), the SED and the giant's
prediction from its neighbours (:mod:`~symfind.detect.sed`), the baseline detectors
(:mod:`~symfind.detect.detectors`), the scored table that joins them
(:mod:`~symfind.detect.scored`) and the PCA of the colour space (:mod:`~symfind.detect.pca`). It
reads the core, the query and the photometry.
"""

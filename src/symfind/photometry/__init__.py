"""The photometry (workflow stages 2-5: extinction, Cuts, Colours, Merge): from the query's tables to the catalogue the detectors read.

The extinction (:mod:`~symfind.photometry.extinction`), the cuts on distance, dereddened J-K and
absolute magnitude (:mod:`~symfind.photometry.cuts`), the nightly inverse-variance weighted
magnitudes, the 30 ordered colours with their errors, the variability and the flickering
(:mod:`~symfind.photometry.colours`), and the merge of the colours with the filtered catalogue on
``object_id`` (:mod:`~symfind.photometry.merge`). It reads the core and the query.
"""

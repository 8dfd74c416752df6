"""The query (workflow stages 1, Selection, and 2, Distances): which objects the pipeline looks at and what the archives say of them.

The selection of the SkyMapper master table cross-matched to 2MASS, Gaia and AllWISE
(:mod:`~symfind.query.selection`, its ADQL for TAP in :mod:`~symfind.query.tap`), the sky in tiles
(:mod:`~symfind.query.tiles`), the data releases and their archive schemas
(:mod:`~symfind.query.releases`), the sources that read them (local files, TAP or HATS catalogues:
:mod:`~symfind.query.sources`, with Dask in :mod:`~symfind.query.parallel`), the per-epoch
photometry and the Bailer-Jones distances of the selected objects (:mod:`~symfind.query.epochs`,
:mod:`~symfind.query.distances`), and Gaia DR3's Halpha and long-period variability
(:mod:`~symfind.query.gaia_dr3`). It reads only the core.
"""

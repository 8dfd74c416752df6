"""The presentation (workflow stages 8, the candidate tables, and 9, Report): what an astronomer opens, vets and cites.

The candidate tables (:mod:`~symfind.present.candidates`) as FITS and VOTable with provenance
(:mod:`~symfind.present.vo`), the evidence per candidate (:mod:`~symfind.present.evidence`) and its
figures (:mod:`~symfind.present.plots`), the browser page that sends rows to TOPCAT over SAMP and
exports the verdicts (:mod:`~symfind.present.browser`) and the run's summary
(:mod:`~symfind.present.summary`). It reads every stage; none reads it.
"""

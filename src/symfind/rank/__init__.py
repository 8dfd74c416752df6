"""The known symbiotic stars and the ranking that learns from them (workflow stages 7, Known symbiotic stars, and 8, Candidates).

The cross-match with the catalogues of known symbiotic stars (:mod:`~symfind.rank.known`), the
positive-unlabelled ranking and its evaluation on hidden labels (:mod:`~symfind.rank.ranking`,
:mod:`~symfind.rank.evaluation`), the comparison of the detectors
(:mod:`~symfind.rank.comparison`) and the astronomer's verdicts that teach the ranking
(:mod:`~symfind.rank.vetting`). It reads every stage before it, never the presentation.
"""

"""The figures, grouped by what they show.

- :mod:`symfind.present.plots.figure`: the plumbing (a headless matplotlib, PNGs written atomically, a
  figure that says why a stage was skipped);
- :mod:`symfind.present.plots.scores`: the VAE's anomaly score (histogram, box plot, per object, against
  magnitude) and its latent space;
- :mod:`symfind.present.plots.sky`: the objects on the sky and in colour-colour, colour-magnitude and
  principal-component space, candidates and known symbiotic stars marked;
- :mod:`symfind.present.plots.evaluation`: how well the detectors and the ranking find the known
  symbiotic stars.
"""

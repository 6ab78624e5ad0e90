"""Published parameter estimates on the CDNOW 1/10 sample and the Fader-Hardie survivor series.

CDNOW sample: 2,357 customers, calibration 1997-01-01 … 1997-09-30 (39 weeks), time in
weeks, same-day purchases merged, frequency = repeat purchases.
"""

#: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
#: Pareto/NBD model", Marketing Science 24(2), 275-284: BG/NBD on the CDNOW sample.
BGNBD_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "loglik": -9582.4}

#: Same paper (Pareto/NBD benchmark on the same data); also in Fader & Hardie (2005)
#: "A note on implementing the Pareto/NBD model in MATLAB".  The tests check our fit against
#: the independent lifetimes oracle (tests/results/lifetimes_cdnow.py) and these values.
PARETO_NBD_CDNOW = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67, "loglik": -9595.0}

#: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (brucehardie.com note 025),
#: on the 946 repeat customers of the CDNOW sample (mean spend per repeat purchase, USD).
#: The same values and LL = -4055.9177 are the reference of CLVTools' test
#: tests/testthat/test_correctness_gg.R.
GAMMA_GAMMA_CDNOW = {"p": 6.25, "q": 3.74, "gamma": 15.44, "loglik": -4055.9177}

#: Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
#: Marketing 21(1), 76-90: survivors per 1,000 customers, years 0-12; the sBG is fitted to
#: years 0-7 and projects years 8-12.
SBG_REGULAR_SURVIVORS = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
SBG_HIGHEND_SURVIVORS = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
SBG_CALIBRATION_YEARS = 7
SBG_REGULAR = {"alpha": 0.704, "beta": 1.182}
SBG_HIGHEND = {"alpha": 0.668, "beta": 3.806}

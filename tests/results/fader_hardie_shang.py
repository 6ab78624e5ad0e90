"""Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6), 1086-1108: BG/BB on the 11,104 first-time donors of 1995,
six yearly opportunities 1996-2001 (their Table 2 / section 4): the printed estimates and
log-likelihood."""

BGBB_DONATIONS = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783, "loglik": -33225.58}
DONORS = 11_104

"""Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6), 1086-1108: BG/BB on the 11,104 first-time donors of 1995,
six yearly opportunities 1996-2001 (their Table 2 / section 4): the printed estimates and
log-likelihood, fitted to the 22 (x, t_x, n) cells that the lifetimes 0.11.3 wheel ships.

The paper's holdout tracking (annual repeat transactions 2002-2006) is not reproduced: the
donors' yearly records are in no PyPI package, and no printed table of those yearly figures
could be checked here, so no reference numbers for it are kept."""

BGBB_DONATIONS = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783, "loglik": -33225.58}
DONORS = 11_104

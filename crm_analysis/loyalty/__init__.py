"""Loyalty-program effectiveness: the sources' survey figures and the program's effect.

Modules::

    design    covariate matrices (one-hot bands) with input checks
    survey    Wilson intervals, chi-square and pairwise tests on survey proportions
    effects   naive, regression, IPW, matching and difference-in-differences estimates
    balance   standardized mean differences before and after adjustment
    roi       deadweight, program ROI with its interval, break-even reward rate
"""

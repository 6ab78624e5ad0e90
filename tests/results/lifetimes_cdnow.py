"""Oracle values from the independent `lifetimes` package (0.11.3, Davidson-Pilon et al.) on
the CDNOW 1/10 sample, 39-week calibration to 1997-09-30, weeks, same-day purchases merged,
summarized by lifetimes' own ``summary_data_from_transaction_data``.

Produced by (separate environment, see the script's docstring)::

    /tmp/lifetimes-venv/bin/python benchmarks/lifetimes_oracle.py

Predictions are for a customer with x = 2, t_x = 213/7 and T = 272/7 weeks (customer 00004)
and a horizon of 39 weeks; Gamma-Gamma's for x = 2 purchases averaging 30.0 USD.
"""

PARETO_NBD = {"r": 0.5532788983063789, "alpha": 10.577683000176052,
              "s": 0.6062297484563837, "beta": 11.668043748220027}
PARETO_NBD_PREDICTIONS = {"p_alive": 0.8691344558085407, "conditional_expected_39": 1.4552045371841766,
                          "expected_39": 1.2133958535279699}
BGNBD = {"r": 0.24259454342106726, "alpha": 4.413602716077369,
         "a": 0.7929218333477807, "b": 2.4259057287213732}
BGNBD_PREDICTIONS = {"p_alive": 0.7266202977882567, "conditional_expected_39": 1.2259944296717218,
                     "expected_39": 1.1950099744790221}
GAMMA_GAMMA = {"p": 6.249572277632217, "q": 3.74422467475891, "gamma": 15.443521018374728}
GAMMA_GAMMA_EXPECTED_SPEND_X2_M30 = 30.930808692526575
CUSTOMER = {"x": 2, "t_x": 213 / 7, "T": 272 / 7}

"""Oracle values from the independent `lifetimes` package (0.11.3) for BG/BB and MBG/NBD.

Produced by (separate environment; numpy 2.4.6, pandas 2.3.3, scipy 1.17.1)::

    python3 -m venv /tmp/clv2-lt && /tmp/clv2-lt/bin/pip install lifetimes "pandas<3"
    /tmp/clv2-lt/bin/python benchmarks/lifetimes_oracle_discrete.py

BG/BB: ``BetaGeoBetaBinomFitter`` on lifetimes' donations summary (22 cells, n = 6);
per cell the expected transactions in the next 5 opportunities and P(alive at n+1)
(lifetimes' ``conditional_probability_alive(1, ...)``).
MBG/NBD: ``ModifiedBetaGeoFitter`` on the CDNOW 1/10 sample summarized by lifetimes
(39-week calibration to 1997-09-30, weeks, same-day purchases merged); predictions for a
customer with x = 2, t_x = 213/7, T = 272/7 weeks (and one with x = 0), horizon 39 weeks.
"""

BGBB = {'alpha': 1.2035223936080381, 'beta': 0.7497163581757634, 'gamma': 0.6567181695499512, 'delta': 2.7834419828876076}
BGBB_CELLS = {
    'frequency': [0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6],
    'recency': [0, 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6, 3, 4, 5, 6, 4, 5, 6, 5, 6, 6],
    'periods': [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
    'conditional_expected_5': [0.07286333894085113, 0.08569570763928568, 0.3142381267327173, 0.5938533148536416, 0.8393961811765636, 1.0216890142224349, 1.1478849968928122, 0.11912088238046153, 0.5361107650651052, 1.0576035461104814, 1.443042234080008, 1.6688168468353957, 0.22359458790162146, 1.0345715981270107, 1.804702963218531, 2.189748696778058, 0.5831920016402363, 2.0300240283998443, 2.710680546721193, 1.8129421860453443, 3.2316123966645853, 3.7525442466077985],
    'p_alive_next': [0.10813327510958216, 0.06946180501686049, 0.25470992759461214, 0.4813557679996277, 0.6803838310573029, 0.8281437314516439, 0.930433577508558, 0.06641475903085771, 0.29890365621979187, 0.5896571890792948, 0.8045550060792205, 0.930433577508387, 0.09500629576303071, 0.4395938925092979, 0.7668260001149803, 0.9304335775083339, 0.20017903663225606, 0.6968001159180776, 0.9304335775084612, 0.5219754342196102, 0.9304335775086223, 0.930433577508695],
}
MBGNBD = {'r': 0.5248429031495553, 'alpha': 6.18308176439901, 'a': 0.8913595172712963, 'b': 1.6140029311986195}
MBGNBD_PREDICTIONS = {'p_alive': 0.7061384907953503, 'p_alive_x0': 0.38972310430887885, 'conditional_expected_39': 1.2627588401713428, 'expected_39': 1.1822798470838094}
CUSTOMER = {"x": 2, "t_x": 213 / 7, "T": 272 / 7}

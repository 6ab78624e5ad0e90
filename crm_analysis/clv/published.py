"""Published retention data used by the lifetime-value notebook.

Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
Marketing 21(1), 76-90: customers still active per 1,000 of a cohort, years 0-12, for a
"regular" and a "high end" segment of a subscription business.  The paper fits years 0-7
and projects years 8-12.
"""

SURVIVORS_REGULAR = (1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173)
SURVIVORS_HIGH_END = (1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394)
CALIBRATION_YEARS = 7

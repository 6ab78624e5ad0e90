"""Published R arules figures on the Groceries data (9,835 baskets, 169 item categories).

Item counts: arules' ``itemFrequency(Groceries, type = "absolute")``, as quoted in the
data README (checked cell by cell against arules' ``data/Groceries.rda``) and in issue 17.

Rules: ``rules <- apriori(Groceries, parameter = list(support = 0.001, confidence = 0.5))``
is code chunk 5 of the arulesViz vignette (Hahsler 2017, "arulesViz: Interactive
Visualization of Association Rules with R", R Journal 9(2), 163-175; vignette
"Visualizing Association Rules: Introduction to arulesViz", CRAN arulesViz 1.5.4); R prints
``set of 5668 rules``. The rule-length distribution, the quality-measure summary and the
ten rules with the highest lift are from the R console output of that same call
(arules defaults minlen 1, maxlen 10, one item on the right), as reproduced in published
R notebooks on this data; the second run (support 0.003, maxlen 4 → 414 rules) likewise.
"""

ITEM_COUNTS = {"whole milk": 2513, "other vegetables": 1903, "rolls/buns": 1809, "soda": 1715,
               "yogurt": 1372}
N_BASKETS = 9835
N_ITEMS = 169

RULES_SUPP_0001_CONF_05 = 5668
RULE_LENGTHS_SUPP_0001_CONF_05 = {2: 11, 3: 1461, 4: 3211, 5: 939, 6: 46}
QUALITY_SUPP_0001_CONF_05 = {"min_support": 0.001017, "max_support": 0.022267, "min_lift": 1.957,
                             "max_lift": 18.996, "median_confidence": 0.6000, "min_count": 10,
                             "max_count": 219}
#: (antecedent, consequent, support, confidence, lift, count), highest lift first
TOP_RULES_BY_LIFT = [
    (("Instant food products", "soda"), "hamburger meat", 0.001220132, 0.6315789, 18.99565, 12),
    (("popcorn", "soda"), "salty snack", 0.001220132, 0.6315789, 16.69779, 12),
    (("baking powder", "flour"), "sugar", 0.001016777, 0.5555556, 16.40807, 10),
    (("ham", "processed cheese"), "white bread", 0.001931876, 0.6333333, 15.04549, 19),
    (("Instant food products", "whole milk"), "hamburger meat", 0.001525165, 0.5000000, 15.03823, 15),
    (("curd", "other vegetables", "whipped/sour cream", "yogurt"), "cream cheese", 0.001016777, 0.5882353, 14.83409, 10),
    (("domestic eggs", "processed cheese"), "white bread", 0.001118454, 0.5238095, 12.44364, 11),
    (("other vegetables", "tropical fruit", "white bread", "yogurt"), "butter", 0.001016777, 0.6666667, 12.03058, 10),
]

RULES_SUPP_0003_CONF_05_MAXLEN_4 = 414
RULE_LENGTHS_SUPP_0003_CONF_05_MAXLEN_4 = {2: 5, 3: 281, 4: 128}

"""Insurance pricing for the Progressive case (notebook 08).

``portfolio`` loads a data source into one policy frame; ``glm`` fits claim frequency,
severity and Tweedie GLMs; ``gbm`` a boosted frequency challenger; ``metrics`` scores
them (deviance, D², ordered-Lorenz Gini, lift); ``segments`` compares flat and
risk-based premiums per risk segment; ``market`` simulates insurers competing on price.
"""

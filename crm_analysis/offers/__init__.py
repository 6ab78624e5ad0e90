"""Offer design (notebook 06): segment × offer matrix, expected incremental profit per
customer and offer, and the budgeted assignment of at most one offer each.

Module and its public names::

    assignment  NO_OFFER, SEGMENT_AXES, offer_catalogue, offer_segments,
                segment_offer_matrix, expected_offer_economics, OfferAssignment,
                assign_offers, single_offer_totals

Plots: :mod:`crm_analysis.plots.offers`.
"""

from .assignment import (NO_OFFER, SEGMENT_AXES, OfferAssignment, assign_offers,
                         expected_offer_economics, offer_catalogue, offer_segments,
                         segment_offer_matrix, single_offer_totals)

__all__ = [
    "NO_OFFER", "SEGMENT_AXES", "OfferAssignment", "assign_offers", "expected_offer_economics",
    "offer_catalogue", "offer_segments", "segment_offer_matrix", "single_offer_totals",
]

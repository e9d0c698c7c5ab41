"""Estimated cost of judge calls from a price table.

Prices are list prices in USD per million tokens (input, output) for OpenAI's standard
tier, as published when this table was written (``PRICES_AS_OF``); the Batch API costs
half. They are estimates for planning, not invoices: cached-input discounts, regional
endpoints and negotiated prices are not modelled. A model not in the table has no
estimate (None) unless the caller gives its prices.
"""

from __future__ import annotations

PRICES_AS_OF = "2025-08"
BATCH_DISCOUNT = 0.5

USD_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-2024-05-13": (5.00, 15.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_for(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens: the exact name, else the longest table name
    that prefixes it (dated snapshots such as ``gpt-4o-2024-08-06``), else None."""
    name = model.split("/")[-1].lower()
    if name in USD_PER_MTOK:
        return USD_PER_MTOK[name]
    prefixes = [k for k in USD_PER_MTOK if name.startswith(k + "-")]
    return USD_PER_MTOK[max(prefixes, key=len)] if prefixes else None


def estimate_cost_usd(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    batch: bool = False,
    prices: tuple[float, float] | None = None,
) -> float | None:
    """``(prompt x input + completion x output) / 1e6``, halved for the Batch API; None
    when the model's price is unknown and ``prices`` is not given."""
    rates = prices or price_for(model)
    if rates is None:
        return None
    cost = (prompt_tokens * rates[0] + completion_tokens * rates[1]) / 1e6
    return cost * BATCH_DISCOUNT if batch else cost

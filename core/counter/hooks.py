"""Core plugin for core.counter: a payment a clerk records goes into the counter's cash book, in the
payment's own transaction (``on_payment``)."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl


@hookimpl
async def on_payment(payment_id, dossier_id):
    """The counter's book line of a payment recorded by a clerk (cash, transfer, post); None: the
    receipt's document id is core's documents' answer."""
    from core.counter.cashbook import record

    return await record(payment_id, dossier_id)

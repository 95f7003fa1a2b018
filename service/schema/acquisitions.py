"""Acquisitions: one organization buying another, or a stake in it, and how it paid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.acquisitions import ACQUISITION_COMPONENT_FIELDS, ACQUISITION_FIELDS
from service.schema.common import AcquisitionStatus, Money, PartialDate, PaymentKind, ShareRange
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

A = ACQUISITION_FIELDS
C = ACQUISITION_COMPONENT_FIELDS


@strawberry.type(
    description="Part of what an acquirer pays: an amount, or a share of the price as a range."
)
@reads(C)
class AcquisitionComponent(Node, Versioned):
    kind: PaymentKind = field(C, "kind", "What is paid: cash, the buyer's stock, credits…")
    amount: Money | None = field(C, "amount", "Its value, where known.")
    share: ShareRange | None = field(C, "share", "Its share of the price, where known.")
    estimated: bool = field(C, "estimated", "True if the amount or share is an estimate.")
    description: str | None = field(C, "description", "Terms and notes.")
    history: list[Version[AcquisitionComponent]] = history(C)


@strawberry.type(description="One organization buying another, or a stake in it.")
@reads(A)
class Acquisition(Node, Versioned):
    status: AcquisitionStatus = field(A, "status", "Announced, completed or cancelled.")
    announced_on: PartialDate | None = field(A, "announcedOn", "When it was announced.")
    completed_on: PartialDate | None = field(A, "completedOn", "When it completed.")
    price: Money | None = field(A, "price", "What the acquirer paid, where disclosed.")
    stake: ShareRange | None = field(
        A, "stake", "The share of the acquired organization bought; null if unknown."
    )
    description: str | None = field(A, "description", "What was bought and on what terms.")
    history: list[Version[Acquisition]] = history(A)
    acquirer: Organization = field(A, "acquirer", "Who bought.")
    acquired: Organization = field(A, "acquired", "The organization bought, or a stake in it.")
    consideration: list[AcquisitionComponent] = field(
        A, "consideration", "What the acquirer paid with, in order."
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        A, "claims", "Claims supporting the acquisition, with their sources."
    )

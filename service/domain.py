"""The closed vocabularies of the data model.

Shared by the table definitions (as CHECK constraints), the GraphQL enums and the loaders, so
that the database, the API and the data files cannot disagree on a value.
"""

from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    STARTUP = "STARTUP"
    INVESTOR = "INVESTOR"
    CORPORATE = "CORPORATE"
    CLOUD_PROVIDER = "CLOUD_PROVIDER"
    PLATFORM = "PLATFORM"
    VC_FIRM = "VC_FIRM"
    ANALYST_FIRM = "ANALYST_FIRM"
    CHIPMAKER = "CHIPMAKER"
    PUBLISHER = "PUBLISHER"
    GOVERNMENT = "GOVERNMENT"


class NameKind(StrEnum):
    LEGAL = "LEGAL"
    COMMON = "COMMON"
    FORMER = "FORMER"
    TRANSLITERATION = "TRANSLITERATION"
    TRANSLATION = "TRANSLATION"


class DatePrecision(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class RoleKind(StrEnum):
    EXECUTIVE = "EXECUTIVE"
    FOUNDER = "FOUNDER"
    BOARD = "BOARD"
    EMPLOYEE = "EMPLOYEE"
    ANALYST = "ANALYST"
    ADVISOR = "ADVISOR"
    OTHER = "OTHER"


class RoundType(StrEnum):
    PRE_SEED = "PRE_SEED"
    SEED = "SEED"
    ANGEL = "ANGEL"
    SERIES_A = "SERIES_A"
    SERIES_B = "SERIES_B"
    SERIES_C = "SERIES_C"
    SERIES_D = "SERIES_D"
    SERIES_E = "SERIES_E"
    SERIES_F_PLUS = "SERIES_F_PLUS"
    STRATEGIC = "STRATEGIC"
    CORPORATE = "CORPORATE"
    GROWTH = "GROWTH"
    BRIDGE = "BRIDGE"
    DEBT = "DEBT"
    UNDISCLOSED = "UNDISCLOSED"


class RoundStatus(StrEnum):
    RUMOURED = "RUMOURED"
    ANNOUNCED = "ANNOUNCED"
    CLOSED = "CLOSED"


class ConsiderationKind(StrEnum):
    CASH = "CASH"
    CLOUD_CREDITS = "CLOUD_CREDITS"
    TRAFFIC_PROMOTION = "TRAFFIC_PROMOTION"
    SERVICES = "SERVICES"
    OTHER = "OTHER"


class RelationshipKind(StrEnum):
    SUBSIDIARY_OF = "SUBSIDIARY_OF"
    COMPETES_WITH = "COMPETES_WITH"
    CLOUD_PROVIDER_OF = "CLOUD_PROVIDER_OF"
    PARTNER_OF = "PARTNER_OF"
    LOCAL_ALTERNATIVE_TO = "LOCAL_ALTERNATIVE_TO"


class RelationshipDirection(StrEnum):
    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"
    BOTH = "BOTH"


class EventKind(StrEnum):
    IPO_PLAN = "IPO_PLAN"
    IPO_CANCELLED = "IPO_CANCELLED"
    RESTRUCTURING = "RESTRUCTURING"
    REGULATORY_ACTION = "REGULATORY_ACTION"
    EXPORT_CONTROL = "EXPORT_CONTROL"
    LEADERSHIP_CHANGE = "LEADERSHIP_CHANGE"
    DIVESTMENT = "DIVESTMENT"
    OTHER = "OTHER"


class SourceKind(StrEnum):
    NEWS_ARTICLE = "NEWS_ARTICLE"
    FILING = "FILING"
    PRESS_RELEASE = "PRESS_RELEASE"
    ANALYST_REPORT = "ANALYST_REPORT"
    DATASET = "DATASET"
    OTHER = "OTHER"


class Attribution(StrEnum):
    PUBLICATION = "PUBLICATION"
    ANONYMOUS = "ANONYMOUS"
    NAMED_PERSON = "NAMED_PERSON"
    ANALYST = "ANALYST"
    COMPANY = "COMPANY"
    FILING = "FILING"


class Stance(StrEnum):
    ASSERTS = "ASSERTS"
    DECLINED_TO_COMMENT = "DECLINED_TO_COMMENT"
    DID_NOT_RESPOND = "DID_NOT_RESPOND"
    DENIES = "DENIES"
    CONFIRMS = "CONFIRMS"


class CreditUnit(StrEnum):
    CURRENCY = "CURRENCY"
    GPU_HOURS = "GPU_HOURS"
    IMPRESSIONS = "IMPRESSIONS"
    OTHER = "OTHER"


# -- the life of an investment: acquisitions -----------------------------------------------------


class AcquisitionStatus(StrEnum):
    ANNOUNCED = "ANNOUNCED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class PaymentKind(StrEnum):
    """What a buyer pays with: an investment's consideration kinds, plus its own shares."""

    CASH = "CASH"
    STOCK = "STOCK"
    CLOUD_CREDITS = "CLOUD_CREDITS"
    TRAFFIC_PROMOTION = "TRAFFIC_PROMOTION"
    SERVICES = "SERVICES"
    OTHER = "OTHER"


# -- the life of an investment: listings -------------------------------------------------------


class ListingStatus(StrEnum):
    PLANNED = "PLANNED"
    FILED = "FILED"
    PRICED = "PRICED"
    LISTED = "LISTED"
    WITHDRAWN = "WITHDRAWN"


# -- the life of an investment: valuations -----------------------------------------------------


class ValuationBasis(StrEnum):
    POST_MONEY = "POST_MONEY"
    SECONDARY = "SECONDARY"
    MARKET_CAPITALISATION = "MARKET_CAPITALISATION"
    REPORTED_ESTIMATE = "REPORTED_ESTIMATE"


# -- the life of an investment: exits -----------------------------------------------------------


class ExitKind(StrEnum):
    ACQUISITION = "ACQUISITION"
    SECONDARY = "SECONDARY"
    DIVESTMENT = "DIVESTMENT"
    WRITE_OFF = "WRITE_OFF"
    LISTING = "LISTING"


class InvestmentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PARTIALLY_EXITED = "PARTIALLY_EXITED"
    EXITED = "EXITED"


# -- the life of an investment: people on deals ------------------------------------------------


class DealRole(StrEnum):
    OVERSEES = "OVERSEES"
    REPRESENTS = "REPRESENTS"
    BOARD_MEMBER = "BOARD_MEMBER"


# What each value means, for the API's documentation (GraphiQL's docs pane shows these).
MEANINGS: dict[type[StrEnum], dict[str, str]] = {
    OrganizationKind: {
        "STARTUP": "A young company raising venture funding.",
        "INVESTOR": "Takes stakes in other organizations.",
        "CORPORATE": "An established company (possibly a corporate investor).",
        "CLOUD_PROVIDER": "Sells cloud computing; may pay investments in its own credits.",
        "PLATFORM": "Runs a consumer platform; may pay in traffic or promotion.",
        "VC_FIRM": "A venture-capital firm.",
        "ANALYST_FIRM": "A research or consultancy firm whose analysts are quoted.",
        "CHIPMAKER": "Designs or makes chips (GPUs, accelerators).",
        "PUBLISHER": "Publishes sources (news, research).",
        "GOVERNMENT": "A government body or regulator.",
    },
    NameKind: {
        "LEGAL": "The registered legal name.",
        "COMMON": "The name in everyday use.",
        "FORMER": "A name no longer used.",
        "TRANSLITERATION": "The name written in another script by sound.",
        "TRANSLATION": "The name translated into another language.",
    },
    DatePrecision: {
        "DAY": "Known to the day.",
        "MONTH": "Known to the month; the date is the month's first day.",
        "QUARTER": "Known to the quarter; the date is the quarter's first day.",
        "YEAR": "Known to the year; the date is 1 January.",
    },
    RoleKind: {
        "EXECUTIVE": "An executive officer (CEO, CFO…).",
        "FOUNDER": "A founder.",
        "BOARD": "A board member.",
        "EMPLOYEE": "An employee in another role.",
        "ANALYST": "An analyst, e.g. at a research firm.",
        "ADVISOR": "An adviser.",
        "OTHER": "Any other role.",
    },
    RoundType: {
        "PRE_SEED": "Pre-seed.",
        "SEED": "Seed.",
        "ANGEL": "Angel round.",
        "SERIES_A": "Series A.",
        "SERIES_B": "Series B.",
        "SERIES_C": "Series C.",
        "SERIES_D": "Series D.",
        "SERIES_E": "Series E.",
        "SERIES_F_PLUS": "Series F or later.",
        "STRATEGIC": "A strategic investment by a company.",
        "CORPORATE": "A corporate round.",
        "GROWTH": "Growth or late-stage equity.",
        "BRIDGE": "A bridge round between priced rounds.",
        "DEBT": "Debt financing.",
        "UNDISCLOSED": "The source does not say which kind of round.",
    },
    RoundStatus: {
        "RUMOURED": "Reported but not confirmed.",
        "ANNOUNCED": "Announced by a party or reported as done.",
        "CLOSED": "Completed.",
    },
    ConsiderationKind: {
        "CASH": "Money transferred (possibly with conditions on how it is spent).",
        "CLOUD_CREDITS": "Credits for the investor's cloud compute.",
        "TRAFFIC_PROMOTION": "Traffic or promotion on the investor's platform.",
        "SERVICES": "Other services in kind.",
        "OTHER": "Anything else.",
    },
    RelationshipKind: {
        "SUBSIDIARY_OF": "The source belongs to the target.",
        "COMPETES_WITH": "The two compete.",
        "CLOUD_PROVIDER_OF": "The source provides cloud computing to the target.",
        "PARTNER_OF": "The two are partners.",
        "LOCAL_ALTERNATIVE_TO": "The source offers a local alternative to the target's products.",
    },
    RelationshipDirection: {
        "OUTGOING": "This organization is the source.",
        "INCOMING": "This organization is the target.",
        "BOTH": "Either end.",
    },
    EventKind: {
        "IPO_PLAN": "A plan to list shares.",
        "IPO_CANCELLED": "A listing plan called off.",
        "RESTRUCTURING": "A corporate restructuring.",
        "REGULATORY_ACTION": "Action by a regulator.",
        "EXPORT_CONTROL": "Export restrictions.",
        "LEADERSHIP_CHANGE": "A change of leadership.",
        "DIVESTMENT": "Stakes or businesses sold.",
        "OTHER": "Any other event.",
    },
    SourceKind: {
        "NEWS_ARTICLE": "A news report.",
        "FILING": "A regulatory or corporate filing.",
        "PRESS_RELEASE": "A company's own announcement.",
        "ANALYST_REPORT": "A research report.",
        "DATASET": "A dataset.",
        "OTHER": "Any other source.",
    },
    Attribution: {
        "PUBLICATION": "The publication's own reporting.",
        "ANONYMOUS": "People familiar with the matter, unnamed.",
        "NAMED_PERSON": "A person the source names.",
        "ANALYST": "An analyst the source quotes.",
        "COMPANY": "A company's statement (or its refusal to make one).",
        "FILING": "A filing.",
    },
    Stance: {
        "ASSERTS": "States the fact.",
        "DECLINED_TO_COMMENT": "Declined to comment.",
        "DID_NOT_RESPOND": "Did not respond to a request for comment.",
        "DENIES": "Denies the fact.",
        "CONFIRMS": "Confirms the fact.",
    },
    CreditUnit: {
        "CURRENCY": "Counted in money.",
        "GPU_HOURS": "Counted in GPU hours.",
        "IMPRESSIONS": "Counted in impressions or traffic.",
        "OTHER": "Counted otherwise.",
    },
    AcquisitionStatus: {
        "ANNOUNCED": "Agreed or announced, not yet completed.",
        "COMPLETED": "The acquirer holds what it bought.",
        "CANCELLED": "Called off before completion.",
    },
    PaymentKind: {
        "CASH": "Money transferred.",
        "STOCK": "The buyer's own shares.",
        "CLOUD_CREDITS": "Credits for the buyer's cloud compute.",
        "TRAFFIC_PROMOTION": "Traffic or promotion on the buyer's platform.",
        "SERVICES": "Other services in kind.",
        "OTHER": "Anything else.",
    },
    ListingStatus: {
        "PLANNED": "A listing is planned or announced; nothing filed yet.",
        "FILED": "A prospectus or listing application is filed.",
        "PRICED": "The offering is priced; trading has not begun.",
        "LISTED": "The shares trade on the exchange.",
        "WITHDRAWN": "The plan or filing was withdrawn or cancelled.",
    },
    ValuationBasis: {
        "POST_MONEY": "The post-money valuation of a funding round.",
        "SECONDARY": "The price of a secondary sale of existing shares.",
        "MARKET_CAPITALISATION": "The public market value of a listed company.",
        "REPORTED_ESTIMATE": "An estimate reported by a source (analysts, press).",
    },
    ExitKind: {
        "ACQUISITION": "Sold when the company was acquired.",
        "SECONDARY": "Sold to another investor in a secondary sale.",
        "DIVESTMENT": "Sold off, e.g. under regulatory pressure.",
        "WRITE_OFF": "Written off: the company failed or the stake lost its value.",
        "LISTING": "Realised through the company's listing (sold in or after the IPO).",
    },
    InvestmentStatus: {
        "ACTIVE": "Still held: no exit is recorded.",
        "PARTIALLY_EXITED": "Part of the holding was sold or written off.",
        "EXITED": "The whole holding ended.",
    },
    DealRole: {
        "OVERSEES": "Oversees the investment for the investor (F8: Eddie Wu for Alibaba).",
        "REPRESENTS": "Represents the investor on the deal.",
        "BOARD_MEMBER": "Sits on the investee's board for the investor.",
    },
}


class Scope(StrEnum):
    """What an API key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

"""People in events: Eddie Wu taking direct control of Alibaba's cloud business (the article),
read from Event.people and Person.events by both executors alike; written with the event."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.compiler.conftest import Pair
from tests.writes.conftest import Client


def _nodes(data: Any, *path: str) -> list[dict[str, Any]]:
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


async def test_eddie_wu_takes_part_in_the_cloud_leadership_change(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        """{ person(slug: "eddie-wu") { events(first: 10) { totalCount nodes {
              slug kind people { role person { slug } } participants { organization { slug } }
            } } } }"""
    )
    [event] = _nodes(answer.data, "person", "events")
    assert event["slug"] == "eddie-wu-takes-control-of-alibaba-cloud"
    assert event["kind"] == "LEADERSHIP_CHANGE"
    assert event["people"] == [
        {"role": "chief executive taking direct control", "person": {"slug": "eddie-wu"}}
    ]
    assert {p["organization"]["slug"] for p in event["participants"]} == {
        "alibaba",
        "alibaba-cloud",
    }


async def test_events_list_their_people(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        "{ events(first: 50) { nodes { slug people { person { name } role } } } }"
    )
    with_people = {n["slug"]: n["people"] for n in _nodes(answer.data, "events") if n["people"]}
    assert with_people == {
        "eddie-wu-takes-control-of-alibaba-cloud": [
            {
                "person": {"name": "Eddie Yongming Wu"},
                "role": "chief executive taking direct control",
            }
        ]
    }


EVENT = "event { slug version people { role person { slug } } }"


async def test_event_people_writes(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    eddie = global_id(
        "Person", await conn.fetchval("SELECT id FROM person WHERE slug = 'eddie-wu'")
    )
    other = await conn.fetchval(
        "SELECT id FROM person WHERE slug <> 'eddie-wu' ORDER BY id LIMIT 1"
    )
    create = f"""mutation($input: EventCreateInput!) {{
        eventCreate(input: $input) {{ {EVENT} userErrors {{ code field }} }} }}"""
    given = {
        "slug": "eddie-wu-addresses-investors",
        "kind": "OTHER",
        "title": "Eddie Wu addresses investors",
        "people": [{"person": eddie, "role": "speaker"}],
    }
    made = (await client.gql(create, {"input": given}, key=keys["write"]))["data"]["eventCreate"]
    assert made["userErrors"] == []
    assert made["event"]["people"] == [{"role": "speaker", "person": {"slug": "eddie-wu"}}]
    event_id = await conn.fetchval(
        "SELECT id FROM event WHERE slug = 'eddie-wu-addresses-investors'"
    )

    update = f"""mutation($input: EventUpdateInput!) {{
        eventUpdate(input: $input) {{ {EVENT} userErrors {{ code field }} }} }}"""
    changed = await client.gql(
        update,
        {
            "input": {
                "id": global_id("Event", event_id),
                "expectedVersion": made["event"]["version"],
                "people": [{"person": global_id("Person", other), "role": "host"}],
            }
        },
        key=keys["write"],
    )
    result = changed["data"]["eventUpdate"]
    assert result["userErrors"] == []
    assert [p["role"] for p in result["event"]["people"]] == ["host"]
    # Eddie Wu's part is retired, not deleted: its earlier version stays recorded.
    rows = await conn.fetch(
        "SELECT person_id, retired_at IS NULL AS live FROM event_person WHERE event_id = $1"
        " ORDER BY person_id",
        event_id,
    )
    assert sorted((r["person_id"], r["live"]) for r in rows) == sorted(
        [
            (other, True),
            (await conn.fetchval("SELECT id FROM person WHERE slug = 'eddie-wu'"), False),
        ]
    )

    # A person that is not one is refused with a user error, not a crash.
    wrong = await client.gql(
        update,
        {
            "input": {
                "id": global_id("Event", event_id),
                "expectedVersion": result["event"]["version"],
                "people": [{"person": global_id("Organization", 1), "role": "host"}],
            }
        },
        key=keys["write"],
    )
    errors = wrong["data"]["eventUpdate"]["userErrors"]
    assert [e["field"] for e in errors] == ["people"]

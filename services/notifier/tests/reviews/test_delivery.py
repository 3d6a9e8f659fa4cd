"""Review notices on every channel: the email as it arrives at a real SMTP server (no
rating in a release), the inbox through the subgraph, the recipient's REVIEWS
preferences, and the webhooks registered for the category."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel, DeliveryStatus
from talent_notifier.preferences.models import Category, Frequency
from talent_notifier.webhooks.delivery import deliver_webhooks
from talent_notifier.webhooks.signing import new_secret

from ..factories import deliver, deliveries, execute, hire, principal_of
from ..notifications.test_email import settings_for
from ..preferences.factories import choose
from ..webhooks.receiver import Receiver, register
from ..webhooks.test_delivery import settings as webhook_settings
from .factories import CYCLE_CODE, calibrated, due_soon, late, released, submitted


def test_a_release_email_says_the_review_is_available_and_no_rating(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana <Lima>", manager=boss)
    deliver(sync_session, submitted(ana, reviewer=boss, rating=4), service="performance")
    deliver(sync_session, calibrated(ana, rating=4), service="performance")
    deliver(sync_session, released(), service="performance")

    run = deliver_email(sync_session, settings_for(mail_catcher), now=dt.datetime.now(dt.UTC))
    assert run.sent == 1
    [mail] = mail_catcher.messages()
    assert mail.to == [ana.email]
    assert mail.subject == f"Your review for {CYCLE_CODE} is available"
    assert mail.text.splitlines()[2] == (
        f"Your review for the review cycle {CYCLE_CODE} is available. Sign in to Talent to read it."
    )
    assert "because of your reviews in Talent" in mail.text
    assert "Ana &lt;Lima&gt;" in mail.html
    # Nothing but dates carries a digit: no rating (4, nor the previous 3) anywhere.
    for said in (mail.subject, mail.text, mail.html):
        without_dates = re.sub(r"\d{4}-\d{2}-\d{2}|FY26|\d+\.\d+\.\d+\.\d+:\d+", "", said)
        assert not re.search(r"\b[1-5]\b", without_dates), said
        assert "rating" not in said.lower()
    for row in deliveries(sync_session):
        assert "rating" not in str(row.data).lower()
        assert set(row.data) == {"cycle_id", "cycle_code", "released_on"}


def test_an_overdue_review_mails_the_reviewer_and_their_manager(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    director = hire(sync_session, "Dora Director")
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(
        sync_session, late(ana, reviewer=boss, due_on=dt.date(2026, 3, 31)), service="performance"
    )

    assert (
        deliver_email(sync_session, settings_for(mail_catcher), now=dt.datetime.now(dt.UTC)).sent
        == 2
    )
    caught = {tuple(m.to): m for m in mail_catcher.messages()}
    to_boss, to_director = caught[(boss.email,)], caught[(director.email,)]
    assert to_boss.subject == f"Overdue: your manager review ({CYCLE_CODE})"
    assert (
        f"Your manager review of Ana Lima in the review cycle {CYCLE_CODE} was due on "
        "2026-03-31 and is not submitted yet." in to_boss.text
    )
    assert to_director.subject == f"Overdue for Bea Boss: a manager review ({CYCLE_CODE})"
    assert (
        f"Bea Boss, who reports to you, has not submitted a manager review in the review "
        f"cycle {CYCLE_CODE}, due on 2026-03-31." in to_director.text
    )
    # The reviewer's manager is not told whose review it is.
    assert "Ana" not in to_director.text and "Ana" not in to_director.html


def test_reviews_preferences_apply_and_learning_ones_do_not(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    choose(sync_session, boss, Frequency.OFF, channel=Channel.EMAIL, category=Category.REVIEWS)
    choose(sync_session, boss, Frequency.OFF, channel=Channel.IN_APP, category=Category.LEARNING)
    deliver(sync_session, due_soon(ana, reviewer=boss), service="performance")
    assert {(r.channel, r.status) for r in deliveries(sync_session)} == {
        (Channel.IN_APP, DeliveryStatus.SENT)
    }

    choose(sync_session, ana, Frequency.WEEKLY, channel=Channel.EMAIL, category=Category.REVIEWS)
    deliver(sync_session, due_soon(ana, reviewer=None, kind="self"), service="performance")
    [held] = [
        r
        for r in deliveries(sync_session)
        if r.recipient_id == ana.employee_id and r.channel == Channel.EMAIL
    ]
    assert (held.status, held.digest) == (DeliveryStatus.DIGEST, "weekly")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(secret=new_secret())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_reviews_webhook_gets_review_notices_and_a_learning_one_does_not(
    sync_session: Session, receiver: Receiver
) -> None:
    reviews = register(sync_session, receiver.url, secret=receiver.secret, categories=["reviews"])
    register(sync_session, receiver.url + "/learning", categories=["learning"])
    director = hire(sync_session, "Dora Director")
    boss = hire(sync_session, "Bea <Boss>", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(
        sync_session, late(ana, reviewer=boss, due_on=dt.date(2026, 3, 31)), service="performance"
    )

    [row] = [r for r in deliveries(sync_session) if r.channel == Channel.WEBHOOK]
    assert row.recipient_id == reviews.id
    assert deliver_webhooks(sync_session, webhook_settings(), now=dt.datetime.now(dt.UTC)).sent == 1
    [received] = receiver.received
    assert received.verified
    assert received.json["type"] == "talent.notification.review_overdue"
    assert received.json["data"]["kind"] == "REVIEW_OVERDUE"
    assert received.json["data"]["employeeId"] == str(boss.employee_id)
    assert received.json["text"] == (
        f"Bea &lt;Boss&gt; has not submitted a manager review in {CYCLE_CODE}, due on 2026-03-31."
    )


INBOX = """
query ($id: ID!) {
  _entities(representations: [{__typename: "Employee", id: $id}]) {
    ... on Employee { notifications(first: 10) { nodes { kind title about { id } } } }
  }
}
"""


async def test_a_release_is_in_the_inbox_with_its_title(session: AsyncSession) -> None:
    def build(sync: Session) -> EmployeeSnapshot:
        boss = hire(sync, "Bea Boss")
        ana = hire(sync, "Ana Lima", manager=boss)
        deliver(sync, submitted(ana, reviewer=boss, rating=5), service="performance")
        deliver(sync, released(), service="performance")
        return ana

    ana = await session.run_sync(build)
    data = await execute(
        session, INBOX, as_=principal_of(ana), variables={"id": str(ana.employee_id)}
    )
    assert data["_entities"][0]["notifications"]["nodes"] == [
        {
            "kind": "REVIEW_RELEASED",
            "title": f"Your review for {CYCLE_CODE} is available",
            "about": {"id": str(ana.employee_id)},
        }
    ]

"""Announcements (HR coordinators, HR leaders and admins): preview an audience, send or
schedule an announcement, list them and read each one's per-recipient status."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_notifier.announcements import templates
from talent_notifier.announcements.audience import AudienceInput
from talent_notifier.announcements.models import Announcement as AnnouncementRow
from talent_notifier.announcements.models import AnnouncementTemplate as TemplateRow
from talent_notifier.announcements.service import AnnouncementService, RecipientRow
from talent_notifier.notifications import models as notification_models
from talent_notifier.notifications.graphql import (
    Employee,
    NotificationChannel,
    NotificationDeliveryStatus,
)
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    enum_value,
    page_request,
    parse_id,
    run_mutation,
)
from talent_platform.graphql.pagination import checked_first

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Where an announcement stands.")
class AnnouncementStatus(Enum):
    SCHEDULED = enum_value("scheduled", description="Held until `sendAt`.")
    SENT = enum_value("sent", description="Its recipients' notifications are made.")


@strawberry.enum(
    description="A review phase whose reviewers who are behind an announcement "
    "may reach (as performance's `whoIsBehind` counts them)."
)
class AnnouncementReviewPhase(Enum):
    SELF_REVIEW = enum_value("self_review", description="Self reviews still drafts.")
    PEER_FEEDBACK = enum_value("peer_feedback", description="Peer reviews still drafts.")
    MANAGER_REVIEW = enum_value("manager_review", description="Manager reviews still drafts.")
    SIGN_OFF = enum_value(
        "sign_off", description="Manager reviews not signed off (drafts or submitted)."
    )


@strawberry.input(description="An org unit's people.")
class AnnouncementOrgUnitInput:
    code: str = strawberry.field(description="The org unit's code, as people names it.")
    include_sub_units: bool = strawberry.field(
        default=True, description="Also the people of its sub-units (default true)."
    )


@strawberry.input(description="A review cycle.")
class AnnouncementCycleInput:
    cycle_id: strawberry.ID = strawberry.field(description="The review cycle's id.")


@strawberry.input(description="The reviewers behind in a phase of a review cycle.")
class AnnouncementBehindInput:
    cycle_id: strawberry.ID = strawberry.field(description="The review cycle's id.")
    phase: AnnouncementReviewPhase = strawberry.field(description="The phase.")


@strawberry.input(description="The people with an overdue enrollment in a course.")
class AnnouncementCourseInput:
    course_code: str = strawberry.field(description="The course's code.")


@strawberry.input(
    description="Who an announcement reaches: exactly one of the fields (anything else is "
    "a ValidationError on `input.audience`). Terminated people are never reached, nor, for "
    "an hr_coordinator with an org scope, anyone outside it."
)
class AnnouncementAudienceInput:
    org_unit: AnnouncementOrgUnitInput | None = strawberry.field(
        default=None, description="The people of an org unit (and its sub-units)."
    )
    job_profile_code: str | None = strawberry.field(
        default=None, description="The people holding a job profile (its code)."
    )
    cycle_participants: AnnouncementCycleInput | None = strawberry.field(
        default=None, description="The employees reviewed in a review cycle."
    )
    behind: AnnouncementBehindInput | None = strawberry.field(
        default=None,
        description="The reviewers with reviews not done in a phase of a cycle: the "
        "reviewers of performance's `whoIsBehind(cycleId, phase)`.",
    )
    overdue_enrollments: AnnouncementCourseInput | None = strawberry.field(
        default=None,
        description="The people with an overdue enrollment in a course, not completed, "
        "waived or cancelled since.",
    )

    def to_domain(self) -> AudienceInput:
        return AudienceInput(
            org_unit_code=self.org_unit.code if self.org_unit is not None else None,
            include_sub_units=self.org_unit.include_sub_units if self.org_unit else True,
            org_unit_given=self.org_unit is not None,
            job_profile_code=self.job_profile_code,
            cycle_participants=(
                str(self.cycle_participants.cycle_id) if self.cycle_participants else None
            ),
            behind_cycle=str(self.behind.cycle_id) if self.behind is not None else None,
            behind_phase=self.behind.phase.value if self.behind is not None else None,
            overdue_course=(
                self.overdue_enrollments.course_code if self.overdue_enrollments else None
            ),
        )


@strawberry.type(description="Someone an announcement reaches.")
class AnnouncementPerson:
    employee: Employee = strawberry.field(description="The employee.")
    name: str = strawberry.field(description="Their name, as the notifier knows it.")


@strawberry.type(description="Whom an audience reaches now.")
class AnnouncementPreview:
    count: int = strawberry.field(description="How many people it reaches now.")
    recipients: list[AnnouncementPerson] = strawberry.field(
        description="The first of them by name (as many as `first` asked)."
    )


@strawberry.type(description="One recipient's notification of an announcement, on one channel.")
class AnnouncementRecipient:
    employee: Employee = strawberry.field(description="The recipient.")
    name: str | None = strawberry.field(description="Their name, as the notifier knows it.")
    channel: NotificationChannel = strawberry.field(description="In-app or email.")
    status: NotificationDeliveryStatus = strawberry.field(
        description="SENT (in the inbox; mailed), PENDING (email waiting to go or for a "
        "retry), DIGEST (held for their digest), FAILED."
    )
    sent_at: dt.datetime | None = strawberry.field(description="When it was delivered.")

    @classmethod
    def from_row(cls, row: RecipientRow) -> AnnouncementRecipient:
        return cls(
            employee=Employee(id=strawberry.ID(str(row.employee_id))),
            name=row.name,
            channel=NotificationChannel(row.channel),
            status=NotificationDeliveryStatus(row.status),
            sent_at=row.sent_at,
        )


@strawberry.type(description="An announcement to a population.")
class Announcement:
    id: strawberry.ID = strawberry.field(description="The announcement's id.")
    subject: str = strawberry.field(description="Its subject (the email's subject).")
    body: str = strawberry.field(description="Its text, as the sender wrote it (plain text).")
    audience: str = strawberry.field(
        description="The audience as JSON, as `AnnouncementAudienceInput` named it."
    )
    status: AnnouncementStatus = strawberry.field(description="Scheduled or sent.")
    send_at: dt.datetime = strawberry.field(description="When it is (or was) sent.")
    sent_at: dt.datetime | None = strawberry.field(description="When it was sent.")
    recipient_count: int | None = strawberry.field(
        description="How many people it was sent to; null until sent."
    )
    created_by: str = strawberry.field(description="Who sent it (token subject).")
    created_at: dt.datetime = strawberry.field(description="When it was made.")
    row: strawberry.Private[AnnouncementRow]

    @classmethod
    def from_model(cls, row: AnnouncementRow) -> Announcement:
        return cls(
            id=strawberry.ID(str(row.id)),
            subject=row.subject,
            body=row.body,
            audience=json.dumps(row.audience, sort_keys=True),
            status=AnnouncementStatus(row.status),
            send_at=row.send_at,
            sent_at=row.sent_at,
            recipient_count=row.recipient_count,
            created_by=row.created_by,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(
        description="Each recipient's notification per channel (in-app, email), by name: "
        "who got it and where it stands. A recipient who turned announcements OFF on a "
        "channel has no row for it."
    )
    async def recipients(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        status: Annotated[
            NotificationDeliveryStatus | None,
            strawberry.argument(description="Only rows with this status; null: all."),
        ] = None,
    ) -> Connection[AnnouncementRecipient]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = AnnouncementService(info.context.session, info.context.principal)
        rows, total = await service.recipients(
            self.row,
            status=notification_models.DeliveryStatus(status.value) if status else None,
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=AnnouncementRecipient.from_row)


@strawberry.input(description="An announcement to send now or later.")
class SendAnnouncementInput:
    audience: AnnouncementAudienceInput = strawberry.field(description="Who it reaches.")
    template: str | None = strawberry.field(
        default=None,
        description="The code of a saved announcement template (`announcementTemplates`) "
        "whose subject and body to send; an unknown code is a ValidationError on "
        "`input.template`.",
    )
    subject: str | None = strawberry.field(
        default=None,
        description="One line, at most 200 characters; required without a template, "
        "replaces the template's with one.",
    )
    body: str | None = strawberry.field(
        default=None,
        description="Plain text, at most 5,000 characters (shown as text, never as markup); "
        "required without a template, replaces the template's with one.",
    )
    send_at: dt.datetime | None = strawberry.field(
        default=None,
        description="When to send it (with a time zone offset, within a year); null or past: now.",
    )


@strawberry.type(description="The announcement, sent or scheduled.")
class SendAnnouncementPayload:
    announcement: Announcement = strawberry.field(description="The announcement.")


SendAnnouncementResult = Annotated[
    SendAnnouncementPayload | ValidationError | Forbidden | NotFound | Conflict,
    strawberry.union(
        "SendAnnouncementResult", description="The announcement, or why it was not made."
    ),
]


@strawberry.type
class AnnouncementQuery:
    @strawberry.field(
        description="Whom an audience reaches now, before sending: the count and the first "
        "people by name (admin, hr_leader, hr_coordinator; null with FORBIDDEN for anyone "
        "else, BAD_USER_INPUT naming `audience...` for a bad audience)."
    )
    async def announcement_preview(
        self,
        info: Ctx,
        audience: Annotated[
            AnnouncementAudienceInput, strawberry.argument(description="The audience.")
        ],
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many names to list: 20 when omitted, at most 100."
            ),
        ] = None,
    ) -> AnnouncementPreview | None:
        limit = checked_first(
            20 if first is None else first,
            maximum=info.context.settings.graphql_max_page_size,
        )
        service = AnnouncementService(info.context.session, info.context.principal)
        found = await service.preview(audience.to_domain(), limit=limit)
        return AnnouncementPreview(
            count=found.count,
            recipients=[
                AnnouncementPerson(employee=Employee(id=strawberry.ID(str(e))), name=name)
                for e, name in found.recipients
            ],
        )

    @strawberry.field(
        description="Announcements, newest first: every one for admin and hr_leader, their "
        "own for an hr_coordinator (null with FORBIDDEN for anyone else)."
    )
    async def announcements(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[Announcement] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = AnnouncementService(info.context.session, info.context.principal)
        rows, total = await service.page(offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=Announcement.from_model)

    @strawberry.field(
        description="One announcement, as `announcements` shows them (null with NOT_FOUND "
        "when it is not one the caller may read)."
    )
    async def announcement(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The announcement's id.")],
    ) -> Announcement | None:
        service = AnnouncementService(info.context.session, info.context.principal)
        row = await service.get(parse_id(id, "id", "announcement id"))
        return Announcement.from_model(row)


@strawberry.type(description="A subject and text saved under a code, to send again.")
class AnnouncementTemplate:
    code: str = strawberry.field(description="The code `sendAnnouncement` names it by.")
    subject: str = strawberry.field(description="The subject it sends.")
    body: str = strawberry.field(description="The plain text it sends.")
    updated_by: str = strawberry.field(description="The token subject who saved it last.")
    updated_at: dt.datetime = strawberry.field(description="When it was saved last.")

    @classmethod
    def from_model(cls, row: TemplateRow) -> AnnouncementTemplate:
        return cls(
            code=row.code,
            subject=row.subject,
            body=row.body,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )


@strawberry.input(description="An announcement template to create or replace.")
class SaveAnnouncementTemplateInput:
    code: str = strawberry.field(
        description="1-100 upper-case letters, digits, '-' or '_' (e.g. REVIEW-NUDGE); an "
        "existing code is replaced."
    )
    subject: str = strawberry.field(description="One line, at most 200 characters.")
    body: str = strawberry.field(
        description="Plain text, at most 5,000 characters (shown as text, never as markup)."
    )


@strawberry.type(description="The template as saved.")
class SaveAnnouncementTemplatePayload:
    template: AnnouncementTemplate = strawberry.field(description="The template.")


SaveAnnouncementTemplateResult = Annotated[
    SaveAnnouncementTemplatePayload | ValidationError | Forbidden | NotFound | Conflict,
    strawberry.union(
        "SaveAnnouncementTemplateResult", description="The template, or why it was not saved."
    ),
]


@strawberry.type
class AnnouncementTemplateQuery:
    @strawberry.field(
        description="Saved announcement templates by code (admin, hr_leader, hr_coordinator; "
        "null with FORBIDDEN for anyone else)."
    )
    async def announcement_templates(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[AnnouncementTemplate] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await templates.page(
            info.context.session, info.context.principal, offset=page.offset, limit=page.limit
        )
        return connection(rows, total=total, page=page, to_node=AnnouncementTemplate.from_model)


@strawberry.type
class AnnouncementMutation:
    @strawberry.mutation(
        description="Save an announcement template under a code, replacing one with the "
        "same code (admin, hr_leader, hr_coordinator; audited with what it said before)."
    )
    async def save_announcement_template(
        self,
        info: Ctx,
        input: Annotated[
            SaveAnnouncementTemplateInput, strawberry.argument(description="What to save.")
        ],
    ) -> SaveAnnouncementTemplateResult:
        async def action() -> SaveAnnouncementTemplatePayload:
            row = await templates.save(
                info.context.session,
                info.context.principal,
                code=input.code,
                subject=input.subject,
                body=input.body,
            )
            return SaveAnnouncementTemplatePayload(template=AnnouncementTemplate.from_model(row))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Send an announcement to a population now, or at `sendAt` (admin, "
        "hr_leader, hr_coordinator; audited). Each recipient's preferences for "
        "ANNOUNCEMENTS apply; terminated people are never reached; an hr_coordinator "
        "reaches only people inside their org scope (naming an org unit outside it is "
        "Forbidden)."
    )
    async def send_announcement(
        self,
        info: Ctx,
        input: Annotated[SendAnnouncementInput, strawberry.argument(description="What to send.")],
    ) -> SendAnnouncementResult:
        service = AnnouncementService(info.context.session, info.context.principal)

        async def action() -> SendAnnouncementPayload:
            row = await service.create(
                input.audience.to_domain(),
                subject=input.subject,
                body=input.body,
                send_at=input.send_at,
                template=input.template,
            )
            return SendAnnouncementPayload(announcement=Announcement.from_model(row))

        return await run_mutation(info.context, action)

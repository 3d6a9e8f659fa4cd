from pydantic import Field
from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    """Environment variables `TALENT_NOTIFIER_*` (see docs/notifier.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_NOTIFIER_", extra="ignore")

    service_name: str = "notifier"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_notifier"

    # Live push (`notificationAdded` subscriptions, notifications/live.py): at most how
    # many subscriptions one API process holds (more are refused with SERVICE_UNAVAILABLE),
    # how long one lasts before the server completes it (the client reconnects, with a
    # token that is still valid), and how often an idle subscription reads anyway (a
    # safety net; a notification normally wakes it).
    subscription_capacity: int = Field(default=200, ge=1)
    subscription_max_s: float = Field(default=3600.0, gt=0)
    subscription_poll_s: float = Field(default=60.0, gt=0)

    # SMTP: where email goes. STARTTLS and authentication are optional (a local mail
    # catcher needs neither); a password has no default.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = 10.0
    mail_from: str = "Talent <notifications@talent.invalid>"
    # Links in emails: the preferences page of the front end and the unsubscribe target of
    # the List-Unsubscribe header.
    preferences_url: str = "http://127.0.0.1:4000/preferences/notifications"
    unsubscribe_mailto: str = "unsubscribe@talent.invalid"

    # The worker's webhook delivery job (webhooks/delivery.py): how often it looks for due
    # deliveries, how many it sends per transaction and at most how many such batches one
    # run sends, how long one request may take, and the retry policy of a failed attempt
    # (attempt n waits webhook_retry_base_s * 2^(n-1), at most webhook_retry_max_s;
    # FAILED after the last).
    webhook_delivery_interval_s: float = 2.0
    webhook_batch_size: int = 20
    webhook_max_batches_per_run: int = 50
    webhook_timeout_s: float = 5.0
    webhook_max_attempts: int = 8
    webhook_retry_base_s: float = 30.0
    webhook_retry_max_s: float = 6 * 3600.0

    # The worker's email delivery job: how often it looks for pending email, how many it
    # sends per transaction, at most how many such batches one run sends, and the retry
    # policy of a failed send (attempt n waits email_retry_base_s * 2^(n-1), at most
    # email_retry_max_s; FAILED after the last).
    email_delivery_interval_s: float = 2.0
    email_batch_size: int = 100
    email_max_batches_per_run: int = 50
    email_max_attempts: int = 6
    email_retry_base_s: float = 30.0
    email_retry_max_s: float = 3600.0

    # The worker's digest job (digests/): how often it looks for digests to make, and the
    # local hour (the recipient's quiet-hours time zone, else UTC) at which a day's or a
    # Monday's digest becomes due. The email delivery job sends what it makes.
    digest_interval_s: float = 300.0
    escalation_interval_s: float = 3600.0
    """How often the escalation job (escalations/) looks for deadlines passed a week ago."""
    announcement_interval_s: float = 30.0
    """How often the announcement job sends the scheduled announcements that are due."""
    digest_hour: int = Field(default=7, ge=0, le=23)

from talent_platform.events.consumer import EventConsumer
from talent_platform.events.envelope import Envelope, decode, encode
from talent_platform.events.handlers import BatchItem, HandlerRegistry, in_waves
from talent_platform.events.outbox import Outbox
from talent_platform.events.relay import OutboxRelay, Publisher
from talent_platform.events.replay import replay_outbox
from talent_platform.events.tables import MessagingTables, messaging_tables

__all__ = [
    "BatchItem",
    "Envelope",
    "EventConsumer",
    "HandlerRegistry",
    "MessagingTables",
    "Outbox",
    "OutboxRelay",
    "Publisher",
    "decode",
    "encode",
    "in_waves",
    "messaging_tables",
    "replay_outbox",
]

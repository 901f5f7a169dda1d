"""Postfix's lines that make up one message's path, each read into an event.

    smtpd     QID: client=host[1.2.3.4]
    pickup    QID: uid=0 from=<sender>
    cleanup   QID: message-id=<id>
    qmgr      QID: from=<sender>, size=341, nrcpt=1 (queue active)   (again at each retry)
    agents    QID: to=<rcpt>, [orig_to=<…>,] relay=…, delay=…, delays=a/b/c/d, dsn=…, status=…
    bounce    QID: sender non-delivery notification: NEWQID
    bounce    QID: sender notification failed to <address>[: reason]   (Postfix 3.11)
    qmgr      QID: from=<sender>, status=expired, returned to sender
    qmgr      QID: removed
    postsuper QID: removed | requeued | placed on hold | released from hold | expired

Addresses are read quote-aware (a local part may hold `>` or `, ` in quotes), as
the delivery lines are (`logs/delivery_line.py`, which reads the agents' lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tui.core.logs.delivery_line import DeliveryInfo, parse_delivery_line

_ADDRESS = r'(?:"(?:[^"\\]|\\.)*"|[^">])*'
_QID = r"(?P<queue_id>[0-9A-Za-z]{5,24})"
_CLIENT = re.compile(rf"^{_QID}: client=(?P<client>\S+)")
_PICKUP = re.compile(rf"^{_QID}: uid=\d+ from=<(?P<sender>{_ADDRESS})>")
_MESSAGE_ID = re.compile(rf"^{_QID}: (?:resent-)?message-id=(?P<message_id>.*)$")
_QUEUED = re.compile(
    rf"^{_QID}: from=<(?P<sender>{_ADDRESS})>, size=(?P<size>\d+), nrcpt=(?P<nrcpt>\d+)")
_EXPIRED = re.compile(
    rf"^{_QID}: from=<(?P<sender>{_ADDRESS})>, status=(?:force-)?expired, returned to sender")
_NOTICE = re.compile(
    rf"^{_QID}: (?:sender|postmaster) (?:non-delivery|delivery status|delay status) "
    r"notification: (?P<notice>[0-9A-Za-z]{5,24})$")
_NOTICE_FAILED = re.compile(
    rf"^{_QID}: (?:sender|postmaster) notification failed to <(?P<address>{_ADDRESS})>"
    r"(?::\s*(?P<reason>.*))?$")
_REMOVED = re.compile(rf"^{_QID}: removed$")
_POSTSUPER = re.compile(
    rf"^{_QID}: (?P<action>removed|requeued|placed on hold|released from hold|expired)$")


class EventKind(StrEnum):
    RECEIVED = "received"  # smtpd client= / pickup uid= from=
    MESSAGE_ID = "message-id"
    QUEUED = "queued"  # qmgr: in the active queue (first time or a retry)
    ATTEMPT = "attempt"
    NOTICE = "notice"  # the bounce notice queued as a new message
    NOTICE_FAILED = "notice-failed"
    EXPIRED = "expired"
    REMOVED = "removed"  # qmgr is done with the file
    ADMIN = "admin"  # postsuper: removed, requeued, held, released, expired


@dataclass(frozen=True, slots=True)
class PostfixEvent:
    kind: EventKind
    queue_id: str
    timestamp: float
    daemon: str  # smtpd, pickup, qmgr, pipe, …
    sender: str | None = None
    message_id: str | None = None
    notice_queue_id: str | None = None
    address: str | None = None  # who a failed notice was for
    detail: str = ""  # client, postsuper's action, a notice failure's reason
    delivery: DeliveryInfo | None = None


def daemon_of(tag: str) -> str:
    """`postfix/qmgr` → `qmgr` (a second instance's `postfix-out/qmgr` too)."""
    return tag.rpartition("/")[2]


def parse_event(message: str, tag: str, timestamp: float) -> PostfixEvent | None:
    """The event in one Postfix line, or None when it is not one of a message's path."""
    daemon = daemon_of(tag)
    if daemon in ("qmgr", "smtpd", "pickup", "cleanup", "bounce", "postsuper"):
        return _daemon_event(daemon, message, timestamp)
    if " to=<" in message and (delivery := parse_delivery_line(message)) is not None:
        return PostfixEvent(EventKind.ATTEMPT, delivery.queue_id, timestamp, daemon,
                            delivery=delivery)
    return None


def _daemon_event(daemon: str, message: str, timestamp: float) -> PostfixEvent | None:
    if daemon == "qmgr":
        if match := _QUEUED.match(message):
            return PostfixEvent(EventKind.QUEUED, match["queue_id"], timestamp, daemon,
                                sender=match["sender"])
        if match := _EXPIRED.match(message):
            return PostfixEvent(EventKind.EXPIRED, match["queue_id"], timestamp, daemon,
                                sender=match["sender"])
        if match := _REMOVED.match(message):
            return PostfixEvent(EventKind.REMOVED, match["queue_id"], timestamp, daemon)
        return None
    if daemon == "smtpd" and (match := _CLIENT.match(message)):
        return PostfixEvent(EventKind.RECEIVED, match["queue_id"], timestamp, daemon,
                            detail=match["client"])
    if daemon == "pickup" and (match := _PICKUP.match(message)):
        return PostfixEvent(EventKind.RECEIVED, match["queue_id"], timestamp, daemon,
                            sender=match["sender"])
    if daemon == "cleanup" and (match := _MESSAGE_ID.match(message)):
        return PostfixEvent(EventKind.MESSAGE_ID, match["queue_id"], timestamp, daemon,
                            message_id=match["message_id"].strip())
    if daemon == "bounce":
        if match := _NOTICE.match(message):
            return PostfixEvent(EventKind.NOTICE, match["queue_id"], timestamp, daemon,
                                notice_queue_id=match["notice"])
        if match := _NOTICE_FAILED.match(message):
            return PostfixEvent(EventKind.NOTICE_FAILED, match["queue_id"], timestamp, daemon,
                                address=match["address"], detail=match["reason"] or "")
        return None
    if daemon == "postsuper" and (match := _POSTSUPER.match(message)):
        return PostfixEvent(EventKind.ADMIN, match["queue_id"], timestamp, daemon,
                            detail=match["action"])
    return None

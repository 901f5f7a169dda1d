"""Any log entry we read to its record: authdaemond's own line, or a failed pipe delivery.

For a pipe line only `Command output:` of a deferred or bounced delivery is looked at,
never the rest of the line: the recipient address in `to=<…>` is chosen by whoever
sends the mail. The records told apart by context are picked here.
"""

from __future__ import annotations

from collections.abc import Collection

from tui.core.logs.catalogue.courierlogger import ORPHAN_FRAGMENT
from tui.core.logs.catalogue.postfix_pipe import MAILDROP_TEMPFAIL_TIMEOUT, TIMEOUT_SECONDS
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.delivery_line import DeliveryInfo, parse_delivery_line
from tui.core.logs.matcher.classify import classify, classify_command_output
from tui.core.logs.matcher.orphan import looks_like_orphan_fragment
from tui.core.logs.matcher.text import LOG_INFO, priority_from_prefix

AUTH_TAGS: tuple[str, ...] = ("authdaemond",)  # courierlogger's default name (LOGGEROPTS -name=)


def is_pipe_tag(tag: str) -> bool:
    """`postfix/pipe`, or a multi-instance Postfix's `postfix-in/pipe`."""
    return tag.startswith("postfix") and tag.endswith("/pipe")


def with_delays(signature: Signature | None, delivery: DeliveryInfo | None) -> Signature | None:
    """maildrop's tempfail after the client's ~30 s read timeout is a saturated pool."""
    slow = delivery is not None and (delivery.transmission_seconds or 0.0) >= TIMEOUT_SECONDS
    if signature is not None and signature.id == "maildrop-tempfail" and slow:
        return MAILDROP_TEMPFAIL_TIMEOUT
    return signature


def classify_entry(
    message: str,
    tag: str,
    *,
    priority: int | None = None,
    previous_message: str | None = None,
    auth_tags: Collection[str] = AUTH_TAGS,
    delivery: DeliveryInfo | None = None,
) -> Signature | None:
    """The record of any log entry we read: authdaemond's own, or a failed pipe delivery.

    For a pipe line only `Command output:` of a deferred/bounced delivery is looked at
    (pass `delivery` if it is already parsed). For authdaemond lines an unknown
    info-level message may be an orphan fragment (`previous_message` helps decide).
    """
    if is_pipe_tag(tag):
        info = delivery if delivery is not None else parse_delivery_line(message)
        if info is None or not info.failed or info.command_output is None:
            return None
        return with_delays(classify_command_output(info.command_output), info)
    if tag not in auth_tags:
        return None
    signature = classify(message)
    if signature is not None:
        return signature
    info_level = priority in (None, LOG_INFO) and priority_from_prefix(message) in (None, LOG_INFO)
    if info_level and looks_like_orphan_fragment(message, previous_message):
        return ORPHAN_FRAGMENT
    return None

"""Outlook .msg -> Extracted: the message read as an e-mail, by the same path as an .eml.

An .msg file is a compound file of MAPI properties, often with only an RTF body (compressed,
with the HTML inside). extract-msg reads all of that and turns the item into a standard
email.message.EmailMessage; from there readers/mail.py does what it does for any message
(subject, From, Date, To and Cc, the body with quoted replies marked, attachments as their
own documents).

A message attached to the message (an Outlook item dragged into another, a bounce's copy of
the original) is an attachment of its own, NAME.eml, read as any attached e-mail: extract-msg
puts its parts loose among the outer message's (no message/rfc822 part, no name), where its
text was read as nobody's (_converted).

extract-msg is GPL-licensed, so it is not installed with docsearch (MIT): `pip install
'docsearch[msg]'` adds it. Without it an .msg is counted as skipped, with that command as
the reason.
"""
from __future__ import annotations

import email
import email.policy
import io
from email.message import EmailMessage

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import Extracted, ReadOptions
from indexer.readers.mail import read_message

NEEDS_EXTRACT_MSG = ("Outlook .msg needs the extract-msg library, which is GPL-licensed and so not installed "
                     "by default: pip install 'docsearch[msg]' (or save the message as .eml)")


def read_msg(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    try:
        import extract_msg
    except ImportError:
        raise UnsupportedFileError(NEEDS_EXTRACT_MSG) from None
    try:
        item = extract_msg.openMsg(io.BytesIO(raw))
    except Exception as e:        # the library raises its own and olefile's errors on a damaged file
        raise UnsupportedFileError(f"not a readable Outlook .msg file ({type(e).__name__})") from None
    try:
        if not hasattr(item, "asEmailMessage"):
            raise UnsupportedFileError(f"an Outlook item that is not a message ({type(item).__name__})")
        try:
            message = _converted(item)
            # Parsed again from its bytes, so that it is the same kind of object an .eml gives.
            message = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        except Exception as e:
            raise UnsupportedFileError(f"cannot read the Outlook message ({type(e).__name__}: {e})") from None
    finally:
        item.close()
    return read_message(message)


MAX_DEPTH = 3       # messages attached to attached messages, as mail.py's MAX_ATTACHMENT_DEPTH


def _converted(item, depth: int = 0) -> EmailMessage:
    """The item as an EmailMessage, each message attached to it as a message/rfc822 attachment
    named after it (extract-msg leaves it as a bare multipart/mixed part beside the body)."""
    message = item.asEmailMessage()
    if item.subject:
        # The item's own subject (what Outlook shows): extract-msg's reading of the transport headers
        # keeps the fold between two encoded words ("2017年12月\t02-03日" for "2017年12月02-03日").
        del message["Subject"]
        message["Subject"] = " ".join(item.subject.splitlines())
    embedded = [att for att in item.attachments if att.dataType and hasattr(att.dataType, "asEmailMessage")]
    related = message.get_payload()[0] if embedded and message.is_multipart() else None
    if related is None or not related.is_multipart() or depth >= MAX_DEPTH:
        return message
    children = related.get_payload()        # the body, then the attachments in the item's order
    spots = [k for k, part in enumerate(children) if k and part.get_content_type() == "multipart/mixed"]
    if len(spots) != len(embedded):
        return message                      # not laid out as expected: left as extract-msg made it
    for n, (k, att) in enumerate(zip(spots, embedded), 1):
        attached = EmailMessage()
        attached.set_content(_converted(att.data, depth + 1), disposition="attachment", filename=_name(att, n))
        children[k] = attached
    return message


def _name(att, n: int) -> str:
    """An attached message's file name: its own, else its subject, as NAME.eml."""
    name = (att.longFilename or att.shortFilename or att.displayName or getattr(att.data, "subject", None)
            or f"message-{n}").strip()
    stem = name[:-4] if name.lower().endswith((".msg", ".eml")) else name
    return f"{stem or f'message-{n}'}.eml"

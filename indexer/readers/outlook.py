"""Outlook .msg -> Extracted: the message read as an e-mail, by the same path as an .eml.

An .msg file is a compound file of MAPI properties, often with only an RTF body (compressed,
with the HTML inside). extract-msg reads all of that and turns the item into a standard
email.message.EmailMessage; from there readers/mail.py does what it does for any message
(subject, From, Date, To and Cc, the body with quoted replies marked, attachments as their
own documents).

extract-msg is GPL-licensed, so it is not installed with docsearch (MIT): `pip install
'docsearch[msg]'` adds it. Without it an .msg is counted as skipped, with that command as
the reason.
"""
from __future__ import annotations

import email
import email.policy
import io

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
            message = item.asEmailMessage()
            if not message.get("subject") and item.subject:
                message["Subject"] = item.subject
            # Parsed again from its bytes, so that it is the same kind of object an .eml gives.
            message = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        except Exception as e:
            raise UnsupportedFileError(f"cannot read the Outlook message ({type(e).__name__}: {e})") from None
    finally:
        item.close()
    return read_message(message)

"""Text hygiene: what of a file's text is kept, what is removed, and why.

In: decoded text (or the bytes of a file) from the readers. Out: clean Unicode text,
paragraphs with their line wraps undone, and the lines that are site chrome rather
than content. The readers call these; nothing here knows a file format.

- normalize.py  bytes -> text: encoding detection, binary sniffing, the few character
                normalisations (invisible characters, spaces, line ends)
- reflow.py     hard-wrapped lines (PDF-, OCR-derived text) -> paragraphs: wraps joined,
                words hyphenated at line ends joined, page numbers and running heads
- hyphens.py    whether a line-end hyphen splits a word or joins two, from the document's own
                words (reflow.py asks)
- chrome.py     the lines a web page carries around its text (menus, notices, bylines,
                addresses) and the dates it states
"""

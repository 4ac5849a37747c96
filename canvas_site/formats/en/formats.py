# When a card or a comment was last changed, to the minute, with Django's English time as the
# rest of the English pages show it: "2 Dec 2026, 4:50 p.m.".
CHANGED_DATETIME_FORMAT = "j M Y, P"

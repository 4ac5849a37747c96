# When a card or a comment was last changed, to the minute: "2 dic 2026, 16:50".
CHANGED_DATETIME_FORMAT = "j b Y, H:i"

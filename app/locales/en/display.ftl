# Display preferences beyond the first two (server-rendered only: the island gets its labels).
prefs-larger-text = Larger text
prefs-contrast = High contrast

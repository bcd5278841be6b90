# Display preferences beyond the first two (server-rendered only: the island gets its labels).
prefs-larger-text = 特大字
prefs-contrast = 高对比

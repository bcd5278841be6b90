# Display preferences beyond the first two (server-rendered only: the island gets its labels).
prefs-larger-text = Larger text
prefs-contrast = High contrast

# Read aloud (the island gets its labels)
read-aloud-label = Read aloud
read-aloud-play = 🔊 Read it to me
read-aloud-pause = Pause
read-aloud-resume = Resume
read-aloud-stop = Stop

# Display preferences beyond the first two (server-rendered only: the island gets its labels).
prefs-larger-text = 特大字
prefs-contrast = 高对比

# 读给我听 (the island gets its labels)
read-aloud-label = 朗读
read-aloud-play = 🔊 读给我听
read-aloud-pause = 暂停
read-aloud-resume = 继续
read-aloud-stop = 停止

# Long lists at a district's size: what a page shows of them, and where the rest is.
figures-more = 另有 { $count } 行未画出，见 CSV 表格
home-all-communities = 全部 { $count } 个社区
pager-pages = 翻页
pager-prev = 上一页
pager-next = 下一页
communities-find = 查找社区
communities-find-hint = 输入社区名称中的字，如“甬江”
communities-found = 找到 { $count } 个社区
notices-filter-chosen = 正在看{ $community }的提示
notices-filter-none = 没有名称含这些字的社区，请换几个字再试。

# Long lists at a district's size: what a page shows of them, and where the rest is.
figures-more = 另有 { $count } 行未画出，见 CSV 表格
home-all-communities = 全部 { $count } 个社区

# Long lists at a district's size: what a page shows of them, and where the rest is.
figures-more = { $count ->
    [one] One more row is not drawn: see the CSV
   *[other] { $count } more rows are not drawn: see the CSV
}
home-all-communities = All { $count } communities
pager-pages = Pages
pager-prev = Previous
pager-next = Next
communities-find = Find a community
communities-find-hint = Part of its name
communities-found = { $count ->
    [one] One community found
   *[other] { $count } communities found
}
notices-filter-chosen = Notices for { $community }
notices-filter-none = No community's name contains that. Try other characters.

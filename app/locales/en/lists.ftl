# Long lists at a district's size: what a page shows of them, and where the rest is.
figures-more = { $count ->
    [one] One more row is not drawn: see the CSV
   *[other] { $count } more rows are not drawn: see the CSV
}
home-all-communities = All { $count } communities

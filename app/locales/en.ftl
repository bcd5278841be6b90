# 家警务 portal — English, the second language.
site-name = Family Policing
site-tagline = Zhaobaoshan · neighbours keeping each other safe
skip-to-content = Skip to content

nav-home = Home
nav-mediation = Mediation
nav-teahouse = Tea house
nav-notices = Notices
nav-me = Me
nav-main = Main navigation

prefs-language = Language
prefs-switch-language = 中文
prefs-large-text = Large text
prefs-normal-text = Normal text
prefs-save-failed = The setting could not be saved; please try again later.
prefs-title = Display
prefs-text-size = Text size

demo-banner = Demo data: the communities, compounds and addresses on this site are invented.

home-title = Family Policing · Zhaobaoshan
home-intro = Neighbourhood matters, handled together: book a mediation, talk in the police tea house, read the safety notices near you.
home-shortcuts = Services
home-your-community = My community
home-choose-community = Choose your community to see who serves it.
home-figures = Zhaobaoshan subdistrict
home-figure-communities = { $count } communities
home-figure-compounds = { $count } compounds
home-figure-stations = { $count } mutual-aid stations
home-figure-rooms = { $count } branch mediation rooms
shortcut-mediation = Mediation
shortcut-mediation-hint = Book Lao He's mediation room
shortcut-teahouse = Police tea house
shortcut-teahouse-hint = Talk with officers and liaisons
shortcut-notices = Safety notices
shortcut-notices-hint = Fraud, drowning, traffic, fire
shortcut-volunteers = Lao Wang volunteers
shortcut-volunteers-hint = New Ningbo people helping each other

communities-title = Communities
communities-intro = The communities of Zhaobaoshan and the police office, mutual-aid stations and mediation rooms serving each.
community-compounds = { $count } compounds
community-stations = { $count } stations
community-police-office = Police office
community-none = None yet

community-served-by = Serving this community
community-aid-stations = Mutual-aid stations
community-aid-stations-hint = Small matters first go to a mutual-aid station, where neighbours and police advisers settle them together.
community-mediation-rooms = Mediation rooms
community-compound-list = Compounds
community-back = All communities
room-address = Address
room-hours = Opening hours
room-main = Main room

mediation-title = Mediation on request
mediation-intro = Lao He's mediation room has branches in 11 communities and also mediates by video.
mediation-online-soon = Online requests and booking open soon. Meanwhile visit a room below during its opening hours, or start at your compound's mutual-aid station.
mediation-rooms = Mediation rooms

teahouse-title = Police tea house
teahouse-intro = The tea house of Zongpuqiao police office: talking over tea keeps neighbours at peace. The online tea house opens soon; here are the offices and their liaison rooms.
teahouse-office-rooms = Liaison rooms

notices-title = Safety notices
notices-empty = There are no active safety notices.
notices-intro = Notices from community officers about fraud, drowning, traffic, fire, weather, missing people and public order appear here.

volunteers-title = Lao Wang volunteers
volunteers-intro = More than 540 new Ningbo people volunteering: fellow townspeople helping each other stay safe.
volunteers-squads = Squads

me-title = Me
me-intro = Sign-in and accounts open soon. Here you can set the language and text size; the setting is kept in this browser.

error-title = Something went wrong
error-not-found = We could not find that page.
error-not-found-hint = The link may be wrong, or the content was removed.
error-invalid = Something in the form is not right; please check and try again.
error-server = The system has a problem right now; please try again later. If it persists, contact your community officer.
error-network = The network cannot be reached; please check your connection and try again.
error-go-home = Back to the home page
loading = Loading…

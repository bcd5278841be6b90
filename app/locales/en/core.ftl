# 家警务 portal — English, the second language.
site-name = Family Policing
site-tagline = Neighbours keeping each other safe
site-tagline-station = { $district } · neighbours keeping each other safe
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
prefs-title = Display
prefs-text-size = Text size

demo-banner = Demo data: the communities, compounds and addresses on this site are invented.

home-title = Family Policing
home-title-station = Family Policing · { $name }
home-intro = Neighbourhood matters, handled together: book a mediation, talk in the police tea house, read the safety notices near you.
home-shortcuts = Services
home-your-community = My community
home-choose-community = Choose your community to see who serves it.
home-figures = At a glance
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
communities-intro = The communities of the station's area and the police office, mutual-aid stations and mediation rooms serving each.
communities-intro-station = The communities of { $district } and the police office, mutual-aid stations and mediation rooms serving each.
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


teahouse-title = Police tea house





me-title = Me

error-title = Something went wrong
error-not-found = We could not find that page.
error-not-found-hint = The link may be wrong, or the content was removed.
error-invalid = Something in the form is not right; please check and try again.
error-server = The system has a problem right now; please try again later. If it persists, contact your community officer.
error-network = The network cannot be reached; please check your connection and try again.
error-go-home = Back to the home page
loading = Loading…

error-unauthorized = Please sign in first.
error-forbidden = You do not have permission to do this.

field-phone = Mobile number
field-password = Password
field-password-hint = At least 8 characters; avoid easily guessed ones such as 12345678, a birthday or your number.
field-old-password = Current password
field-new-password = New password
field-community = Community
field-compound = Compound
field-choose = Please choose
field-choose-later = Not now

login-title = Sign in
login-submit = Sign in
login-no-account = No account yet?
login-demo-refused = This is the demo accounts' published password; it cannot sign in on a live portal.
login-failed = The number or the password is wrong; please try again.
login-throttled-account = Too many wrong passwords for this account; try again in an hour or contact your community officer.
login-throttled-address = Too many attempts; please wait a minute.

register-title = Register
register-intro = Register with your mobile number and choose your community and compound.
register-consent = I have read and agree to the
register-submit = Register
register-have-account = Already registered?

account-phone-invalid = Please enter a valid 11-digit mainland mobile number.
account-phone-taken = This number is already registered; please sign in.
account-password-short = The password needs at least 8 characters.
account-password-long = The password is too long; please keep it under 128 characters.
account-password-common = This password is too easy to guess; please choose another.
account-consent-required = Please read and accept the privacy notice.
account-community-required = Please choose your community.
account-compound-mismatch = That compound is not in the chosen community; please choose again.
account-password-wrong = The password is wrong.

logout-submit = Sign out
me-signed-out = Sign in to book mediation, talk in the tea house and see your records.
me-account = My account
me-roles = Roles
me-my-data = My data
me-my-data-hint = Download everything this site keeps about you (JSON).
me-download = Download my data
me-change-password = Change password
me-password-changed = Password changed; every other device has been signed out.
me-delete = Delete my account
me-delete-what = Deleting removes your account, number, consent record and sign-in history for good.
me-delete-kept = Mediation cases still open are kept as the rules require, and what you wrote in the tea house stays in its threads signed "Deleted account"; neither is linked to your number any more.
me-delete-submit = Delete my account for good

role-resident = Resident
role-volunteer = Volunteer
role-mediator = Mediator
role-liaison = Liaison
role-officer = Community officer
role-auxiliary = Auxiliary police
role-grid_worker = Grid worker
role-admin = Administrator

admin-title = Administration
admin-residents = Registered residents per community
admin-add-user = Add a user or grant a role
admin-password-hint = Required for a new user; leave empty to grant a role to an existing one.
admin-add-submit = Save
admin-revoke-role = Take back a role
admin-revoke-submit = Take back
admin-no-such-user = There is no user with that number.
admin-self-revoke = You cannot take back your own administrator role.
admin-users = Users
admin-revoke-hint = Taking a role back also ends the memberships that rest on it (a mediator's rooms, a volunteer's squads, a liaison's rooms, a resident's stations and offices).
admin-records = Memberships and log
admin-members = Memberships
admin-members-intro = Enter a phone number to see which organisations the person belongs to; you can remove them from any of them.
admin-members-find = Look up
admin-members-none = This person belongs to no organisation.
admin-member-leader = leader
admin-member-remove = Remove
admin-done-removed = The person has been removed from the organisation; the admin log records it.
admin-group-aid_station = Mutual-aid station
admin-group-mediation_room = Mediation room
admin-group-squad = Volunteer squad
admin-group-police_office = Police office
admin-group-liaison_room = Liaison room
admin-group-fraud_team = Anti-fraud team
admin-membership-invalid = There is no such organisation, or people cannot be added to it here.
admin-no-such-membership = This person is not a member of that organisation.
admin-log = Admin log
admin-log-intro = Roles granted and taken back, people added to and removed from organisations, changes to the station's details, counter services (reset codes issued and used, residents registered at the counter): each is written here with the change, with the values before and after, and can never be edited or deleted. Newest first.
admin-log-at = When
admin-log-by = By
admin-log-what = What
admin-log-target = Account
admin-log-subject = Role or organisation
admin-log-before = Before
admin-log-after = After
admin-log-command-line = command line
admin-log-deleted = deleted account
admin-log-action-role_granted = Role granted
admin-log-action-role_revoked = Role taken back
admin-log-action-member_added = Added to an organisation
admin-log-action-member_removed = Removed from an organisation
admin-log-action-org_created = Organisation created
admin-log-action-org_changed = Organisation changed
admin-log-action-org_retired = Organisation retired
admin-log-action-org_restored = Organisation restored
admin-log-action-dir_imported = Directory imported
admin-colour-views = Who saw household data
admin-colour-views-intro = Who looked at 三色 household data and when (the colours board and case pages that show a household); the newest hundred.
admin-log-viewer = Viewer
admin-log-page = Page

privacy-title = Privacy notice
privacy-version = Version
privacy-collect = We collect only what the service needs: your mobile number (to sign in and be contacted), your password (kept only as an irreversible hash), your community and compound, and when you accepted which version of this notice.
privacy-use = This is used only for community policing services: mediation bookings, the tea house, and safety notices for your community. We never sell it or give it to unrelated parties.
privacy-show = Your number is never shown publicly; apart from you and staff who need it, people only see it masked, like 138****1234.
privacy-controller = The controller of your personal information is { $name } (address: { $address }; phone: { $phone }; web: { $url }). Contact us with any question about this notice or your information.
privacy-controller-unset = The controller of your personal information is the police station running this portal; its name and contact details have not been entered yet — ask the police office of your community.
privacy-rights = On the "Me" page you can download all your data, change your password or delete your account at any time (Personal Information Protection Law).
home-all-notices = All { $count } notices

# 派出所: the station's identity, /setup and /admin/station
station-title = The station
station-edit = Edit the station's name, address, phone and alert sender
station-unset = The station has not been entered yet: pages use neutral wording until it is. Fill in and save.
station-demo = This is the demo identity of 招宝山派出所; once saved, it is your station's own.
station-name = Name of the police station
station-name-hint = For example: 招宝山派出所
station-district = Area served
station-district-hint = The subdistrict or area the station serves, for example: 招宝山街道
station-address = Address
station-phone = Public phone
station-url = Portal address
station-sender = Alert sender e-mail (CAP sender)
station-sender-hint = Subscribing systems know the station's alerts by it, and the feeds' ids are made from it: once in use, do not change it — every feed entry would then look new.
station-area = Name of "all communities"
station-area-hint = Left empty: the area served followed by 全域, for example 招宝山街道全域
station-submit = Save
station-done-saved = The station is saved.
station-name-invalid = Please enter the station's name (2–40 characters).
station-district-invalid = Please enter the area served (2–40 characters).
station-address-invalid = Please enter the address (2–100 characters).
station-phone-invalid = Please enter the public phone: digits, separated by "-", spaces or brackets if you like (3–15 digits).
station-url-invalid = The portal address must start with http:// or https://, for example https://jjw.example.cn.
station-sender-invalid = The alert sender must be a plain e-mail address such as police@example.cn (no spaces, commas or Chinese characters).
station-area-invalid = The name of "all communities" must have 2–60 characters.
setup-title = First start
setup-intro = Enter the station and create the first administrator. This page is shown only on this machine, and closes once done.
setup-admin = The first administrator
setup-submit = Finish the first start
setup-done = This portal has already been started (it has an administrator or a station); nothing was changed. Administrators edit the station under "The station".
# Offline: the page the service worker shows without a network.
offline-title = No network right now
offline-intro = Your phone cannot reach the network at the moment. When it is back, reload this page to go on. Without a network:
offline-notices = the safety notices you read recently still open;
offline-own = your mediation cases (with the next session) and the volunteers' page (with the shifts you signed up for), as you last opened them signed in, still open; signing out removes them from the phone;
offline-forms = bookings, posts and sign-ups wait until you are online again; nothing is sent again behind your back;
offline-urgent = in an emergency, call 110.
offline-to-notices = Recent safety notices
offline-to-own = My mediation
pwa-name = Family Policing · community police services

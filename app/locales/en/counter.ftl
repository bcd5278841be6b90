# 窗口服务: /counter (officers and admins) and /reset (residents with a code)
counter-title = Counter services
counter-intro = For a person in front of you at the counter: a one-time reset code for an account whose password is forgotten, or an account for a resident who cannot register on a phone. Every act is written to the admin log.
counter-done-code = The reset code is issued: copy it down for the person.
counter-done-registered = The resident is registered: copy down the reset code for them to choose their own password with.
counter-reset-title = Issue a reset code
counter-reset-hint = Check the person's identity card first. The code is valid for 24 hours and works once; a new code cancels the old one.
counter-reset-submit = Issue a reset code
counter-register-title = Register a resident
counter-register-hint = Opens an account for a resident at the counter. Read or show them the privacy notice; tick the box once they agree, and give your name.
counter-consent = The resident heard or read at the counter and agrees to the
counter-witness = Your name (the officer)
counter-witness-hint = Kept with the record of their consent.
counter-register-submit = Register and issue a reset code
counter-code-title = Reset code (shown this once)
counter-code = Reset code
counter-code-until = Valid until
counter-code-once = It is not shown again once you leave or reload this page, and the portal does not keep the code itself.
counter-code-tell = Tell the person: open "Reset password" on this site and enter the phone number, the code and a new password.
reset-title = Reset password
reset-intro = Forgot your password? Bring your identity card to the counter of the police station or a police office for a reset code, then set a new password here. Every device signed in to the account is signed out.
reset-code = Reset code
reset-submit = Set the new password
login-forgot = Forgot your password?
login-done-reset = Your new password is set: sign in with it.
reset-code-wrong = The phone number or the reset code is wrong, or the code has expired or been used. Check them and try again, or ask at the counter for a new code.
counter-no-account = There is no account with this phone number.
counter-staff-account = Only an admin can issue a reset code for a staff account.
counter-witness-invalid = Please give the officer's name (2 to 20 characters).
counter-code-raced = Someone has just issued a reset code for this account; please issue it again in a moment.
admin-log-action-station_saved = Station details changed
admin-log-action-reset_issued = Reset code issued
admin-log-action-reset_used = Reset code used
admin-log-action-counter_signup = Registered at the counter

# /admin/audit: the audit log's filters and CSV
audit-actor = Phone number of who acted
audit-action = Act
audit-any = All
audit-from = From (included)
audit-to = To (included)
audit-filter = Filter
audit-csv = Download these rows (CSV, opens in Excel)
audit-station = The station
audit-filter-invalid = The filters are not right: a phone number has 11 digits, a date reads like 2026-12-06.
audit-via-admin_page = admin pages
audit-via-command_line = command line
audit-via-counter = counter
audit-via-reset_page = own reset
audit-via-setup_page = first-start page

# 本所记录: the station's reported totals (/admin/record, /stats)
reported-title = Totals reported by the station
reported-intro = The station's own reported totals, with their source and date: not computed by this portal from its case records, and not added to the figures above.
reported-admin-intro = Enter the station's totals from before this portal (or from outside it), with their source and the date they held. /stats shows them apart, labelled as reported, never added to the figures the portal computes.
reported-done-saved = Saved, and written to the admin log.
reported-done-removed = Taken off /stats, and written to the admin log.
reported-measure-cases_mediated = Disputes mediated
reported-measure-success_rate = Mediation success rate
reported-measure-amount_yuan = Amount involved
reported-measure-satisfaction_rate = Satisfaction at follow-up
reported-unit-cases_mediated = Number of cases
reported-unit-success_rate = Per cent (%)
reported-unit-amount_yuan = Yuan
reported-unit-satisfaction_rate = Per cent (%)
reported-value-cases_mediated = { $more ->
    [yes] more than { $value } cases
   *[no] { $value } cases
}
reported-value-success_rate = { $more ->
    [yes] over { $value }%
   *[no] { $value }%
}
reported-value-amount_yuan = { $more ->
    [yes] more than { $value } yuan
   *[no] { $value } yuan
}
reported-value-satisfaction_rate = { $more ->
    [yes] over { $value }%
   *[no] { $value }%
}
reported-source = Source: { $source }; as of { $date } (reported by the station)
reported-more-than = Reported as "more than" this number
reported-source-field = Source (a report, an article)
reported-as-of = As of
reported-save = Save
reported-remove = Take off the page
reported-measure-invalid = There is no such total.
reported-value-invalid = Please enter a number: cases and yuan whole, per cent at most 100, two decimals at most.
reported-source-invalid = Please give the source (2 to 200 characters).
reported-date-invalid = Please give the date it held, such as 2023-08-27.
admin-log-action-record_saved = Station's reported total changed

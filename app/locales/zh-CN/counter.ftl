# 窗口服务: /counter (officers and admins) and /reset (residents with a code)
counter-title = 窗口服务
counter-intro = 本人在窗口当面办理：为忘记密码的账号发放一次性重置码，或为不会用手机注册的居民代办注册。每一次办理都记入管理日志。
counter-done-code = 重置码已发放，请抄给本人。
counter-done-registered = 已代为注册，请把重置码抄给本人，凭它设置自己的密码。
counter-reset-title = 发放重置码
counter-reset-hint = 先核对本人身份证件。重置码 24 小时内有效，只能用一次；发放新码后旧码作废。
counter-reset-submit = 发放重置码
counter-register-title = 代为注册
counter-register-hint = 为到窗口来的居民开账号。请向本人宣读或出示隐私说明，本人同意后勾选，并填写经办人姓名。
counter-consent = 本人已在窗口听取或阅读并同意
counter-witness = 经办人姓名
counter-witness-hint = 您的姓名，与同意记录一起保存。
counter-register-submit = 注册并发放重置码
counter-code-title = 重置码（只显示这一次）
counter-code = 重置码
counter-code-until = 有效期至
counter-code-once = 离开或刷新本页后不再显示，本站也不保存重置码本身。
counter-code-tell = 请告诉本人：打开本站的“重置密码”页面，输入手机号、重置码和新密码。
reset-title = 重置密码
reset-intro = 忘记密码时，请带身份证件到派出所或警务室窗口领取重置码，然后在这里设置新密码。设置后，所有设备上的登录都会退出。
reset-code = 重置码
reset-submit = 设置新密码
login-forgot = 忘记密码？
login-done-reset = 新密码已设置，请用新密码登录。
reset-code-wrong = 手机号或重置码不对，或重置码已过期、已用过。请核对后再试，或到窗口重新领取。
counter-no-account = 没有这个手机号的账号。
counter-staff-account = 工作人员的账号只能由管理员发放重置码。
counter-witness-invalid = 请填写经办人姓名（2 到 20 个字）。
counter-code-raced = 刚刚有人为这个账号发放了重置码，请稍后再发一次。
admin-log-action-station_saved = 修改本所信息
admin-log-action-reset_issued = 发放重置码
admin-log-action-reset_used = 使用重置码
admin-log-action-counter_signup = 窗口代为注册

# /admin/audit: the audit log's filters and CSV
audit-actor = 操作人手机号
audit-action = 操作
audit-any = 全部
audit-from = 从（含）
audit-to = 到（含）
audit-filter = 筛选
audit-csv = 下载筛选结果（CSV，可用 Excel 打开）
audit-station = 本所
audit-filter-invalid = 筛选条件有误：手机号需为 11 位，日期如 2026-12-06。
audit-via-admin_page = 管理页面
audit-via-command_line = 命令行
audit-via-counter = 窗口
audit-via-reset_page = 本人重置
audit-via-setup_page = 首次启动页面

# 本所记录: the station's reported totals (/admin/record, /stats)
reported-title = 本所报告的累计数字
reported-intro = 以下是本所自己报告的历史累计数字，注明来源和日期；不是本站根据案件记录算出的，也不计入上面的数字。
reported-admin-intro = 填写本所在使用本站之前（或本站以外）的累计数字，并注明来源和截至日期。它们在“调解成效”页面单列显示，标明为本所报告，不与本站算出的数字相加。
reported-done-saved = 已保存，已记入管理日志。
reported-done-removed = 已从“调解成效”页面撤下，已记入管理日志。
reported-measure-cases_mediated = 调解纠纷
reported-measure-success_rate = 调解成功率
reported-measure-amount_yuan = 涉案金额
reported-measure-satisfaction_rate = 回访满意率
reported-unit-cases_mediated = 件数（起）
reported-unit-success_rate = 百分比（%）
reported-unit-amount_yuan = 金额（元）
reported-unit-satisfaction_rate = 百分比（%）
reported-value-cases_mediated = { $more ->
    [yes] { $value }余起
   *[no] { $value }起
}
reported-value-success_rate = { $more ->
    [yes] { $value }%以上
   *[no] { $value }%
}
reported-value-amount_yuan = { $more ->
    [yes] { $value }余元
   *[no] { $value }元
}
reported-value-satisfaction_rate = { $more ->
    [yes] { $value }%以上
   *[no] { $value }%
}
reported-source = 来源：{ $source }；截至 { $date }（本所报告）
reported-more-than = 报告为“余”“以上”（多于此数）
reported-source-field = 来源（报告、文章等）
reported-as-of = 截至日期
reported-save = 保存
reported-remove = 从页面撤下
reported-measure-invalid = 没有这一项。
reported-value-invalid = 请填写数字：件数和金额为整数，百分比不超过 100，最多两位小数。
reported-source-invalid = 请填写来源（2 到 200 个字）。
reported-date-invalid = 请填写截至日期，例如 2023-08-27。
admin-log-action-record_saved = 修改本所报告的数字

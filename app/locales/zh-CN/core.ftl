# 家警务 portal — Simplified Chinese, the first language.
site-name = 家警务
site-tagline = 家人治家，共护平安
site-tagline-station = { $district } · 家人治家，共护平安
skip-to-content = 跳到正文

nav-home = 首页
nav-mediation = 调解
nav-teahouse = 茶楼
nav-notices = 提示
nav-me = 我的
nav-main = 主导航

prefs-language = 语言
prefs-switch-language = English
prefs-large-text = 大字
prefs-normal-text = 标准字
prefs-title = 显示设置
prefs-text-size = 字号

demo-banner = 演示数据：本站的社区、小区和地址均为虚构，仅供体验。

home-title = 家警务
home-title-station = 家警务 · { $name }
home-intro = 邻里的事，家人一起办。预约调解、到警事茶楼说说心里话、看看身边的安全提示。
home-shortcuts = 常用服务
home-your-community = 我的社区
home-choose-community = 选择您所在的社区，看看谁在为您服务。
home-figures = 辖区概况
home-figure-communities = { $count } 个社区
home-figure-compounds = { $count } 个小区
home-figure-stations = { $count } 个自治互助站
home-figure-rooms = { $count } 个调解分室
shortcut-mediation = 你点我调
shortcut-mediation-hint = 预约老何调解室调解纠纷
shortcut-teahouse = 警事茶楼
shortcut-teahouse-hint = 和民警、联络员聊一聊
shortcut-notices = 安全提示
shortcut-notices-hint = 反诈、防溺水、交通、消防
shortcut-volunteers = 老王帮帮团
shortcut-volunteers-hint = 新宁波人帮老乡

communities-title = 社区
communities-intro = 辖区内的社区，以及为每个社区服务的警务室、自治互助站和调解室。
communities-intro-station = { $district }的社区，以及为每个社区服务的警务室、自治互助站和调解室。
community-compounds = { $count } 个小区
community-stations = { $count } 个互助站
community-police-office = 警务室
community-none = 暂无

community-served-by = 为本社区服务
community-aid-stations = 自治互助站
community-aid-stations-hint = 小事先到互助站：邻里骨干和民警辅警一起商量解决。
community-mediation-rooms = 调解室
community-compound-list = 小区
community-back = 全部社区
room-address = 地址
room-hours = 开放时间
room-main = 总室


teahouse-title = 警事茶楼





me-title = 我的

error-title = 出错了
error-not-found = 没有找到您要的页面。
error-not-found-hint = 链接可能有误，或者内容已经删除。
error-invalid = 填写的内容有误，请检查后再试。
error-server = 系统暂时出了问题，请稍后再试。如果一直这样，请联系社区民警。
error-network = 网络连接不上，请检查网络后再试。
error-go-home = 回到首页
loading = 正在加载…

error-unauthorized = 请先登录。
error-forbidden = 您没有权限进行这个操作。

field-phone = 手机号
field-password = 密码
field-password-hint = 至少 8 位；不要用 12345678、生日或手机号这类容易被猜到的密码。
field-old-password = 原密码
field-new-password = 新密码
field-community = 所在社区
field-compound = 所在小区
field-choose = 请选择
field-choose-later = 暂不选择

login-title = 登录
login-submit = 登录
login-no-account = 还没有账号？
login-failed = 手机号或密码不对，请再试一次。
login-demo-refused = 这是演示账号的公开密码，正式使用的网站不能用它登录。
login-throttled-account = 这个账号密码错误次数太多，请一小时后再试，或联系社区民警。
login-throttled-address = 尝试太频繁了，请一分钟后再试。

register-title = 注册
register-intro = 用手机号注册，选择您所在的社区和小区。
register-consent = 我已阅读并同意
register-submit = 注册
register-have-account = 已有账号？

account-phone-invalid = 请填写正确的 11 位手机号。
account-phone-taken = 这个手机号已经注册过了，请直接登录。
account-password-short = 密码至少要 8 位。
account-password-long = 密码太长了，请不要超过 128 位。
account-password-common = 这个密码太容易被猜到，请换一个。
account-consent-required = 请阅读并勾选同意隐私说明。
account-community-required = 请选择您所在的社区。
account-compound-mismatch = 所选小区不属于所选社区，请重新选择。
account-password-wrong = 密码不对。

logout-submit = 退出登录
me-signed-out = 登录后可以预约调解、在茶楼发言、查看自己的记录。
me-account = 我的账号
me-roles = 身份
me-my-data = 我的数据
me-my-data-hint = 下载本站保存的关于您的全部数据（JSON 格式）。
me-download = 下载我的数据
me-change-password = 修改密码
me-password-changed = 密码已修改，其他设备上的登录已全部退出。
me-delete = 注销账号
me-delete-what = 注销后，您的账号、手机号、同意记录和登录记录会被永久删除，无法恢复。
me-delete-kept = 尚未办结的调解案件会按规定保留，茶楼里的发言留在原帖中，署名改为“已注销的用户”；它们都不再与您的手机号关联。
me-delete-submit = 永久注销账号

role-resident = 居民
role-volunteer = 志愿者
role-mediator = 调解员
role-liaison = 联络员
role-officer = 社区民警
role-auxiliary = 辅警
role-grid_worker = 网格员
role-admin = 管理员

admin-title = 管理
admin-residents = 各社区注册居民
admin-add-user = 添加用户或授予身份
admin-password-hint = 新用户必填；给已有用户授予身份时留空。
admin-add-submit = 保存
admin-revoke-role = 收回身份
admin-revoke-submit = 收回
admin-no-such-user = 没有这个手机号的用户。
admin-self-revoke = 不能收回自己的管理员身份。
admin-users = 用户
admin-revoke-hint = 收回身份时，此人凭这一身份所在的组织一并退出（调解员退出调解室，志愿者退出分队，联络员退出联络室，居民退出互助站和警务室）。
admin-records = 成员与日志
admin-members = 组织成员
admin-members-intro = 输入手机号，查看此人属于哪些组织，可将其移出任何一个。
admin-members-find = 查看
admin-members-none = 此人不属于任何组织。
admin-member-leader = 队长
admin-member-remove = 移出
admin-done-removed = 已将此人移出该组织，已记入管理日志。
admin-group-aid_station = 自治互助站
admin-group-mediation_room = 调解室
admin-group-squad = 帮帮团分队
admin-group-police_office = 警务室
admin-group-liaison_room = 联络室
admin-group-fraud_team = 反诈宣传组
admin-membership-invalid = 没有这个组织，或不能在这里加入。
admin-no-such-membership = 此人不是这个组织的成员。
admin-log = 管理日志
admin-log-intro = 授予和收回身份、加入和移出组织、修改本所信息、窗口服务（发放和使用重置码、代为注册），都在变更的同时连同之前和之后的值记在这里，不能修改或删除。最新的在前。
admin-log-at = 时间
admin-log-by = 操作人
admin-log-what = 操作
admin-log-target = 对象
admin-log-subject = 身份或组织
admin-log-before = 之前
admin-log-after = 之后
admin-log-command-line = 命令行
admin-log-deleted = 已注销的用户
admin-log-action-role_granted = 授予身份
admin-log-action-role_revoked = 收回身份
admin-log-action-member_added = 加入组织
admin-log-action-member_removed = 移出组织
admin-log-action-org_created = 新建组织
admin-log-action-org_changed = 修改组织
admin-log-action-org_retired = 撤销组织
admin-log-action-org_restored = 恢复组织
admin-log-action-dir_imported = 导入名录
admin-colour-views = 户情查看记录
admin-colour-views-intro = 谁在何时看过三色户情（三色页面和显示户情的案件页面），最新的一百条。
admin-log-viewer = 查看人
admin-log-page = 页面

privacy-title = 隐私说明
privacy-version = 版本
privacy-collect = 我们只收集提供服务所必需的信息：手机号（用于登录和联系）、密码（只保存不可还原的加密摘要）、所在社区和小区，以及您同意本说明的时间和版本。
privacy-use = 这些信息只用于社区警务服务：预约调解、茶楼交流、推送与您社区相关的安全提示。我们不会出售或向无关方提供。
privacy-show = 您的手机号不会公开显示；除您本人和确有需要的工作人员外，其他人只能看到 138****1234 这样的隐去中间四位的号码。
privacy-controller = 个人信息处理者：{ $name }（地址：{ $address }；电话：{ $phone }；网址：{ $url }）。对本说明或您的信息有任何疑问，请与我们联系。
privacy-controller-unset = 个人信息处理者为运营本门户的派出所；其名称和联系方式尚未登记，请向您所在社区的警务室询问。
privacy-rights = 您可以随时在“我的”页面下载您的全部数据、修改密码或注销账号（依据《个人信息保护法》）。
home-all-notices = 全部 { $count } 条安全提示

# 派出所: the station's identity, /setup and /admin/station
station-title = 本所信息
station-edit = 修改本所名称、地址、电话和预警发布地址
station-unset = 尚未登记本所信息：页面暂用通用称呼。请填写后保存。
station-demo = 当前是演示用的招宝山派出所信息；保存后即为本所自己的信息。
station-name = 派出所名称
station-name-hint = 例如：招宝山派出所
station-district = 辖区
station-district-hint = 本所服务的街道或区域，例如：招宝山街道
station-address = 地址
station-phone = 对外联系电话
station-url = 门户网址
station-sender = 预警发布邮箱（CAP sender）
station-sender-hint = 订阅系统据此识别本所的预警，订阅源的编号也由它生成；一经使用请勿更改，更改后所有订阅条目都会被视为新条目。
station-area = “全部社区”的区域名称
station-area-hint = 留空则为“辖区 + 全域”，例如：招宝山街道全域
station-submit = 保存
station-done-saved = 本所信息已保存。
station-name-invalid = 请填写派出所名称（2–40 个字）。
station-district-invalid = 请填写辖区（2–40 个字）。
station-address-invalid = 请填写地址（2–100 个字）。
station-phone-invalid = 请填写对外联系电话：数字，可用“-”、空格或括号分隔（3–15 位数字）。
station-url-invalid = 门户网址须以 http:// 或 https:// 开头，例如 https://jjw.example.cn。
station-sender-invalid = 预警发布邮箱须是一个普通邮箱地址，例如 police@example.cn（不含空格、逗号和中文）。
station-area-invalid = “全部社区”的区域名称须为 2–60 个字。
setup-title = 首次启动
setup-intro = 登记本所信息并创建第一位管理员。此页面只在本机可见，完成后即关闭。
setup-admin = 第一位管理员
setup-submit = 完成首次启动
setup-done = 本门户已经启动过（已有管理员或本所信息），没有做任何更改。管理员可在“本所信息”中修改。
# 没有网络: the page the service worker shows offline.
offline-title = 现在没有网络
offline-intro = 手机暂时连不上网络。网络恢复后，刷新本页即可继续。没有网络时：
offline-notices = 最近看过的安全提示仍然可以打开阅读；
offline-own = 您登录后看过的“我的调解”（含下一次调解时间）和“老王帮帮团”（含您报名的值班）也仍然可以打开；退出登录后，这些会从手机上清除；
offline-forms = 预约、发帖、报名等表单要等联网后再提交，系统不会在您不知情时自动重发；
offline-urgent = 遇到紧急情况请直接拨打 110。
offline-to-notices = 看最近的安全提示
offline-to-own = 我的调解
pwa-name = 家警务 · 社区警务服务

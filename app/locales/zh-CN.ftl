# 家警务 portal — Simplified Chinese, the first language.
site-name = 家警务
site-tagline = 招宝山 · 家人治家，共护平安
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
prefs-save-failed = 设置未能保存，请稍后再试。
prefs-title = 显示设置
prefs-text-size = 字号

demo-banner = 演示数据：本站的社区、小区和地址均为虚构，仅供体验。

home-title = 家警务 · 招宝山
home-intro = 邻里的事，家人一起办。预约调解、到警事茶楼说说心里话、看看身边的安全提示。
home-shortcuts = 常用服务
home-your-community = 我的社区
home-choose-community = 选择您所在的社区，看看谁在为您服务。
home-figures = 招宝山街道
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
communities-intro = 招宝山街道的社区，以及为每个社区服务的警务室、自治互助站和调解室。
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

mediation-title = 你点我调
mediation-intro = 老何调解室“早、情、恒、法、和”五字工作法，在 11 个社区设有分室，也可以视频调解。
mediation-online-soon = 在线申请与预约即将开通。现在可以在开放时间直接到下列调解室，或先到所在小区的自治互助站。
mediation-rooms = 调解室

teahouse-title = 警事茶楼
teahouse-intro = 总浦桥警务室的“警事茶楼”：沟通茶叙中，和谐邻里间。线上茶楼即将开张，下面是各警务室和联络室。
teahouse-office-rooms = 联络室

notices-title = 安全提示
notices-empty = 目前没有生效的安全提示。
notices-intro = 社区民警发布的反诈、防溺水、交通、消防、天气、寻人、治安提示会显示在这里。

volunteers-title = 老王帮帮团
volunteers-intro = 540 余名新宁波人组成的志愿服务队伍：老乡帮老乡，一起保平安。
volunteers-squads = 小分队

me-title = 我的
me-intro = 登录和账号功能即将开通。您可以在这里调整语言和字号，设置会保存在本机浏览器。

error-title = 出错了
error-not-found = 没有找到您要的页面。
error-not-found-hint = 链接可能有误，或者内容已经删除。
error-invalid = 填写的内容有误，请检查后再试。
error-server = 系统暂时出了问题，请稍后再试。如果一直这样，请联系社区民警。
error-network = 网络连接不上，请检查网络后再试。
error-go-home = 回到首页
loading = 正在加载…

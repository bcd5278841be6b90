//! 警事茶楼 demo: a board for each liaison room and the general board 茶叙, two liaisons
//! answering on each room's board, and two months of threads on every board: some answered,
//! some resolved, some still open, a few left past the board's answer deadline so that staff
//! see what is overdue, and a few fresh ones nobody has answered yet.
//!
//! The liaisons are 13900000401 onward, two per room in the directory's order; they sign in
//! with the demo password. The threads are started and discussed by the 老王帮帮团 volunteers.
//! Each demo resident starts one thread only, answered by staff and left for them to accept:
//! posting limits count everything a new account posted against its first day, and the
//! end-to-end tests sign in as the residents to post.
//!
//! Threads come from a few topics per board, varied by compound and wording; nothing is
//! random, so every load tells the same story. Rows are written directly and in batches,
//! as in the other steps: the posting functions refuse the past and each opens its own
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};

use super::{OFFICER_PHONE, Outcome, RESIDENT_PHONES, volunteer_phones};
use crate::accounts::{self, Role};
use crate::entities::{
    board, community, compound, liaison_member, liaison_room, police_office, post, squad_member,
    thread, user, user_role,
};
use crate::teahouse::ThreadStatus;
use crate::{Error, Result, settings};

/// The setting that records when this step ran.
pub const DEMO_TEAHOUSE_LOADED_AT: &str = "demo_teahouse_loaded_at";

const LIAISONS_PER_ROOM: usize = 2;
const ANSWER_HOURS: i32 = 48;
const GENERAL_BOARD: (&str, &str) = ("茶叙", "邻里茶叙，什么都可以聊");
const OFFICER_NAME: &str = "王警官";
/// The demo residents' names, in the order of `RESIDENT_PHONES`.
const RESIDENT_NAMES: [&str; 2] = ["陈阿姨", "刘师傅"];
const CONSENT: &str = "demo";
const MAX_REPLIES: usize = 6;
const INSERT_BATCH: usize = 200;
/// The oldest thread is a little under sixty days old.
const OLDEST_HOURS: i64 = 59 * 24;
/// The first threads of a board, newest first: three fresh ones, one waiting within the
/// deadline and two waiting past it (hours old).
const FIRST_AGES: [i64; 6] = [2, 7, 18, 36, 76, 130];
/// The thread (by age) each demo resident starts, on the board of the same index.
const OWN_THREAD: usize = 8;

/// What `{时}` becomes: one per repetition of a topic, so no board repeats a title.
const WHEN: [&str; 3] = ["最近", "这段时间", "这阵子"];

/// What a resident asks and how staff answer. `{小区}` is a demo compound, `{时}` one of
/// `WHEN`.
struct Topic {
    title: &'static str,
    body: &'static str,
    answer: &'static str,
    /// Always posted as "居民": nobody signs a plea about violence at home with their name.
    sensitive: bool,
}

const fn topic(title: &'static str, body: &'static str, answer: &'static str) -> Topic {
    Topic {
        title,
        body,
        answer,
        sensitive: false,
    }
}

const fn sensitive(title: &'static str, body: &'static str, answer: &'static str) -> Topic {
    Topic {
        title,
        body,
        answer,
        sensitive: true,
    }
}

/// A liaison room's board: who answers there and what people ask.
struct RoomDemo {
    room: &'static str,
    liaisons: [&'static str; LIAISONS_PER_ROOM],
    topics: &'static [Topic],
}

const ROOMS: [RoomDemo; 6] = [
    RoomDemo {
        room: "人大代表联络室",
        liaisons: ["张代表", "李代表"],
        topics: &[
            topic(
                "{小区}老楼加装电梯，低楼层邻居不同意怎么办",
                "我们{小区}是九十年代的老房子，六楼住着好几户七八十岁的老人，大家想凑钱加装电梯，可一二楼的邻居担心采光和噪音，一直不肯签字。",
                "加装电梯需要本单元三分之二以上业主同意，且其他业主没有书面反对意见。建议先由社区组织一次协商会，请设计单位到现场讲清对低楼层采光的影响，再商量对低楼层的补偿办法。每周三下午是代表接待日，欢迎带上单元业主名单来面谈。",
            ),
            topic(
                "{小区}停车位太少，晚上车停满消防通道",
                "{时}晚上七点以后{小区}里就找不到车位，不少车直接停在消防通道和单元门口，救护车都开不进来，太危险了。",
                "这个问题已列入本季度代表走访的重点。我们正在和街道、周边单位商量夜间错峰共享停车，附近单位的停车场晚七点到早七点向居民开放。消防通道已请物业加装隔离桩，交警中队也会不定期巡查。",
            ),
            topic(
                "{小区}老旧小区改造什么时候能轮到",
                "听说街道今年有老旧小区改造计划，{小区}外墙渗水、雨污管道堵塞好多年了，想问问有没有列进名单，居民能不能提意见。",
                "今年的改造计划已在街道公众号公示，改造内容会先征求居民意见。请在这里补充渗水和堵塞的具体楼栋号，我们汇总后一并交给街道城建办。",
            ),
            topic(
                "{小区}门口的公交站能不能往前挪一点",
                "公交站台正好设在{小区}出口，公交车一停，进出车辆的视线全被挡住，{时}已经发生过好几次剐蹭。",
                "已联系公交公司和交警到现场查看，初步方案是把站台往东移三十米左右，并在出口施划禁停线。方案定下来后会在这里公布。",
            ),
            topic(
                "{小区}垃圾投放点离单元楼太远",
                "原来每栋楼下都有垃圾桶，现在集中到一个投放点，老人拎着垃圾要走好几百米，定时投放的时间也太短。",
                "我们和社区、物业商量后，准备在{小区}北侧增设一个投放点，晚间投放时间延长到九点。行动不便的老人可以向楼道长登记，由志愿者上门代收。",
            ),
            topic(
                "建议在{小区}附近办一个老年食堂",
                "{小区}独居老人多，中午吃饭是个大难题，能不能在附近开一家老年食堂或者助餐点？",
                "这条建议很有代表性，已写进代表建议交给街道。在食堂建成前，社区的助餐点可以送餐上门，{小区}的老人可以先到社区登记。",
            ),
            topic(
                "{小区}楼道灯坏了半年没人修",
                "三号楼的楼道灯坏了大半年，晚上上下楼全靠手机照明，{时}已经有老人摔了一跤。物业说没有维修资金。",
                "已联系物业，楼道灯属于日常维修，不需要动用维修资金。物业承诺本周内换成声控灯，修好后请在这里说一声。",
            ),
            topic(
                "{小区}旁边学校放学时段太堵",
                "每天下午四点左右，接孩子的车把路口堵死，{小区}的车出不去也进不来，希望有人管一管。",
                "已和城东社区警务室的护学岗沟通，放学时段在路口增加一名辅警疏导，同时建议学校分年级错峰放学。",
            ),
            topic(
                "{小区}充电桩太少，{时}不少人拉线充电",
                "{小区}只有十个充电口，根本不够用，不少人只能从家里拉电线下来给电动车充电，很不安全。",
                "增设集中充电设施已列入今年的民生实事，我们正在协调供电部门和物业选址，预计两个月内新增四十个充电口。在此之前请千万不要飞线充电。",
            ),
            topic(
                "{小区}外来人员随意进出，能不能装门禁",
                "{时}{小区}里经常有陌生人进出，还有人挨家挨户塞小广告，老人独自在家很不放心。",
                "智能门禁需要业主大会表决，我们可以协助社区召开业主代表会议。在此之前已请警务室加强{小区}的夜间巡逻。",
            ),
        ],
    },
    RoomDemo {
        room: "联合执法联络室",
        liaisons: ["赵联络员", "钱联络员"],
        topics: &[
            topic(
                "{小区}门口早市占道经营，人车都过不去",
                "每天早上六点到八点，{小区}门口的路两边摆满了菜摊，早高峰车根本开不出去，收摊后还留下一地垃圾。",
                "已通报综合行政执法中队，本周起早市时段每天安排人员劝导，引导摊贩进入附近农贸市场的临时摊位区，同时请环卫加强清扫。",
            ),
            topic(
                "{小区}旁边工地{时}夜里还在施工",
                "工地晚上十一点以后还在打桩、运渣土，{小区}临街的几栋楼根本睡不着，孩子第二天还要上学。",
                "夜间施工必须持有夜间施工许可。我们已请生态环境和执法部门核查，没有许可的将依法处理。夜里再遇到施工噪音，可以直接拨打 110 或 12345 反映。",
            ),
            topic(
                "{小区}有人在楼顶违章搭建",
                "顶楼住户在屋顶平台上搭了一间彩钢板房，{时}眼看就要完工了，担心漏水，也担心刮台风时出事。",
                "已把线索转给执法中队，工作人员会在三个工作日内上门核查。认定属于违法建设的，将责令限期拆除。",
            ),
            topic(
                "{小区}电动车飞线充电屡劝不改",
                "二楼有户人家每天晚上从窗户拉一根电线下来给电动车充电，线就挂在单元门口，下雨天特别危险。",
                "飞线充电火灾隐患很大。联合执法组已经上门劝导，并告知了小区集中充电点的位置。如果再发现，请拍照留言，我们会联合消防部门依法处理。",
            ),
            topic(
                "{小区}楼下烧烤摊油烟太大",
                "{时}楼下新开的烧烤摊每天晚上营业到凌晨，油烟直往楼上窗户里钻，衣服都不敢晒在外面。",
                "已请市场监管和执法部门检查，店家须安装油烟净化设施，露天烧烤将被责令停止。整改期间我们会每晚回访。",
            ),
            topic(
                "{小区}楼道堆满杂物，消防通道被堵",
                "{小区}好几个单元的楼道里堆着旧家具、纸箱和电动车，消防通道只剩一条缝。",
                "已联合消防救援站和物业开展楼道清理，先张贴通知，给住户三天时间自行清理，逾期由物业统一清运。",
            ),
            topic(
                "{小区}门口共享单车{时}乱停乱放",
                "{小区}门口的人行道上堆满了共享单车，轮椅和婴儿车都过不去。",
                "已联系几家共享单车企业，要求每天早晚各清运一次，并在{小区}门口划定停放区，超出区域的车辆会被及时调走。",
            ),
            topic(
                "{小区}沿街店铺的广告牌摇摇欲坠",
                "{小区}沿街一家店门口的广告牌有一角已经松动，刮大风的时候晃得厉害，下面就是人行道。",
                "执法队员已到现场查看，责令店家当天拆除加固，在拆除前设置了警戒区。谢谢提醒！",
            ),
            topic(
                "{小区}附近夜市的噪音和垃圾问题",
                "{时}夜市一直热闹到半夜，音响声、吆喝声不断，散场后垃圾遍地，{小区}的居民意见很大。",
                "已约谈夜市管理方，音响一律在晚上十点前关闭，散场后半小时内清扫完毕。我们会连续两周夜间检查落实情况。",
            ),
            topic(
                "{小区}有人把公共绿地圈起来种菜",
                "{小区}的公共绿地被几户人家圈起来种菜，还用了粪肥，夏天臭味很重。",
                "已请物业和社区上门沟通，限期恢复绿化。我们也会和社区商量，在合适的地方开辟一块“共享菜园”，让喜欢种菜的居民有地方种。",
            ),
        ],
    },
    RoomDemo {
        room: "妇女儿童维权联络室",
        liaisons: ["冯大姐", "周联络员"],
        topics: &[
            sensitive(
                "丈夫{时}喝了酒就动手，我该怎么办",
                "丈夫{时}喝了酒就摔东西，上周还动手打了我。我不敢报警，怕他以后更凶，也怕吓着孩子。请问可以向谁求助？",
                "你不是一个人。遇到家暴请第一时间拨打 110，公安机关可以出具告诫书；也可以申请人身安全保护令，我们可以陪你一起办。请保存好受伤照片、就诊记录和聊天记录。联络室周一至周五 9:00–17:00 都有人，也可以留下方便联系的时间，我们会用安全的方式联系你。",
            ),
            topic(
                "离婚后对方{时}一直不付抚养费",
                "离婚协议写明对方每月给两千元抚养费，可{时}一直拖着不给，打电话也不接。孩子马上要交学费了，请问该怎么办？",
                "可以先由联络室和老何调解室一起调解，督促对方履行；调解不成的，可以拿离婚协议向法院申请强制执行。需要的话在“你点我调”预约调解，我们帮你联系对方。",
            ),
            sensitive(
                "孩子{时}在学校被同学欺负，不想上学了",
                "孩子读初一，{时}回家总是情绪低落，书包和文具经常被弄坏，后来才说是被几个同学堵在厕所里要钱。跟班主任说过，好像没什么用。",
                "这已经是校园欺凌了。请先稳住孩子的情绪，保存好被弄坏的东西和孩子说的经过。我们会联系护学岗民警和学校德育处，一起约谈相关学生和家长。涉及勒索财物的，可以直接报警。",
            ),
            topic(
                "{小区}有留守儿童放学后没人管",
                "{小区}楼里有几个孩子的父母在外地打工，跟着爷爷奶奶住，放学后在小区里跑到天黑，{时}还有孩子去江边玩水，看着很揪心。",
                "谢谢你的热心。联络室和社区在办“放学后”托管课堂，周一至周五 16:30–18:30 在社区党群服务中心，有志愿者辅导作业，免费参加。请帮忙转告孩子的家人到社区登记。",
            ),
            topic(
                "怀孕后单位{时}要我调岗降薪",
                "我在园区一家公司做文员，怀孕五个月了，公司{时}让我调去仓库，工资降了三分之一，不同意就让我主动辞职。",
                "用人单位不得因女职工怀孕、生育、哺乳降低工资或者单方解除劳动合同。请保留调岗通知、工资条等证据，可以先找企业工会，也可以向劳动保障监察大队投诉，联络室可以陪你去。",
            ),
            topic(
                "{小区}邻居家{时}常传来打骂孩子的声音",
                "隔壁每天晚上都传来大人打骂孩子的声音，孩子哭得很厉害，有时还能听到摔东西。不知道该不该管，怎么管？",
                "谢谢你的关心，这可能涉及家庭暴力或者监护不当。我们会请网格员和民警以走访的名义上门了解情况，不会透露反映人的信息。如果听到正在发生严重的打骂，请直接拨打 110。",
            ),
            sensitive(
                "下班路上{时}总感觉有人跟着我",
                "我上夜班，晚上十点多下班走路回{小区}，{时}好几次发现有个男的一直跟在后面，我走快他也走快，很害怕。",
                "请一定注意安全：尽量走灯光亮、人多的路，和同事结伴，或者提前告诉家人。我们已请警务室把这段路列入夜间巡逻路线。再遇到这种情况请立即拨打 110，记下对方的特征。",
            ),
            sensitive(
                "{时}一直在考虑离婚，孩子和房子怎么办",
                "结婚十年，{时}实在过不下去了，可是不知道离婚后孩子跟谁、房子怎么分，也不敢跟家里人商量。",
                "联络室每周四下午有律师志愿者免费咨询，可以先来了解清楚自己的权利再做决定，谈话内容会保密。如果需要心理疏导，我们也可以帮你预约。",
            ),
            topic(
                "{小区}门口小店向中学生卖电子烟",
                "放学时发现{小区}门口的小卖部在卖一种水果味的电子烟，好多初中生在买，老板也不问年龄。",
                "向未成年人销售电子烟是违法的。已把线索转给市场监管部门，并请警务室联合检查周边小店。也请家长多留意孩子书包里的东西。",
            ),
            topic(
                "孩子{时}偷偷给游戏充值好几千，能退吗",
                "孩子十一岁，用我的手机给一款游戏充了四千多元，我今天查账才发现。",
                "可以联系游戏平台客服申请未成年人充值退款，准备好孩子的身份信息和充值记录，联络室可以帮你写申请。平时建议打开手机的青少年模式，支付密码不要告诉孩子。",
            ),
        ],
    },
    RoomDemo {
        room: "巾帼宣传联络室",
        liaisons: ["孙大姐", "吴联络员"],
        topics: &[
            topic(
                "{小区}这周六有反诈宣传活动吗",
                "看到社区群里说巾帼志愿者要来{小区}做反诈宣传，想问问具体时间和地点，我想带我妈去听听，她{时}老接到奇怪的电话。",
                "本周六上午 9:30 在{小区}中心花园，有反诈情景剧和有奖问答，现场可以帮老人在手机上装好国家反诈中心 App。欢迎带家人来！",
            ),
            topic(
                "{小区}的消防演练怎么报名",
                "物业通知下个月要搞消防疏散演练，我们楼想集体报名，需要准备什么？",
                "直接在这里留言楼栋号和人数就行，我们统一登记。演练当天请穿平底鞋，带好湿毛巾；家里有行动不便的老人请提前告诉我们，会安排志愿者协助。",
            ),
            topic(
                "{小区}旁边的河边{时}总有孩子玩水",
                "天气热了，放学后常有十来岁的孩子在{小区}旁边的河边玩水，有的还下河游泳。河边没有护栏，也没有警示牌。",
                "谢谢提醒！水上安全小分队会增加这段河道的巡查，我们也已联系街道在河边增设警示牌和救生圈。本周五下午会到附近小学上一堂防溺水课。",
            ),
            topic(
                "我妈{时}差点被冒充公检法的电话骗了",
                "我妈接到电话说她涉嫌洗钱，要把钱转到“安全账户”，还不让告诉家人，幸好银行柜员拦住了。想请巾帼志愿者到{小区}给老人们讲讲。",
                "幸好拦住了！公检法机关不会通过电话办案，更没有所谓的“安全账户”。我们已把{小区}排进下个月的反诈进小区场次，时间会提前在群里通知。",
            ),
            topic(
                "能不能给{小区}租住的工友讲讲反诈",
                "{小区}租住着不少外地来的工友，{时}好几个人被“刷单返利”“低息贷款”骗了钱，能不能用家乡话或者短视频给他们讲讲？",
                "好建议！反诈宣传小分队的“异乡人大舞台”就是用家乡话讲反诈的，我们安排一个周末晚上到{小区}演一场，时间定了在这里通知。",
            ),
            topic(
                "{时}想加入巾帼宣传志愿者，怎么报名",
                "我刚退休，住在{小区}，平时喜欢跳舞唱歌，想参加巾帼志愿者做点宣传，需要什么条件？",
                "非常欢迎！可以在“老王帮帮团”页面申请加入宣传类小分队，也可以直接到总浦桥警务室联络室登记。我们每月有一次培训。",
            ),
            topic(
                "防溺水课能不能进{小区}的托管班",
                "{小区}旁边有个暑期托管班，三十多个孩子，{时}天天念叨要去游泳，想请志愿者来讲一次防溺水课。",
                "可以的，请托管班负责人在这里留言或者到联络室约个时间，我们会带上救生衣和演示道具，一堂课大约四十分钟。",
            ),
            topic(
                "{小区}楼道里的反诈海报{时}被撕了",
                "单元门口贴的反诈海报被人撕掉了好几张，新来的租户都没看到。",
                "下周我们来补贴新版海报，并在每个单元门口加装宣传栏。也欢迎热心居民帮忙留意。",
            ),
            topic(
                "{小区}的消防演练{时}都在工作日，能改到周末吗",
                "上班族根本参加不了工作日白天的演练，能不能安排一场周末的？",
                "收到大家的意见，下个月第二个周六上午在{小区}加开一场，欢迎报名。",
            ),
            topic(
                "{小区}{时}接连有电器起火，想请人讲讲用电安全",
                "上个月一户人家的取暖器着火，这个月又有一家插线板冒烟，楼里老人多，想请志愿者来讲讲家庭用电安全。",
                "好的，我们联合消防救援站到{小区}做一次家庭用电安全入户宣传，会免费帮老人检查家里的插线板和电线。",
            ),
        ],
    },
    RoomDemo {
        room: "安德机械警企联络室",
        liaisons: ["何经理", "许联络员"],
        topics: &[
            topic(
                "{时}园区门口下班时电动车和汽车挤成一团",
                "下午五点半一下班，园区门口电动车、汽车、接人的车全挤在一起，上周还发生了两起剐蹭。",
                "已和企业行政部商定：下班时段东门只出不进，电动车走北侧通道，高峰时段请辅警到现场疏导。",
            ),
            topic(
                "车间里{时}因为加班排班吵了好几次",
                "我们班组因为加班排班不公平，几个工友吵得很凶，差点动手，班长也压不住。",
                "这类矛盾可以由联络室和企业工会一起调解，老何调解室的园区分室每周二下午在园区服务中心坐班，也可以在“你点我调”预约。有动手苗头的请及时报告保卫科。",
            ),
            topic(
                "宿舍楼下的电动车电瓶{时}接连被偷",
                "{时}宿舍楼下已经有五六辆电动车的电瓶被偷了，监控好像拍不清楚。",
                "已经立案，警务室正在调取周边监控，也建议企业在车棚加装高清摄像头和照明。请大家尽量把车停进有监控的车棚，并登记车辆信息。",
            ),
            topic(
                "外包公司{时}拖欠我们两个月工资",
                "我们是外包到厂里干活的，外包公司一直拖着工资不发，说要等甲方付款。",
                "已联系企业和外包公司负责人，企业承诺督促外包公司月底前结清。到期仍不支付的，可以向劳动保障监察部门投诉，联络室可以帮忙准备材料。",
            ),
            topic(
                "园区到宿舍的路{时}一半路灯不亮",
                "夜班凌晨下班，园区到宿舍那段路黑漆漆的，女同事都不敢一个人走。",
                "已报街道城管部门维修路灯。修好之前，巡逻车会在凌晨下班时段沿这段路巡查。",
            ),
            topic(
                "{时}来厂里办事的车辆没地方停",
                "来送货和办事的车辆经常找不到车位，只好停在路边，还被贴了罚单。",
                "企业已在南门外划出二十个临时访客车位，送货车辆请提前登记预约。",
            ),
            topic(
                "{时}有居民到厂门口投诉夜班噪音",
                "厂区挨着{小区}，有居民晚上到门口投诉冷却塔太吵，和门卫差点吵起来。",
                "联络室已组织企业和居民代表见面，企业承诺加装隔音屏并调整夜间设备的运行时间。以后有问题请双方先在这里沟通。",
            ),
            topic(
                "厂门口{时}总有人发招“刷单”兼职的传单",
                "下班时厂门口总有人塞传单，说在手机上点点赞、刷刷单一天能赚三百，不少年轻工友动心了。",
                "刷单返利是最常见的诈骗，千万别信。已请巡逻队劝离发传单的人，也会在车间张贴反诈提示。",
            ),
            topic(
                "{时}刚入职，居住证怎么办",
                "从外地来这边上班，想办居住证，孩子明年上学要用，需要准备什么材料？",
                "带上身份证、劳动合同或单位证明和租房合同，到社区警务室或街道便民服务中心登记，登记满半年可以申领居住证。警企联络室每月第一个周三到园区集中受理。",
            ),
            topic(
                "工友在车间受伤，{时}和公司谈不拢赔偿",
                "工友操作机床时压伤了手，公司只愿意出医药费，说是他自己操作不当。",
                "工伤应由企业在三十日内申报认定，请先确认企业有没有申报。联络室可以组织企业和工友家属协商，协商不成可以申请劳动仲裁。",
            ),
        ],
    },
    RoomDemo {
        room: "传化物流警企联络室",
        liaisons: ["韩经理", "郑联络员"],
        topics: &[
            topic(
                "{时}大货车把园区门口的路堵死了",
                "每天傍晚排队进园区卸货的大货车一直排到路口，附近居民和私家车都过不去。",
                "已和园区协调启用东侧的临时待检区，货车到了在区内排队，不再占用市政道路。交警中队也会在高峰时段巡查。",
            ),
            topic(
                "{时}大货车夜里停在{小区}门口",
                "一到晚上就有好几辆大货车停在{小区}门口的路边，司机开着空调睡觉，发动机整夜轰鸣。",
                "已请交警和执法部门夜间劝离，并和园区商定夜间开放停车场，供司机免费停车休息。",
            ),
            topic(
                "仓库里司机和装卸工{时}为卸货排队吵架",
                "司机嫌排队太久，装卸工说要按顺序来，昨天两边差点打起来。",
                "已请园区改成按预约时间排号卸货，现场纠纷由联络员调解，必要时保安到场。",
            ),
            topic(
                "仓库里的快递包裹{时}少了好几箱",
                "我们公司租的仓库，盘点时发现少了好几箱包裹，门锁没有被撬的痕迹。",
                "已经报案并调取了监控，警务室会和园区保卫部门一起排查。也建议仓库实行出入库双人核对。",
            ),
            topic(
                "物流园{时}凌晨装卸货，{小区}的居民睡不着",
                "{小区}就在物流园旁边，凌晨两三点还在装卸货，叉车倒车的提示音特别刺耳。",
                "已约谈园区：靠居民区一侧的月台夜间 22:00 到次日 6:00 停止装卸，倒车提示音换成低音量的型号。",
            ),
            topic(
                "{时}有人冒充园区工作人员向司机收“排队费”",
                "有人穿着像园区的马甲，向外地司机每车收五十元“排队费”，说交了能先卸货。",
                "园区不收任何排队费用，这是诈骗。线索已移交派出所，遇到的司机请在这里留言或者直接报警。",
            ),
            topic(
                "园区里的货车{时}开得太快",
                "园区主干道上货车开得飞快，昨天差点撞到一个走路的装卸工。",
                "园区已在主干道加装减速带和限速 15 公里的标志，违规的司机会被列入园区黑名单。",
            ),
            topic(
                "外地司机在园区等货，{时}吃饭洗澡都不方便",
                "有时候一等就是一整天，园区附近没有吃饭和洗澡的地方。",
                "园区的“司机之家”已经开放，有热水、淋浴和休息室，24 小时开放，就在 3 号仓库旁边。",
            ),
            topic(
                "园区周边的路{时}被重型货车压坏了",
                "{小区}到园区的那段路坑坑洼洼，下雨天积水很深，电动车骑过去很危险。",
                "已报街道和交通部门，坑洼路段本月内修补，修补期间会设置警示标志。",
            ),
            topic(
                "车队老板{时}拖欠运费，能找谁调解",
                "我跑了三个月的车，车队老板一直说客户没结账，运费拖着不给。",
                "可以在“你点我调”预约老何调解室的园区分室，联络员会协助联系车队负责人。",
            ),
        ],
    },
];

/// 茶叙: neighbours' small matters, answered by the officer.
const GENERAL_TOPICS: &[Topic] = &[
    topic(
        "{小区}{时}有人遛狗不牵绳",
        "晚上在{小区}散步，总有几条大狗不牵绳到处跑，孩子吓得直哭，狗主人还说“它不咬人”。",
        "文明养犬的规定是出门遛狗必须牵绳。我们会和社区一起在{小区}做一次文明养犬宣传，屡教不改的将依法处理。被狗咬伤请及时就医并报警。",
    ),
    topic(
        "{小区}楼上晾衣服{时}天天滴水到我家",
        "楼上住户衣服不拧干就挂到窗外，水全滴在我家晒的被子上。",
        "邻里之间先好好沟通，可以建议对方把衣服拧干，或者在晾衣架下加一个接水槽。沟通不了的，可以请楼道长或者老娘舅调解小分队帮忙。",
    ),
    topic(
        "{小区}的广场舞音响{时}开得太响",
        "{小区}中心广场每晚七点到九点跳广场舞，音响声音特别大，家里孩子没法写作业。",
        "已和广场舞队的负责人沟通，音量调低，晚上八点半前结束。我们这几天会去现场看看效果。",
    ),
    topic(
        "{小区}快递柜旁的包裹{时}老被人拿错",
        "放在快递柜旁边的包裹经常被人拿错，有的干脆就找不到了。",
        "建议使用快递柜或驿站代收，贵重物品当面签收。怀疑被盗的可以报警，我们会调取监控。",
    ),
    topic(
        "{小区}{时}有人从楼上往下扔垃圾",
        "楼下的草坪上经常有从楼上扔下来的垃圾袋和烟头，昨天还掉下来一个花盆，差点砸到人。",
        "高空抛物已经入刑，请大家互相提醒。已请物业在楼下加装高空摄像头，我们也会在楼道张贴提示。",
    ),
    topic(
        "{小区}邻居装修，{时}周末一大早就砸墙",
        "周六早上七点就开始电钻砸墙，一直到晚上，周末都没法休息。",
        "装修一般只能在工作日 8:00–12:00、14:00–18:00 施工，周末和节假日不得进行有噪音的作业。可以先请物业提醒，必要时联系执法部门。",
    ),
    topic(
        "{小区}的流浪猫{时}越来越多，有人喂有人嫌",
        "有人天天在楼下喂流浪猫，猫越来越多，晚上叫得厉害，喂猫的和嫌吵的邻居已经吵过几次。",
        "流浪猫的事最好大家一起商量，可以联系动物保护志愿者做绝育放归。我们会请社区组织一次议事会。",
    ),
    topic(
        "{小区}邻居在楼道里放鞋柜，{时}越堆越多",
        "先是一个鞋柜，后来又多了纸箱和旧家具，楼道只剩一人宽。",
        "楼道是公共区域，堆放杂物会妨碍消防疏散。我们会请物业统一通知，给一周时间清理。",
    ),
    topic(
        "{小区}有人{时}总把车停在别人的车位上",
        "我买的固定车位，下班回来总被一辆外地牌照的车占着，打电话也没人接。",
        "建议先请物业联系车主挪车，也可以在车位上装一个地锁。物业有车主的联系方式，我们也可以帮忙协调。",
    ),
    topic(
        "{小区}门口{时}新开了家早餐店，大家去过吗",
        "看着人挺多的，听说包子和豆浆都不错，有没有去吃过的说说？",
        "听说他家的豆浆确实不错！顺便提醒一句：新店开业办会员卡、预存钱款要谨慎，量力而行。",
    ),
];

/// Endings of opening posts, to vary the repeated topics.
const CLOSINGS: [&str; 4] = [
    "",
    "麻烦帮忙看看，谢谢！",
    "不知道该找哪个部门，先在这里问问。",
    "希望能早点解决。",
];

/// What neighbours add under a thread.
const COMMENTS: [&str; 12] = [
    "同样的情况我们楼也有，顶一下。",
    "上个月我也反映过，一直没有下文。",
    "支持，希望早点解决。",
    "我就住隔壁单元，确实影响很大。",
    "可以先找物业登记一下，留个记录。",
    "建议拍照留证据，再找社区反映。",
    "说出了大家的心声，谢谢楼主。",
    "昨天晚上又是这样。",
    "我们那边去年也遇到过，后来是社区出面解决的。",
    "关注一下，有进展麻烦更新。",
    "我家老人也说过这个事，一起等个答复。",
    "已转发到楼道群里了，让大家都看看。",
];

/// The author, after an answer that helped.
const THANKS_ANSWERED: [&str; 3] = [
    "谢谢答复，我按说的去办。",
    "收到，明天就去社区登记。",
    "明白了，谢谢这么快回复！",
];

/// The author, once the matter is settled.
const THANKS_RESOLVED: [&str; 3] = [
    "问题已经解决了，感谢联络室和民警同志！",
    "已经处理好了，谢谢大家关心。",
    "这两天去看了，确实好多了，谢谢！",
];

const CHECKED_BACK: &str = "已电话回访，问题已经解决。如有反复，请随时在这里留言。";

fn liaison_phone(index: usize) -> String {
    format!("13900000{}", 401 + index)
}

/// Every demo phone number this step gives out.
pub fn phones() -> Vec<String> {
    (0..ROOMS.len() * LIAISONS_PER_ROOM)
        .map(liaison_phone)
        .collect()
}

/// The demo of a room: by its name, or by its place when the room was renamed.
fn room_demo(index: usize, name: &str) -> &'static RoomDemo {
    ROOMS
        .iter()
        .find(|r| r.room == name)
        .unwrap_or(&ROOMS[index % ROOMS.len()])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Hours old, nobody from staff has answered yet.
    Fresh,
    /// No official answer: within the deadline or past it, as its age says.
    Waiting,
    /// Answered by staff, not yet accepted.
    Open,
    /// The official answer was accepted.
    Answered,
    /// Settled, with or without an accepted answer.
    Resolved { accepted: bool },
}

/// The fates of the older threads, in turn: a third answered, a third resolved.
const CYCLE: [Fate; 7] = [
    Fate::Answered,
    Fate::Resolved { accepted: true },
    Fate::Open,
    Fate::Answered,
    Fate::Resolved { accepted: false },
    Fate::Answered,
    Fate::Resolved { accepted: true },
];

/// The fate of a board's `n`th thread, newest first.
fn fate(n: usize) -> Fate {
    match n {
        0..=2 => Fate::Fresh,
        3..=5 => Fate::Waiting,
        _ => CYCLE[(n - FIRST_AGES.len()) % CYCLE.len()],
    }
}

/// How old a board's `n`th of `count` threads is: the first ones as `FIRST_AGES` say, the
/// rest spread over two months; the board's index shifts the minutes.
fn age(n: usize, count: usize, board: usize) -> Duration {
    let hours = match FIRST_AGES.get(n) {
        Some(hours) => *hours,
        None => {
            let newest = FIRST_AGES[FIRST_AGES.len() - 1] + 20;
            let older = (n - FIRST_AGES.len()) as i64;
            let spread = count.saturating_sub(FIRST_AGES.len()).max(1) as i64;
            newest + older * (OLDEST_HOURS - newest) / spread
        }
    };
    Duration::hours(hours) + Duration::minutes(((n * 37 + board * 53) % 60) as i64)
}

/// Threads a board gets: between 24 and 30.
fn threads_on(board: usize) -> usize {
    24 + 2 * (board % 4)
}

#[derive(Clone, Copy)]
struct Person {
    id: i32,
    community: Option<i32>,
}

impl From<&user::Model> for Person {
    fn from(user: &user::Model) -> Self {
        Person {
            id: user.id,
            community: user.community_id,
        }
    }
}

/// The people who write: threads and comments by volunteers, answers by the board's
/// liaisons or the officer, one thread each by the residents.
struct Cast {
    officer: i32,
    residents: Vec<Person>,
    volunteers: Vec<Person>,
    compounds: Vec<String>,
}

/// A board being filled.
struct Board {
    id: i32,
    room: Option<i32>,
    /// The room's liaisons; none on 茶叙, where the officer answers.
    liaisons: Vec<i32>,
    topics: &'static [Topic],
}

struct Reply {
    author: i32,
    body: String,
    anonymous: bool,
    /// "liaison" or "officer", and the room a liaison answers for.
    badge: Option<(&'static str, Option<i32>)>,
}

struct Plan {
    board: i32,
    author: Person,
    title: String,
    body: String,
    anonymous: bool,
    created_at: DateTime<Utc>,
    fate: Fate,
    /// With their times.
    replies: Vec<(Reply, DateTime<Utc>)>,
}

/// Loads the step unless it ran before. Refuses, changing nothing, when a demo liaison's
/// number already belongs to someone.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_TEAHOUSE_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let office = police_office::Entity::find()
        .filter(police_office::Column::IsDemo.eq(true))
        .order_by_asc(police_office::Column::Id)
        .one(db)
        .await?;
    let rooms: Vec<liaison_room::Model> = liaison_room::Entity::find()
        .filter(liaison_room::Column::IsDemo.eq(true))
        .order_by_asc(liaison_room::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .take(ROOMS.len())
        .collect();
    let officer = accounts::find_by_phone(db, OFFICER_PHONE).await?;
    let volunteers = user::Entity::find()
        .filter(user::Column::Phone.is_in(volunteer_phones()))
        .order_by_asc(user::Column::Phone)
        .all(db)
        .await?;
    // The boards hang on the demo directory, the answers need the officer (whose password
    // hash the liaisons share) and the threads their authors: the earlier steps.
    let (Some(office), Some(officer)) = (office, officer) else {
        return Ok(Outcome::AlreadyLoaded);
    };
    if rooms.is_empty() || volunteers.is_empty() {
        return Ok(Outcome::AlreadyLoaded);
    }
    super::phones_free(db, phones()).await?;
    let residents = user::Entity::find()
        .filter(user::Column::Phone.is_in(RESIDENT_PHONES))
        .order_by_asc(user::Column::Phone)
        .all(db)
        .await?;
    let communities = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    let compounds = compound::Entity::find()
        .filter(compound::Column::IsDemo.eq(true))
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let memberships: HashMap<i32, squad_member::Model> = squad_member::Entity::find()
        .filter(squad_member::Column::UserId.is_in(volunteers.iter().map(|v| v.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m))
        .collect();

    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_TEAHOUSE_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    present(&txn, &officer, OFFICER_NAME, None).await?;
    for (phone, name) in RESIDENT_PHONES.iter().zip(RESIDENT_NAMES) {
        if let Some(resident) = residents.iter().find(|r| r.phone == *phone) {
            present(&txn, resident, name, None).await?;
        }
    }
    for volunteer in &volunteers {
        // Signed as on their squad's roster, and members since they joined: their threads
        // reach two months back, and the posting limits would otherwise count them all
        // against a new account's first day.
        if let Some(member) = memberships.get(&volunteer.id) {
            present(&txn, volunteer, &member.name, Some(member.joined_at)).await?;
        }
    }
    let liaisons = add_liaisons(&txn, &rooms, &communities, &officer.password_hash, now).await?;
    let boards = open_boards(&txn, office.id, &rooms, liaisons).await?;
    let cast = Cast {
        officer: officer.id,
        residents: residents.iter().map(Person::from).collect(),
        volunteers: volunteers.iter().map(Person::from).collect(),
        compounds,
    };
    let mut plans = Vec::new();
    for (b, board) in boards.iter().enumerate() {
        for n in 0..threads_on(b) {
            plans.push(plan(&cast, board, b, n, now));
        }
    }
    write(&txn, plans).await?;
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

/// Gives `person` the name they post under unless they chose one, and dates their account
/// back to `since` when it is earlier.
async fn present(
    txn: &DatabaseTransaction,
    person: &user::Model,
    name: &str,
    since: Option<DateTime<Utc>>,
) -> Result<()> {
    let mut active: user::ActiveModel = person.clone().into();
    if person.display_name.is_none() {
        active.display_name = Set(Some(name.to_owned()));
    }
    if let Some(since) = since.filter(|s| *s < person.created_at) {
        active.created_at = Set(since);
    }
    if active.is_changed() {
        active.update(txn).await?;
    }
    Ok(())
}

/// Two liaisons for each room, living in a community of the room's office; their ids, room
/// by room.
async fn add_liaisons(
    txn: &DatabaseTransaction,
    rooms: &[liaison_room::Model],
    communities: &[community::Model],
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Vec<i32>>> {
    let mut rows = Vec::new();
    for (index, room) in rooms.iter().enumerate() {
        let community = communities
            .iter()
            .find(|c| c.police_office_id == Some(room.police_office_id))
            .map(|c| c.id);
        for (n, name) in room_demo(index, &room.name).liaisons.iter().enumerate() {
            rows.push(user::ActiveModel {
                phone: Set(liaison_phone(index * LIAISONS_PER_ROOM + n)),
                password_hash: Set(hash.to_owned()),
                community_id: Set(community),
                compound_id: Set(None),
                consent_version: Set(CONSENT.to_owned()),
                consent_at: Set(now),
                created_at: Set(now),
                display_name: Set(Some((*name).to_owned())),
                ..Default::default()
            });
        }
    }
    let people = user::Entity::insert_many(rows)
        .exec_with_returning(txn)
        .await?;
    let id_of: HashMap<&str, i32> = people.iter().map(|u| (u.phone.as_str(), u.id)).collect();
    user_role::Entity::insert_many(people.iter().map(|u| user_role::ActiveModel {
        user_id: Set(u.id),
        role: Set(Role::Liaison.as_str().to_owned()),
    }))
    .exec_without_returning(txn)
    .await?;
    let mut by_room = Vec::new();
    let mut members = Vec::new();
    for (index, room) in rooms.iter().enumerate() {
        let ids: Vec<i32> = (0..LIAISONS_PER_ROOM)
            .filter_map(|n| {
                id_of
                    .get(liaison_phone(index * LIAISONS_PER_ROOM + n).as_str())
                    .copied()
            })
            .collect();
        members.extend(ids.iter().map(|id| liaison_member::ActiveModel {
            liaison_room_id: Set(room.id),
            user_id: Set(*id),
        }));
        by_room.push(ids);
    }
    liaison_member::Entity::insert_many(members)
        .exec_without_returning(txn)
        .await?;
    Ok(by_room)
}

/// 茶叙 first, then a board per room. A portal whose admin opened boards before this step
/// existed keeps them and gets the threads on them (board names are unique).
async fn open_boards(
    txn: &DatabaseTransaction,
    office: i32,
    rooms: &[liaison_room::Model],
    liaisons: Vec<Vec<i32>>,
) -> Result<Vec<Board>> {
    let existing = board::Entity::find().all(txn).await?;
    let general = match existing
        .iter()
        .find(|b| b.name == GENERAL_BOARD.0 && b.liaison_room_id.is_none())
    {
        Some(found) => found.id,
        None => insert_board(txn, office, None, GENERAL_BOARD.0, GENERAL_BOARD.1, 0).await?,
    };
    let mut boards = vec![Board {
        id: general,
        room: None,
        liaisons: Vec::new(),
        topics: GENERAL_TOPICS,
    }];
    for (index, (room, liaisons)) in rooms.iter().zip(liaisons).enumerate() {
        let id = match existing.iter().find(|b| b.liaison_room_id == Some(room.id)) {
            Some(found) => found.id,
            None => {
                let position = i32::try_from(index + 1).unwrap_or(i32::MAX);
                let (office, room_id) = (room.police_office_id, Some(room.id));
                insert_board(
                    txn,
                    office,
                    room_id,
                    &room.name,
                    &room.description,
                    position,
                )
                .await?
            }
        };
        boards.push(Board {
            id,
            room: Some(room.id),
            liaisons,
            topics: room_demo(index, &room.name).topics,
        });
    }
    Ok(boards)
}

async fn insert_board(
    txn: &DatabaseTransaction,
    office: i32,
    room: Option<i32>,
    name: &str,
    description: &str,
    position: i32,
) -> Result<i32> {
    let row = board::ActiveModel {
        police_office_id: Set(office),
        liaison_room_id: Set(room),
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        answer_hours: Set(ANSWER_HOURS),
        position: Set(position),
        is_demo: Set(true),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

/// The `n`th thread of the `b`th board, newest first.
fn plan(cast: &Cast, board: &Board, b: usize, n: usize, now: DateTime<Utc>) -> Plan {
    let fate = fate(n);
    let elapsed = age(n, threads_on(b), b);
    let created_at = now - elapsed;
    let topic = &board.topics[n % board.topics.len()];
    let variant = n / board.topics.len();
    let place = match cast.compounds.len() {
        0 => "小区",
        len => &cast.compounds[(b * 5 + n * 3) % len],
    };
    let when = WHEN[variant % WHEN.len()];
    let fill = |text: &str| text.replace("{小区}", place).replace("{时}", when);
    let pick = |k: usize| cast.volunteers[k % cast.volunteers.len()];
    let own = if n == OWN_THREAD {
        cast.residents.get(b).copied()
    } else {
        None
    };
    let author = own.unwrap_or_else(|| pick(b * 11 + n * 7));
    let anonymous = topic.sensitive || (own.is_none() && n % 6 == 4);

    let comment = |k: usize| {
        let mut person = pick(b * 13 + n * 5 + k * 3);
        if person.id == author.id {
            person = pick(b * 13 + n * 5 + k * 3 + 1);
        }
        Reply {
            author: person.id,
            body: COMMENTS[(n * 3 + b + k) % COMMENTS.len()].to_owned(),
            anonymous: (n + k) % 5 == 3,
            badge: None,
        }
    };
    // Liaisons answer on their room's board, taking turns; the officer on 茶叙 and now and
    // then on a room's board too.
    let official = |j: usize, body: String| {
        let (id, badge) = match (board.room, board.liaisons.is_empty()) {
            (Some(room), false) if n % 4 != 3 => (
                board.liaisons[(n + j) % board.liaisons.len()],
                ("liaison", Some(room)),
            ),
            _ => (cast.officer, ("officer", None)),
        };
        Reply {
            author: id,
            body,
            anonymous: false,
            badge: Some(badge),
        }
    };
    let from_author = |body: &str| Reply {
        author: author.id,
        body: body.to_owned(),
        anonymous,
        badge: None,
    };

    let (before, after) = match fate {
        Fate::Fresh => (n % 2, 0),
        Fate::Waiting => (1 + (n + b) % 2, 0),
        _ => ((n + b) % 3, (n * 5 + b) % 3),
    };
    let mut replies: Vec<Reply> = (0..before).map(comment).collect();
    if !matches!(fate, Fate::Fresh | Fate::Waiting) {
        replies.push(official(0, fill(topic.answer)));
    }
    match fate {
        Fate::Answered => replies.push(from_author(
            THANKS_ANSWERED[(n + b) % THANKS_ANSWERED.len()],
        )),
        Fate::Resolved { .. } => {
            replies.push(from_author(
                THANKS_RESOLVED[(n + b) % THANKS_RESOLVED.len()],
            ));
            if n.is_multiple_of(2) {
                replies.push(official(1, CHECKED_BACK.to_owned()));
            }
        }
        _ => {}
    }
    replies.extend((before..before + after).map(comment));
    replies.truncate(MAX_REPLIES);

    // Replies follow one another a few hours apart, all before now.
    let gap = Ord::min(
        elapsed / (replies.len() as i32 + 1),
        Duration::hours(2 + (n % 5) as i64 * 3),
    );
    let replies = replies
        .into_iter()
        .enumerate()
        .map(|(i, reply)| (reply, created_at + gap * (i as i32 + 1)))
        .collect();
    Plan {
        board: board.id,
        author,
        title: fill(topic.title),
        body: format!("{}{}", fill(topic.body), CLOSINGS[(n + b) % CLOSINGS.len()]),
        anonymous,
        created_at,
        fate,
        replies,
    }
}

/// Writes the threads and their posts, and then which answer each accepted.
async fn write(txn: &DatabaseTransaction, mut plans: Vec<Plan>) -> Result<()> {
    // Oldest first, so that ids follow time as they do when people post.
    plans.sort_by_key(|p| p.created_at);
    let rows: Vec<thread::ActiveModel> = plans
        .iter()
        .map(|p| {
            let official_reply_at = p
                .replies
                .iter()
                .find(|(r, _)| r.badge.is_some())
                .map(|(_, at)| *at);
            let status = match p.fate {
                // Answered once its accepted post exists, below.
                Fate::Resolved { .. } => ThreadStatus::Resolved,
                _ => ThreadStatus::Open,
            };
            thread::ActiveModel {
                board_id: Set(p.board),
                author_id: Set(Some(p.author.id)),
                community_id: Set(p.author.community),
                title: Set(p.title.clone()),
                status: Set(status),
                anonymous: Set(p.anonymous),
                reply_count: Set(p.replies.len() as i32),
                official_reply_at: Set(official_reply_at),
                created_at: Set(p.created_at),
                last_post_at: Set(p.replies.last().map_or(p.created_at, |(_, at)| *at)),
                is_demo: Set(true),
                ..Default::default()
            }
        })
        .collect();
    let mut threads = Vec::with_capacity(rows.len());
    for batch in rows.chunks(INSERT_BATCH) {
        threads.extend(
            thread::Entity::insert_many(batch.to_vec())
                .exec_with_returning(txn)
                .await?,
        );
    }
    // Both engines number the rows of an insert in their order; checked, not assumed.
    threads.sort_by_key(|t| t.id);
    let in_order = threads.len() == plans.len()
        && threads
            .iter()
            .zip(&plans)
            .all(|(t, p)| t.board_id == p.board && t.title == p.title);
    if !in_order {
        return Err(Error::Invalid("demo threads were numbered out of order"));
    }

    let mut posts = Vec::new();
    let mut accepting = Vec::new();
    let mut answered = Vec::new();
    for (row, plan) in threads.iter().zip(&plans) {
        match plan.fate {
            Fate::Answered => {
                accepting.push(row.id);
                answered.push(row.id);
            }
            Fate::Resolved { accepted: true } => accepting.push(row.id),
            _ => {}
        }
        posts.push((
            plan.created_at,
            post::ActiveModel {
                thread_id: Set(row.id),
                author_id: Set(Some(plan.author.id)),
                body: Set(plan.body.clone()),
                anonymous: Set(plan.anonymous),
                official: Set(None),
                official_room_id: Set(None),
                is_opening: Set(true),
                created_at: Set(plan.created_at),
                is_demo: Set(true),
                ..Default::default()
            },
        ));
        posts.extend(plan.replies.iter().map(|(reply, at)| {
            (
                *at,
                post::ActiveModel {
                    thread_id: Set(row.id),
                    author_id: Set(Some(reply.author)),
                    body: Set(reply.body.clone()),
                    anonymous: Set(reply.anonymous),
                    official: Set(reply.badge.map(|(kind, _)| kind.to_owned())),
                    official_room_id: Set(reply.badge.and_then(|(_, room)| room)),
                    is_opening: Set(false),
                    created_at: Set(*at),
                    is_demo: Set(true),
                    ..Default::default()
                },
            )
        }));
    }
    posts.sort_by_key(|(at, _)| *at);
    let posts: Vec<post::ActiveModel> = posts.into_iter().map(|(_, p)| p).collect();
    for batch in posts.chunks(INSERT_BATCH) {
        post::Entity::insert_many(batch.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    // The accepted answer is a thread's first official reply.
    if !accepting.is_empty() {
        thread::Entity::update_many()
            .col_expr(
                thread::Column::AcceptedPostId,
                Expr::cust(
                    "(SELECT MIN(posts.id) FROM posts WHERE posts.thread_id = threads.id \
                     AND posts.official IS NOT NULL)",
                ),
            )
            .filter(thread::Column::Id.is_in(accepting))
            .exec(txn)
            .await?;
    }
    if !answered.is_empty() {
        thread::Entity::update_many()
            .col_expr(
                thread::Column::Status,
                Expr::value(ThreadStatus::Answered.as_str()),
            )
            .filter(thread::Column::Id.is_in(answered))
            .exec(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_valid_and_apart_from_the_other_steps() {
        let phones = phones();
        let distinct: std::collections::BTreeSet<&String> = phones.iter().collect();
        assert_eq!(distinct.len(), phones.len());
        assert_eq!(phones.first().map(String::as_str), Some("13900000401"));
        for p in &phones {
            assert!(accounts::phone::is_valid(p), "{p}");
            assert!(
                p.as_str() >= "13900000401" && p.as_str() < "13900000500",
                "{p}"
            );
        }
    }

    #[test]
    fn every_template_fills_into_a_valid_post() {
        let topics = ROOMS
            .iter()
            .flat_map(|r| r.topics.iter())
            .chain(GENERAL_TOPICS);
        for topic in topics {
            for when in WHEN {
                let fill = |text: &str| text.replace("{小区}", "海晏花园").replace("{时}", when);
                let title = fill(topic.title);
                assert!((4..=60).contains(&title.chars().count()), "{title}");
                for text in [fill(topic.body), fill(topic.answer)] {
                    assert!((2..=5000).contains(&text.chars().count()), "{text}");
                    assert!(!text.contains('{') && !text.contains('}'), "{text}");
                }
                assert!(!title.contains('{') && !title.contains('}'), "{title}");
            }
            // A topic comes back with other words: its title must change with them.
            assert!(
                topic.title.contains("{时}") || topic.title.contains("{小区}"),
                "{}",
                topic.title
            );
        }
        for room in &ROOMS {
            assert!(
                room.topics.len() * WHEN.len() >= threads_on(3),
                "{}",
                room.room
            );
        }
    }

    #[test]
    fn the_newest_threads_wait_and_the_residents_threads_await_acceptance() {
        assert_eq!(fate(OWN_THREAD), Fate::Open);
        let hours = |n: usize| age(n, threads_on(0), 0).num_hours();
        assert!(hours(3) < i64::from(ANSWER_HOURS), "waiting, not overdue");
        assert!(hours(4) > i64::from(ANSWER_HOURS), "overdue");
        for board in 0..7 {
            let count = threads_on(board);
            assert!((24..=30).contains(&count));
            let ages: Vec<Duration> = (0..count).map(|n| age(n, count, board)).collect();
            assert!(ages.windows(2).all(|w| w[0] < w[1]), "newest first");
            assert!(ages.iter().all(|a| *a < Duration::days(60)));
        }
    }
}

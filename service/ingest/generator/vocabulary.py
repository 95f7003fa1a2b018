"""Word lists the generator builds names and texts from, in Latin, Chinese and Arabic scripts.

Plain tuples, never sets or dicts iterated for output, so that picking the i-th entry gives the
same word on every machine. The Chinese and Arabic entries carry their romanisation, so that a
generated organization or person has consistent names across scripts (月之 ↔ Yuezhi). The lists
are written as delimited strings to keep them readable; ``_words`` and ``_pairs`` split them.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``"native=Latin; native=Latin"`` → ((native, Latin), …)."""
    pairs = (item.split("=") for item in text.split(";"))
    return tuple((native.strip(), latin.strip()) for native, latin in pairs)


# A brand is a prefix + suffix ("Novagen") or a prefix + word ("Nova Harbor").
LATIN_PREFIXES = _words(
    "Nova Astra Vertex Lumen Quanta Helio Cobalt Aether Orbit Pixel Zephyr Nimbus Vector Kinet "
    "Sol Terra Aqua Ember Ion Flux Axon Cipher Delta Echo Fathom Glacier Harbor Iris Juno Krypt "
    "Lyra Meridian Nexus Onyx Prism Quill Radian Sable Tidal Umbra Vela Willow Xeno Yonder Zenith "
    "Arbor Beacon Cascade Drift Envo Forge Granite Horizon Indigo Jasper Kestrel Lattice Mosaic "
    "North Opal"
)
LATIN_SUFFIXES = _words(
    "gen ly ify io ex ia os ware mind sense loop path scale stack wise labs works bit grid core "
    "byte nova tics verse sight shift spark wave mark base"
)
LATIN_WORDS = _words(
    "Harbor Bridge Signal Summit Field River Stone Cloud Peak Light Forest Garden Canyon Comet "
    "Falcon Atlas Anchor Compass Crest Meadow"
)
# Descriptors a start-up's name may end in, by sector (aligned with SECTORS below).
SECTOR_DESCRIPTORS = tuple(
    _words(text)
    for text in (
        "AI Labs Intelligence",
        "AI Compute Systems",
        "Pay Finance Money",
        "Health Care Medical",
        "Robotics Automation",
        "Shop Commerce Market",
        "Logistics Freight",
        "Learning Academy",
        "Energy Climate Carbon",
        "Semiconductor Silicon",
        "Security Shield",
        "Games Studios Play",
        "Mobility Motors",
        "Bio Therapeutics",
        "Dev Code Cloud",
        "Agri Farms",
    )
)
INVESTOR_DESCRIPTORS = _words("Capital Ventures Partners Investments Fund Growth Equity")
CORPORATE_DESCRIPTORS = _words("Group Holdings Corporation Industries")
LEGAL_FORMS = ("Inc.", "Ltd.", "LLC", "GmbH", "S.A.S.", "Pte. Ltd.", "PLC")

# Chinese brand characters with their pinyin (tone marks dropped, as brand romanisations do).
HANZI = _pairs(
    "月=yue; 之=zhi; 暗=an; 面=mian; 智=zhi; 谱=pu; 华=hua; 星=xing; 云=yun; 海=hai; 天=tian; "
    "元=yuan; 深=shen; 度=du; 求=qiu; 索=suo; 百=bai; 川=chuan; 零=ling; 万=wan; 物=wu; 阶=jie; "
    "跃=yue; 光=guang; 年=nian; 明=ming; 极=ji; 新=xin; 鲸=jing; 灵=ling; 象=xiang; 龙=long; "
    "凤=feng; 创=chuang; 思=si; 源=yuan; 峰=feng; 未=wei; 来=lai; 远=yuan; 航=hang; 启=qi; 迪=di; "
    "蓝=lan; 图=tu; 数=shu; 芯=xin; 算=suan; 力=li; 墨=mo; 瞳=tong; 森=sen; 林=lin; 火=huo; "
    "山=shan; 宇=yu; 宙=zhou; 量=liang; 子=zi; 衡=heng"
)
CHINESE_CITIES = _pairs(
    "北京=Beijing; 上海=Shanghai; 深圳=Shenzhen; 杭州=Hangzhou; 广州=Guangzhou; 成都=Chengdu; "
    "南京=Nanjing; 苏州=Suzhou"
)
CHINESE_STARTUP_FORMS = _words("科技有限公司 智能科技有限公司 信息技术有限公司")
CHINESE_INVESTOR_FORMS = _words("投资管理有限公司 创业投资有限公司 资本管理有限公司")
CHINESE_INVESTOR_WORDS = _pairs("资本=Capital; 创投=Ventures; 基金=Fund")

# Arabic brand words with a common transliteration, and a vowelled spelling: search must find
# "نُور" when asked for "نور", so some organizations carry the vowelled form as an alias.
ARABIC_WORDS = _pairs(
    "نور=Noor; أفق=Ofoq; سحاب=Sahab; رؤية=Ruya; بيان=Bayan; ذكاء=Dhakaa; نجم=Najm; واحة=Waha; "
    "صقر=Saqr; مدار=Madar; فجر=Fajr; قمة=Qimma; جسر=Jisr; رمال=Rimal; سراج=Siraj; مرجان=Marjan; "
    "ضياء=Diyaa; نبض=Nabd; أثر=Athar; منارة=Manara"
)
ARABIC_VOWELLED = _pairs(
    "نور=نُور; أفق=أُفُق; سحاب=سَحَاب; رؤية=رُؤْيَة; بيان=بَيَان; ذكاء=ذَكَاء; نجم=نَجْم; واحة=وَاحَة; "
    "صقر=صَقْر; مدار=مَدَار; فجر=فَجْر; قمة=قِمَّة; جسر=جِسْر; رمال=رِمَال; سراج=سِرَاج; مرجان=مَرْجَان; "
    "ضياء=ضِيَاء; نبض=نَبْض; أثر=أَثَر; منارة=مَنَارَة"
)
ARABIC_STARTUP_FORMS = _pairs("للتقنية=Technologies; للذكاء الاصطناعي=AI; الرقمية=Digital")
ARABIC_INVESTOR_FORMS = _pairs("للاستثمار=Investments; كابيتال=Capital; القابضة=Holding")

LATIN_FIRST_NAMES = _words(
    "Alice Ben Carla David Elena Felix Grace Hugo Ines James Kira Liam Maya Noah Olivia Paul "
    "Quinn Rosa Samuel Tara Umar Vera William Xavier Yara Zoe Anika Bruno Chloe Diego Emma Farid "
    "Greta Hannah Ivan Julia Kenji Lena Marco Nina Priya Rahul Sofia Tomas Arjun Mei Sven Aisha"
)
LATIN_LAST_NAMES = _words(
    "Anderson Brooks Carter Dubois Evans Fischer Garcia Hoffmann Ito Jensen Kowalski Larsen "
    "Martin Nakamura Okafor Patel Quintero Rossi Schmidt Tanaka Usman Vargas Weber Young "
    "Zimmermann Sharma Kim Park Singh Novak Moreau Silva Costa Berg Lindqvist Haddad"
)
CHINESE_SURNAMES = _pairs(
    "王=Wang; 李=Li; 张=Zhang; 刘=Liu; 陈=Chen; 杨=Yang; 赵=Zhao; 黄=Huang; 周=Zhou; 吴=Wu; "
    "徐=Xu; 孙=Sun; 马=Ma; 朱=Zhu; 胡=Hu; 郭=Guo"
)
ARABIC_FIRST_NAMES = _pairs(
    "محمد=Mohammed; أحمد=Ahmed; فاطمة=Fatima; خالد=Khalid; سارة=Sara; عمر=Omar; ليلى=Layla; "
    "يوسف=Youssef; مريم=Maryam; علي=Ali; نورة=Noura; حمد=Hamad"
)
ARABIC_FAMILY_NAMES = _pairs(
    "الهاشمي=Al Hashimi; المنصوري=Al Mansouri; العتيبي=Al Otaibi; القاسمي=Al Qasimi; "
    "الشامسي=Al Shamsi; الزعابي=Al Zaabi; الغامدي=Al Ghamdi; النعيمي=Al Nuaimi"
)

SECTORS = (
    "foundation models",
    "AI infrastructure",
    "fintech",
    "healthtech",
    "robotics",
    "e-commerce",
    "logistics",
    "edtech",
    "climate tech",
    "semiconductors",
    "cybersecurity",
    "gaming",
    "mobility",
    "biotech",
    "developer tools",
    "agritech",
)
# Start-ups in these sectors buy compute: corporate cloud money and GPU holdings go there.
COMPUTE_SECTORS = frozenset({0, 1, 4})
PRODUCT_WORDS = _words("Chat Studio Copilot Cloud Pay Vision Go Assist Flow Insight Scan Pilot Hub")

CHIP_MODELS = ("A100", "A800", "H100", "H800", "H20", "H200", "B200", "MI300X", "Ascend 910B")
CLOUD_REGIONS: dict[str, tuple[str, ...]] = {
    "CN": ("cn-north-1", "cn-east-2", "cn-south-1", "cn-west-1"),
    "ME": ("me-central-1", "me-south-1"),
    "AS": ("ap-southeast-1", "ap-northeast-1", "ap-south-1"),
    "WE": ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1"),
}

# Publishers of the generated sources: (name, language, domain), in three scripts.
PUBLISHERS: tuple[tuple[str, str, str], ...] = (
    ("Venture Ledger", "en", "ventureledger.example"),
    ("Pacific Tech Daily", "en", "pacifictechdaily.example"),
    ("Capital Wire", "en", "capitalwire.example"),
    ("The Deal Sheet", "en", "dealsheet.example"),
    ("华夏科技报", "zh", "huaxiakeji.example"),
    ("创投日报", "zh", "chuangtouribao.example"),
    ("الاقتصاد الرقمي", "ar", "digital-economy.example"),
    ("Gulf Business Review", "en", "gulfbusinessreview.example"),
)
ANONYMOUS_ATTRIBUTIONS = (
    "people familiar with the matter",
    "a person with knowledge of the deal",
    "two people briefed on the round",
    "sources close to the company",
)

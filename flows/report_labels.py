"""The weekly summary's wording in Chinese and English: every word the report shows goes through
here, so the Chinese report never falls back to an English key (pure data and one lookup)."""

from __future__ import annotations

from common.records import TOPICS

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "科普信息科学性审查 · 每周趋势", "period": "统计周期", "generated": "生成时间",
        "key": "本周要点", "posts": "收录帖子", "flagged": "疑似伪科学", "flagged_short": "疑似伪科学",
        "flagged_prev": "上周疑似伪科学", "flag_rate": "标记比例",
        "reviewed": "完成审查", "fp_rate": "误报率（经审查）", "overdue": "超期未审",
        "wow": "较上周", "this_week": "本周", "last_week": "上周", "change": "变化",
        "volume": "收录与标记", "by_topic": "按领域", "by_platform": "按平台",
        "by_source": "按来源（前 15）", "topic": "领域", "platform": "平台", "source": "来源",
        "myths": "高频谣言（按匹配的已知说法）", "claim": "说法", "verdict": "结论",
        "trend": "近 {n} 周趋势", "narratives": "新出现的说法（未匹配已知说法的疑似伪科学）",
        "narrative": "说法摘要", "size": "本周帖子", "first_seen": "首次出现", "growth": "增长",
        "examples": "示例帖子", "author": "作者（化名）", "reviews": "专家审查结果",
        "verdict_share": "结论分布", "share": "占比", "count": "数量",
        "median_time": "从入队到结论的中位时间", "hours": "小时", "agreement": "双盲审查一致率",
        "pairs": "双人审查数", "kappa": "Fleiss κ", "queue": "周末审查队列",
        "panel": "专家组", "open": "待审", "none": "本周无数据", "timezone": "北京时间",
        "summary": "本周变化", "summary_none": "与上周相比没有值得注意的变化。",
        "summary_empty": "本周没有收录任何帖子：下文各项的下降不是真实变化，请先确认抓取是否正常运行。",
        "figure": "图 {n}", "weeks_axis": "周（起始日）", "posts_axis": "帖子数",
        "tasks_axis": "审查任务数", "share_axis": "占比",
        "cap_volume": "{what}：本周收录与疑似伪科学帖子数（黑色竖线为上周疑似伪科学帖子数）",
        "cap_top": "；图中只画疑似伪科学帖子最多的 {n} 项，表中列出全部",
        "cap_myths": "前五个已知谣言每周匹配的疑似伪科学帖子数",
        "cap_verdicts": "本周审查结论占比",
        "cap_field": "该领域疑似伪科学帖子数：上周与本周", "cap_myth": "每周与之相符的帖子数",
        "cap_narrative": "该说法的帖子数：上周与本周", "cap_backlog": "周末待审任务数：上周与本周",
        "narratives_capped": "说法聚类只使用了本周最新的 {n} 条未匹配帖子。",
        "method": "说明：帖子按发布时间（无发布时间时按抓取时间）计入周次，"
                  "周一 00:00 起（北京时间）；"
                  "重复转载不重复计数。误报率 = 审查结论为“准确”或“非科普内容”的已审标记所占比例。"
                  "新出现的说法由字符 n-gram 相似度聚类得到。作者账号以带密钥的哈希化名显示。",
    },
    "en": {
        "title": "Popular-science accuracy review · weekly trends", "period": "Period",
        "generated": "Generated", "key": "This week at a glance", "posts": "Posts collected",
        "flagged": "Flagged as probable pseudo-science", "flagged_short": "Flagged",
        "flagged_prev": "Flagged last week", "flag_rate": "Flag rate",
        "reviewed": "Reviews completed", "fp_rate": "False-positive rate (by review)",
        "overdue": "Overdue reviews", "wow": "vs last week", "this_week": "This week",
        "last_week": "Last week", "change": "Change", "volume": "Collected and flagged",
        "by_topic": "By field", "by_platform": "By platform", "by_source": "By source (top 15)",
        "topic": "Field", "platform": "Platform", "source": "Source",
        "myths": "Top recurring myths (by matched claim)", "claim": "Claim", "verdict": "Verdict",
        "trend": "Trend over {n} weeks",
        "narratives": "Emerging narratives (flagged posts matching no known claim)",
        "narrative": "Narrative", "size": "Posts this week", "first_seen": "First seen",
        "growth": "Growth", "examples": "Example posts", "author": "Author (pseudonym)",
        "reviews": "Expert review outcomes", "verdict_share": "Verdict shares", "share": "Share",
        "count": "Count", "median_time": "Median time from queue to verdict", "hours": "hours",
        "agreement": "Agreement of blind double reviews", "pairs": "Double reviews",
        "kappa": "Fleiss' κ", "queue": "Review queue at the end of the week", "panel": "Panel",
        "open": "Open", "none": "No data this week", "timezone": "Asia/Shanghai",
        "summary": "What changed this week",
        "summary_none": "Nothing changed notably since last week.",
        "summary_empty": "No posts were collected this week: the falls below are not real "
                         "changes. Check that the crawl ran.",
        "figure": "Figure {n}", "weeks_axis": "Week (starting)", "posts_axis": "Posts",
        "tasks_axis": "Review tasks", "share_axis": "Share",
        "cap_volume": "{what}: posts collected and flagged this week (black tick: flagged last "
                      "week)",
        "cap_top": "; the chart shows the {n} with the most flagged posts, the table all",
        "cap_myths": "Flagged posts matching each of the top five known myths, per week",
        "cap_verdicts": "Shares of this week's review verdicts",
        "cap_field": "Flagged posts, last week and this week",
        "cap_myth": "Flagged posts repeating it, per week",
        "cap_narrative": "Its posts, last week and this week",
        "cap_backlog": "Open review tasks at each week's end",
        "narratives_capped": "Narratives clustered from the newest {n} unmatched posts of the "
                             "week only.",
        "method": "Notes: a post counts in the week it was published (or fetched, when undated), "
                  "weeks start Monday 00:00 Asia/Shanghai; reposted copies count once. "
                  "False-positive rate = share of reviewed flags whose verdict was 'accurate' or "
                  "'not science'. Emerging narratives are clusters by character n-gram similarity. "
                  "Author handles are shown as keyed-hash pseudonyms.",
    },
}

REVIEW_VERDICTS: dict[str, tuple[str, str]] = {
    "accurate": ("准确", "Accurate"), "oversimplified": ("过度简化", "Oversimplified"),
    "outdated": ("过时", "Outdated"), "unsupported": ("缺乏证据", "Unsupported"),
    "pseudoscience": ("伪科学", "Pseudoscience"), "harmful_advice": ("有害建议", "Harmful advice"),
    "not_science": ("非科普内容", "Not science"),
}
CLAIM_VERDICTS: dict[str, tuple[str, str]] = {
    "false": ("谣言", "False (myth)"), "misleading": ("误导", "Misleading"),
    "true": ("属实", "True"),
}
PLATFORMS: dict[str, tuple[str, str]] = {
    "weibo": ("微博", "Weibo"), "wechat": ("微信公众号", "WeChat"), "douyin": ("抖音", "Douyin"),
    "zhihu": ("知乎", "Zhihu"), "bilibili": ("哔哩哔哩", "Bilibili"),
    "xiaohongshu": ("小红书", "Xiaohongshu"), "toutiao": ("今日头条", "Toutiao"),
    "kuaishou": ("快手", "Kuaishou"), "blog": ("博客", "Blog"), "news": ("新闻网站", "News site"),
    "forum": ("论坛", "Forum"), "video": ("视频", "Video"),
}
UNKNOWN = ("未知", "Unknown")
UNKNOWN_KEYS = frozenset({"", "unknown", "none", "null"})

# One sentence per kind of change in the "this week" summary (flows/report_summary.py).
HIGHLIGHTS: dict[str, tuple[str, str]] = {
    "field_up": ("“{field}”领域的疑似伪科学帖子由上周 {before} 条增至本周 {now} 条。",
                 "Flagged posts on {field} rose from {before} last week to {now}."),
    "field_down": ("“{field}”领域的疑似伪科学帖子由上周 {before} 条降至本周 {now} 条。",
                   "Flagged posts on {field} fell from {before} last week to {now}."),
    "myth_new": ("已知谣言“{claim}”在近 {weeks} 周内首次出现，本周 {now} 条疑似伪科学帖子与之相符。",
                 "The known myth “{claim}” appeared for the first time in {weeks} weeks; "
                 "flagged posts repeating it: {now}."),
    "myth_back": ("已知谣言“{claim}”上周未见、本周再次出现，{now} 条疑似伪科学帖子与之相符。",
                  "The known myth “{claim}” is back after a quiet week; flagged posts "
                  "repeating it: {now}."),
    "myth_up": ("已知谣言“{claim}”的相关帖子由上周 {before} 条增至本周 {now} 条。",
                "Flagged posts repeating the known myth “{claim}” rose from {before} "
                "last week to {now}."),
    "narrative_new": ("出现一个新说法（未匹配任何已知说法）：“{label}”，本周 {now} 条帖子。",
                      "A new narrative matching no known claim emerged: “{label}” "
                      "(posts this week: {now})."),
    "narrative_up": ("新说法“{label}”的帖子由上周 {before} 条增至本周 {now} 条。",
                     "The narrative “{label}” grew from {before} posts last week to "
                     "{now}."),
    "backlog_up": ("待审队列由上周末 {before} 项增至本周末 {now} 项，其中 {overdue} 项已超期。",
                   "The review backlog grew from {before} open tasks to {now}; {overdue} are "
                   "overdue."),
    "backlog_down": ("待审队列由上周末 {before} 项减至本周末 {now} 项，其中 {overdue} 项已超期。",
                     "The review backlog shrank from {before} open tasks to {now}; {overdue} are "
                     "overdue."),
}

TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "topic": TOPICS, "platform": PLATFORMS, "review_verdict": REVIEW_VERDICTS,
    "claim_verdict": CLAIM_VERDICTS,
}


def term(kind: str, key: str | None, lang: str) -> str:
    """A topic, platform or verdict key in `lang`; a missing key reads "unknown" in that language,
    and a key with no entry (a source id, a new platform) is shown as it is: it is data."""
    index = LANGS.index(lang)
    if key is None or key.strip().lower() in UNKNOWN_KEYS:
        return UNKNOWN[index]
    entry = TERMS[kind].get(key)
    return entry[index] if entry else key

"""The weekly summary's wording in Chinese and English (pure data, no logic)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "科普信息科学性审查 · 每周趋势", "period": "统计周期", "generated": "生成时间",
        "key": "本周要点", "posts": "收录帖子", "flagged": "疑似伪科学", "flag_rate": "标记比例",
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
        "panel": "专家组", "open": "待审", "none": "本周无数据",
        "method": "说明：帖子按发布时间（无发布时间时按抓取时间）计入周次，"
                  "周一 00:00 起（北京时间）；"
                  "重复转载不重复计数。误报率 = 审查结论为“准确”或“非科普内容”的已审标记所占比例。"
                  "新出现的说法由字符 n-gram 相似度聚类得到。作者账号以带密钥的哈希化名显示。",
    },
    "en": {
        "title": "Popular-science accuracy review · weekly trends", "period": "Period",
        "generated": "Generated", "key": "This week at a glance", "posts": "Posts collected",
        "flagged": "Flagged as probable pseudo-science", "flag_rate": "Flag rate",
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
        "open": "Open", "none": "No data this week",
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

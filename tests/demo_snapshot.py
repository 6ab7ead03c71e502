"""The offline demo's snapshot: four realistic news and government sites, recorded as a WARC.

``python tests/demo_snapshot.py`` crawls the sites defined here (served by an in-process
``httpx.MockTransport``, no network) with the real fetcher and writes every exchange to
``crawler/data/demo/snapshot.warc.gz``, which ``citydigest demo`` replays through the same crawl
pipeline. The sites are fictional (``*.example`` hosts) but built like real ones: an RSS feed, GBK
government list pages with a policy metadata table, a Big5 Traditional-Chinese paper that
carries the seed article (../shared/seed), a portal with a sitemap that syndicates the others.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import opencc

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "qingdao-delegation-shenzhen.txt"
OUT = ROOT / "crawler" / "data" / "demo" / "snapshot.warc.gz"

QD = "https://news.qingdao.example"
SZ = "http://www.sz.gov.example"
HK = "https://www.hkdaily.example"
DZ = "https://www.dzportal.example"


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: str  # "2021-05-12 09:30"
    outlet: str
    policy: tuple[tuple[str, str], ...] = ()


def _seed_paragraphs() -> tuple[str, ...]:
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(lines[:-3])  # the last three lines are the page's related-news sidebar


def pages() -> dict[str, list[Page]]:
    seed = _seed_paragraphs()
    simplified = tuple(opencc.OpenCC("t2s").convert(p) for p in seed)
    return {
        QD: [
            Page(
                "/qingdao/2021-05/12/content_2201.htm",
                "青岛市党政考察团赴深圳考察学习",
                ("（原标题：学深圳 赶深圳 青岛再出发）", *simplified[:14]),
                "2021-05-12 08:10",
                "青岛日报",
            ),
            Page(
                "/qingdao/2021-05/14/content_2230.htm",
                "成都市党政代表团来青考察",
                (
                    "5月13日至14日，成都市委副书记率成都市党政代表团来青考察，深入对接两市在数字经济、"
                    "先进制造、文旅融合等领域的交流合作。",
                    "代表团一行先后来到青岛国际会议中心、海尔卡奥斯工业互联网平台和崂山湾国际生态健康城，"
                    "实地察看产业发展和城市建设情况。",
                    "在青期间，两市举行工作座谈会。青岛市负责同志表示，青岛与成都在产业协作方面互补性强，"
                    "希望双方在招商引资、项目签约和人才交流等方面深化合作。",
                    "成都市党政代表团表示，此次来青考察收获很大，将认真学习青岛在工业互联网和海洋经济方面的好经验。",
                ),
                "2021-05-14 19:45",
                "青岛新闻网",
            ),
            Page(
                "/qingdao/2021-05/15/content_2251.htm",
                "青岛地铁6号线一期工程全线洞通",
                (
                    "5月15日，随着最后一台盾构机顺利始发，青岛地铁6号线一期工程实现全线洞通。",
                    "6号线一期工程全长30.8公里，设站21座，预计明年年底通车，届时将进一步完善西海岸新区轨道交通网络。",
                ),
                "2021-05-15 10:00",
                "青岛新闻网",
            ),
        ],
        SZ: [
            Page(
                "/zwgk/zfxxgj/zcfg/content/post_8801.html",
                "深圳市人民政府办公厅关于印发深圳市推进新型智慧城市建设行动方案的通知",
                (
                    "各区人民政府，市政府直属各单位：",
                    "《深圳市推进新型智慧城市建设行动方案》已经市政府同意，现印发给你们，请认真组织实施。",
                    "一、总体要求。以数字政府改革为牵引，建设城市大脑，推动数字经济和数字社会协同发展，"
                    "到2025年打造具有深度学习能力的鹏城智能体。",
                    "二、主要任务。完善城市数据中枢，推进政务服务“一网通办”，提升城市运行“一屏统览”水平，"
                    "优化营商环境。",
                    "三、保障措施。各单位要加强统筹协调，强化资金保障和安全防护，确保各项任务落地见效。",
                    "深圳市人民政府办公厅",
                    "2021年5月10日",
                ),
                "2021-05-11 17:30",
                "深圳市人民政府办公厅",
                (
                    ("索引号", "11440300K317280672/2021-00231"),
                    ("主题分类", "城乡建设、环境保护\\城市规划"),
                    ("发文机关", "深圳市人民政府办公厅"),
                    ("成文日期", "2021-05-10"),
                    ("发文字号", "深府办〔2021〕5号"),
                    ("发布日期", "2021-05-11"),
                    ("有效性", "有效"),
                ),
            ),
            Page(
                "/zwgk/zcjd/content/post_8823.html",
                "《深圳市推进新型智慧城市建设行动方案》政策解读",
                (
                    "近日，市政府办公厅印发了《深圳市推进新型智慧城市建设行动方案》（深府办〔2021〕5号），"
                    "现就有关内容解读如下。",
                    "一、出台背景。我市数字政府改革已进入深水区，城市数据分散、系统重复建设等问题仍然存在，"
                    "需要以城市大脑为抓手统筹推进。",
                    "二、主要目标。到2025年，建成全域感知、全网协同、全场景智慧的城市，数据共享率达到95%以上。",
                    "三、政策亮点。方案首次提出“一屏统览、一网统管”的城市运行模式，明确市政务服务数据管理局"
                    "牵头建设城市数据中枢。",
                ),
                "2021-05-13 10:00",
                "深圳市政务服务数据管理局",
            ),
            Page(
                "/xxgk/xwfyr/wqhg/content/post_8819.html",
                "深圳出台新型智慧城市行动方案 2025年建成鹏城智能体",
                (
                    "记者从市政务服务数据管理局获悉，深圳市政府办公厅日前印发深府办〔2021〕5号文件，"
                    "部署推进新型智慧城市建设。",
                    "根据安排，深圳将建设城市大脑和城市数据中枢，推动政务服务“一网通办”和城市运行“一网统管”，"
                    "为市民和企业提供更便捷的服务。",
                ),
                "2021-05-12 18:20",
                "深圳特区报",
            ),
            Page(
                "/xxgk/xwfyr/wqhg/content/post_8815.html",
                "深圳市领导会见青岛市党政考察团",
                (
                    "5月11日，深圳市领导会见了由青岛市委副书记、市长赵豪志率领的青岛市党政考察团一行。",
                    "双方表示，深圳和青岛同为沿海开放城市，要在金融科技、智慧城市、科技创新等领域加强交流合作，"
                    "共同服务国家战略。",
                    "考察团一行先后考察了深圳市政府管理服务指揮中心、平安科技中心、欢乐海岸、腾讯和华为等地。",
                ),
                "2021-05-12 09:00",
                "深圳特区报",
            ),
        ],
        HK: [
            Page(
                "/news/2021/05/13/a1088.html",
                "青島學深圳趕深圳：黨政考察團再赴深圳考察學習",
                seed,
                "2021-05-13 07:30",
                "人民網-山東頻道",
            ),
        ],
        DZ: [
            Page(
                "/shandong/2021/05/12/p5512.html",
                "山东省人民政府印发关于推动黄河流域生态保护和高质量发展的实施意见",
                (
                    "近日，山东省人民政府印发《关于推动黄河流域生态保护和高质量发展的实施意见》（以下简称《意见》）。",
                    "《意见》提出，坚持生态优先、绿色低碳发展，统筹推进山水林田湖草沙综合治理，"
                    "加快构建现代产业体系，到2025年黄河流域生态环境质量明显改善。",
                    "《意见》明确了加强生态保护、保障黄河长治久安、推进水资源节约集约利用、推动产业转型升级等"
                    "六个方面的重点任务。",
                ),
                "2021-05-12 16:20",
                "大众日报",
            ),
            Page(
                "/guangxi/2021/05/13/p5530.html",
                "广西党政代表团赴广东考察 深化两省区合作",
                (
                    "5月12日至13日，广西壮族自治区党委书记率广西党政代表团赴广东考察，学习广东改革开放和"
                    "产业发展的先进经验。",
                    "代表团先后考察了广州、深圳的一批重点企业和自贸区片区。两省区举行工作交流座谈会，"
                    "签署了深化粤桂合作的框架协议。",
                ),
                "2021-05-13 21:10",
                "新华社",
            ),
            Page(
                "/jinan/2021/05/14/p5544.html",
                "济南市代表团赴杭州学习数字经济发展经验",
                (
                    "5月13日，济南市党政代表团赴杭州考察学习，围绕数字经济、城市大脑和营商环境开展交流。",
                    "代表团表示，要学习杭州在数字政府建设和政务服务改革方面的做法，推动济南数字经济发展再上新台阶。",
                ),
                "2021-05-14 12:00",
                "济南日报",
            ),
            Page(
                "/qingdao/2021/05/12/p5519.html",
                "青岛市党政考察团赴深圳考察学习 再掀学深赶深热潮",
                ("转自：青岛日报", *simplified[:12], "（来源：青岛日报）"),
                "2021-05-12 11:40",
                "青岛日报",
            ),
        ],
    }


SITE_NAMES = {QD: "青岛新闻网", SZ: "深圳市人民政府", HK: "香港時報", DZ: "大众网"}
CHARSETS = {QD: "utf-8", SZ: "gbk", HK: "big5", DZ: "utf-8"}


def article_html(base: str, page: Page) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in page.paragraphs)
    table = ""
    if page.policy:
        cells = "".join(
            f"<tr><th>{escape(k)}：</th><td>{escape(v)}</td></tr>" for k, v in page.policy
        )
        table = f'<table class="xxgk-meta">{cells}</table>'
    charset = CHARSETS[base]
    date, time = page.published.split()
    if base == HK:
        dateline = f"{date.replace('-', '年', 1).replace('-', '月')}日 {time}"
    else:
        dateline = page.published
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="{charset}"><title>{escape(page.title)} - {SITE_NAMES[base]}</title>
<meta property="og:title" content="{escape(page.title)}"></head>
<body><div class="top-nav"><a href="/">首页</a> <a href="/list/">新闻</a> <a href="/about.html">关于我们</a></div>
<div class="content">{table}
<h1>{escape(page.title)}</h1>
<div class="meta">发布时间：{dateline}　来源：{escape(page.outlet)}　字号：大 中 小　打印</div>
<div class="article-body">
{body}
</div>
<div class="editor">责任编辑：李华</div>
<div class="share">分享到：微信 微博 QQ空间</div>
<div class="related"><h4>相关新闻</h4><ul>
<li><a href="/">山东省委召开会议研究部署重点工作【详细】</a></li>
<li><a href="/">全省各地推进高质量发展综述【详细】</a></li></ul></div>
</div><div class="footer">Copyright © {SITE_NAMES[base]} 版权所有 备案号：示例ICP备00000000号</div></body></html>"""


def routes() -> dict[str, tuple[str, bytes]]:
    """URL → (content type, bytes) for every page of the four sites."""
    out: dict[str, tuple[str, bytes]] = {}
    for base, site_pages in pages().items():
        charset = CHARSETS[base]
        out[f"{base}/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /admin/\n")
        for page in site_pages:
            out[base + page.path] = (
                f"text/html; charset={charset}" if base != SZ else "text/html",
                article_html(base, page).encode(charset, errors="xmlcharrefreplace"),
            )
        if base in (QD, HK):
            items = "".join(
                f"<item><title>{escape(p.title)}</title><link>{base}{p.path}</link>"
                f"<pubDate>{format_datetime(_dt(p.published))}</pubDate></item>"
                for p in site_pages
            )
            rss = (
                f'<?xml version="1.0" encoding="{charset}"?><rss version="2.0"><channel>'
                f"<title>{SITE_NAMES[base]}</title><link>{base}/</link><description>news</description>"
                f"{items}</channel></rss>"
            )
            out[f"{base}/rss.xml"] = (
                "application/rss+xml",
                rss.encode(charset, errors="xmlcharrefreplace"),
            )
        if base == SZ:
            links = "".join(
                f'<li><a href="{p.path}" title="{escape(p.title)}">{escape(p.title)}</a><span>{p.published[:10]}</span></li>'
                for p in site_pages
            )
            html = (
                f'<html><head><meta charset="gbk"><title>通知公告</title></head><body>'
                f'<ul class="list-info">{links}</ul><div class="page"><a class="next" href="/zwgk/list_2.html">下一页</a></div>'
                "</body></html>"
            )
            out[f"{base}/zwgk/list.html"] = ("text/html", html.encode("gbk"))
            out[f"{base}/zwgk/list_2.html"] = (
                "text/html",
                '<html><head><meta charset="gbk"></head><body><ul class="list-info"></ul></body></html>'.encode(
                    "gbk"
                ),
            )
        if base == DZ:
            urls = "".join(
                f"<url><loc>{base}{p.path}</loc><lastmod>{p.published[:10]}</lastmod></url>"
                for p in site_pages
            )
            sitemap = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            out[f"{base}/sitemap.xml"] = ("application/xml", sitemap.encode())
    return out


def _dt(text: str):  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))


SOURCES_YAML = f"""\
# The demo's sources: four fictional sites replayed from crawler/data/demo/snapshot.warc.gz.
sources:
  - id: qdnews
    name: 青岛新闻网
    feed: {QD}/rss.xml
    tags: {{cities: [青岛]}}
  - id: szgov
    name: 深圳市人民政府
    list:
      url: {SZ}/zwgk/list.html
      links: "ul.list-info a"
      next: "a.next"
    tags: {{cities: [深圳]}}
  - id: hkdaily
    name: 香港時報
    feed: {HK}/rss.xml
  - id: dzportal
    name: 大众网
    sitemap: {DZ}/sitemap.xml
    tags: {{provinces: [山东]}}
"""


def transport() -> httpx.MockTransport:
    table = routes()

    def handler(request: httpx.Request) -> httpx.Response:
        found = table.get(str(request.url))
        if found is None:
            return httpx.Response(404, text="not found")
        content_type, body = found
        return httpx.Response(200, content=body, headers={"Content-Type": content_type})

    return httpx.MockTransport(handler)


async def record(out: Path) -> int:
    """Crawl the demo sites with the real fetcher and write every exchange to ``out``."""
    from crawler.base.config.profile import fetch_profile
    from crawler.base.config.settings import FetchSettings
    from crawler.fetch.client import Fetcher
    from crawler.warc import WarcWriter

    out.parent.mkdir(parents=True, exist_ok=True)
    writer = WarcWriter(out)
    settings = FetchSettings(per_host_delay=0, allow_private_networks=False)
    urls = sorted(routes())
    profile = fetch_profile(settings, "citydigest-demo/0.1")
    async with Fetcher(profile, transport=transport(), archive=writer) as fetcher:
        for url in urls:
            if not url.endswith("/robots.txt"):
                await fetcher.get(url)
    writer.close()
    return len(urls)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    count = asyncio.run(record(target))
    (target.parent / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    print(f"wrote {count} pages to {target} and sources.yaml beside it")

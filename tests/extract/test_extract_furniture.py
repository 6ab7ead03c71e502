"""Page furniture of sites the extractor was not tuned on (issue 20, zh-unseen): self-media
platform disclaimers, IP-location lines and video-player controls are not article text."""

from __future__ import annotations

import pytest

from crawler.extract import extract

URL = "https://www.example.com/a/778336904_120702"
ARTICLE = [
    "北京时间5月20日，今天NBA季后赛步行者130比109战胜尼克斯，大比分4比3晋级东部决赛。",
    "尼克斯官方宣布，布伦森第三节遭遇左手骨折，本场比赛不会回归，球队将在赛后公布伤情。",
    "布伦森全场出战29分钟，17投6中得到17分9次助攻，这是他本赛季季后赛得分最低的一场。",
]


@pytest.mark.parametrize(
    "furniture",
    [
        "<p>发布于：北京市</p>",
        "<p>IP属地：广东</p>",
        "<div class='para-title'><span>播报</span></div><div><span>编辑</span></div>",
        "<p>本作品采用《CC 协议》，转载必须注明作者和本文链接</p>",
        "<p>平台声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。</p>",
        '<div>以上内容（包括图片及视频）为创作者平台"快传号"用户上传并发布，本平台仅提供信息存储服务</div>',
        "<div class='mplayer'><div class='playerControl'><div>倍速</div><div>2.0X</div>"
        "<div>1.5X</div><div>1.0X</div><div>高清</div><div>超清</div><div>标清</div>"
        "<div>循环播放</div><div>跳过片头</div><div>00:00/00:00</div></div>"
        "<div class='hintTip'>正在为您切换到高清 480P,请稍候...</div></div>",
    ],
)
def test_platform_and_player_furniture_is_not_article_text(furniture: str) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = (
        "<html><head><title>布伦森遭遇左手骨折</title></head><body><h1>布伦森遭遇左手骨折</h1>"
        f"<div class='article'>{furniture}{paragraphs}{furniture}</div></body></html>"
    )
    assert extract(page, URL).body == "\n".join(ARTICLE)


@pytest.mark.parametrize(
    "address",
    [
        "<p><a href='https://github.com/example/y'>https://github.com/example/y</a></p>",
        "<p>对应文档：<a href='https://help.example.com/d/1.html'>https://help.example.com/d/1.html</a></p>",
        "<div>www.example.gov.cn/zwgk/1.html</div>",
    ],
)
def test_an_address_the_article_points_to_is_text(address: str) -> None:
    """A link whose text is an address (a project's source, a document) is part of the article,
    unlike a list of links, which stays out."""
    links = (
        "<ul>"
        + "".join(f"<li><a href='/n/{i}'>相关新闻标题第{i}条</a></li>" for i in range(6))
        + "</ul>"
    )
    html = (
        "<html><head><title>标题</title></head><body><h1>标题</h1><div class='article'>"
        f"<p>{ARTICLE[0]}</p>{address}<p>{ARTICLE[1]}</p>{links}</div></body></html>"
    )
    body = extract(html, URL).body.split("\n")
    assert body[0] == ARTICLE[0] and body[2] == ARTICLE[1]
    assert "example" in body[1]
    assert not any("相关新闻" in line for line in body)


def test_a_wikis_reference_list_is_not_its_text() -> None:
    """Entries of a reference list with their backlinks (``^ 作者. 标题. 出处. 日期``) are the
    sources of an encyclopedia entry, not its text."""
    refs = "".join(
        f"<li>^ 跳转到： {i}.0 {i}.1 标题第{i}篇报道. 新华网. 2017-04-0{i} [2017-04-07]. （原始内容存档于2017-04-0{i}）.</li>"
        for i in range(1, 8)
    )
    html = (
        "<html><head><title>雄安新区 - 维基百科</title></head><body><h1>雄安新区</h1>"
        f"<div class='mw-content'>{''.join(f'<p>{p}</p>' for p in ARTICLE)}"
        f"<h2>参考文献</h2><ol class='references'>{refs}</ol></div></body></html>"
    )
    body = extract(html, "https://zh.wikipedia.org/wiki/x").body
    assert all(p in body for p in ARTICLE)
    assert "新华网" not in body
